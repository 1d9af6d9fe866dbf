"""Turn SDK, keystoneauth and requests failures into one-line messages.

Anything the SDK, keystoneauth or requests raises goes through
:func:`explain` before a user sees it, and becomes an
:class:`~osops.errors.OsopsError` whose ``problem`` names what went wrong
(the service and URL when known) and whose ``fix`` says what to do about it.
"""

from __future__ import annotations

import re
import typing
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any

from osops.errors import OsopsError

TOKEN_PATH = re.compile(r"/(v3/auth|v2\.0)/tokens/?$")  # what only Keystone serves
# What may follow the unversioned auth URL in a URL of Keystone's: nothing, or its API versions.
UNDER_KEYSTONE = re.compile(r"(/(v3|v2\.0)(/.*)?|/?)([?#].*)?", re.DOTALL)
# How a failed host name lookup reads (glibc, musl, macOS, Windows, urllib3).
DNS_FAILURES = ("name or service not known", "no address associated with hostname", "failed to resolve",
                "temporary failure in name resolution", "nodename nor servname", "getaddrinfo failed")
VERSION_SUFFIX = re.compile(r"/v\d+(\.\d+)?$")  # http://ctl/compute/v2.1 -> http://ctl/compute
# Service types as the projects that serve them are known.
SERVICES = {"identity": "Keystone", "compute": "Nova", "image": "Glance", "network": "Neutron",
            "placement": "Placement", "block-storage": "Cinder", "volume": "Cinder", "volumev3": "Cinder",
            "object-store": "Swift", "orchestration": "Heat", "load-balancer": "Octavia",
            "dns": "Designate", "key-manager": "Barbican"}


def explain(exc: BaseException, auth: Mapping[str, Any] | None = None, services: Mapping[str, str] | None = None,
            url_where: str = "", timeout: float | None = None) -> OsopsError:
    """Return an :class:`OsopsError` that says what *exc* means, with its
    ``problem`` and ``fix`` apart.

    *auth* is the auth section of the cloud config (auth_url, username,
    project_name ...) so that messages can name the user and the URL;
    passwords in it are never read.  *services* maps the catalog's
    endpoint URLs to their service types (``{"http://ctl/compute/v2.1":
    "compute"}``) so that messages can name the service a URL belongs to;
    *url_where* says where the auth URL was set (``OS_AUTH_URL``, "auth_url
    of cloud 'lab'" ...).  :func:`osops.cloud.error_context` gives all
    three for a connection, and the *timeout* of its requests.
    """
    if isinstance(exc, OsopsError):
        return exc
    parts = _explained(exc, _Known(auth or {}, services or {}, url_where or "the auth URL", timeout))
    if parts is None:
        return OsopsError(_one_line(exc) or type(exc).__name__)
    return OsopsError(*parts)


def reason(exc: BaseException, url: str = "") -> str:
    """Why a request got no answer, in a few words ("connection refused");
    no URL, callers name it.  Given the *url* asked for, a proxy that
    failed is named, with the variable that names it."""
    text = _one_line(exc)
    if _proxy_failed(exc):
        named = _proxy_named(url) if url else ""
        return f"the proxy {named + ' ' if named else ''}refused or could not be reached (ProxyError)"
    errno = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if errno:
        words = errno.group(1).strip()
        return words[:1].lower() + words[1:]
    if "Timeout" in type(exc).__name__ or "timed out" in text:
        return "timed out"
    text = re.sub(r"^Unable to establish connection to \S+?:? ", "", text)
    return text[:200] or type(exc).__name__


class _Known(typing.NamedTuple):
    """What is known of the cloud an error came from."""

    auth: Mapping[str, Any]
    services: Mapping[str, str]
    url_where: str
    timeout: float | None = None


def _explained(exc, known):
    """(problem, fix) for *exc*, or None when no handler knows it.  A bare
    SDKException is judged by the keystoneauth error it wraps."""
    from openstack import exceptions as sdk

    for kind, handler in _handlers():
        if isinstance(exc, kind):
            return handler(exc, known)
    if type(exc) is sdk.SDKException:
        inner = exc.__cause__ or exc.__context__
        if inner is not None and inner is not exc:
            return _explained(inner, known)
    return None


def _handlers():
    import requests
    from keystoneauth1 import exceptions as ksa
    from openstack import exceptions as sdk

    from osops.service_errors import http_error as _http

    return [
        (ksa.MissingRequiredOptions, _missing_options),
        (sdk.ConfigException, _config),
        (ksa.Unauthorized, _unauthorized),
        (sdk.HttpException, _http),
        (ksa.HttpError, _http),
        (ksa.DiscoveryFailure, _discovery),
        (ksa.SSLError, _ssl),
        (ksa.ConnectTimeout, _timeout),
        (ksa.ConnectFailure, _unreachable),
        (ksa.EndpointNotFound, _no_endpoint),
        (sdk.ResourceTimeout, lambda e, a: (_one_line(e), "")),
        (requests.exceptions.JSONDecodeError, _not_json),  # json's or simplejson's, as requests uses
    ]


def _config(exc, known):
    from osops.config_checks import unscoped
    from osops.settings import CLOUDS_YAML_EXAMPLE

    if "catalog" in str(exc) and unscoped(known.auth):
        return unscoped(known.auth)
    return _one_line(exc), f"compare the cloud's settings with {CLOUDS_YAML_EXAMPLE}"


def _one_line(exc):
    text = " ".join(str(exc).split())
    return text[:400]


def _who(known):
    auth = known.auth
    user = auth.get("username") or auth.get("user_id") or "?"
    project = auth.get("project_name") or auth.get("project_id") or "?"
    return f"user {user}, project {project}, at {auth.get('auth_url', '?')}"


def _missing_options(exc, known):
    names = ", ".join(o.dest for o in getattr(exc, "options", [])) or "auth"
    return f"the cloud config is missing {names}", _what_to_do()


def _what_to_do():
    return ("source an openrc (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, "
            "OS_PROJECT_NAME) or pass --os-cloud NAME for a cloud in "
            "clouds.yaml")


def _unauthorized(exc, known):
    from osops.service_errors import own_words, request_id

    response = getattr(exc, "response", None)
    said, rid = own_words(response), request_id(response)
    words = f": Keystone says {said}" if said else ""
    return (f"authentication failed for {_who(known)}{words}{f' (request {rid})' if rid else ''}",
            "check the password and the user, project and domain names")


def _url(exc, known):
    """The URL an exception is about: its own, the first in its message
    (without the colon keystoneauth puts after it), or the auth URL."""
    found = re.search(r"https?://[^\s'\",)]+", str(exc))
    return (getattr(exc, "url", None) or (found and found.group(0).rstrip(":;.")) or known.auth.get("auth_url")
            or "the cloud")


def _service(url, known):
    """The service *url* belongs to (Keystone, Nova ...), or '' when unknown:
    Keystone for URLs under the auth URL and for token requests, else the
    service of the catalog's endpoint that *url* is under."""
    url = str(url or "")
    if _is_keystone(url, str(known.auth.get("auth_url") or "")):
        return "Keystone"
    service_type = _catalog_service(url, known.services)
    return SERVICES.get(service_type, f"the {service_type} service") if service_type else ""


def _catalog_service(url, services):
    """The service type of the endpoint *url* is under (the longest one,
    with or without its version, ending at a path boundary), or None."""
    best, found = "", None
    for endpoint, service_type in services.items():
        endpoint = str(endpoint).rstrip("/")
        for prefix in (endpoint, VERSION_SUFFIX.sub("", endpoint)):
            if len(prefix) > len(best) and url.startswith(prefix) and url[len(prefix):][:1] in ("", "/", "?", "#"):
                best, found = prefix, service_type
    return found


def _is_keystone(url, auth_url):
    """True for a token request, and for *url* under the unversioned
    *auth_url* when what follows it is nothing or /v3, /v2.0 (so neither
    http://h/compute under http://h/v3 nor http://h:50000 under
    http://h:5000 is)."""
    from osops.identity_v2 import identity_root

    if TOKEN_PATH.search(url):
        return True
    root = identity_root(auth_url)
    return bool(root) and url.startswith(root) and UNDER_KEYSTONE.fullmatch(url[len(root):]) is not None


def _at(service, url):
    return f"{service} at {url}" if service and url else (url or service)


def _proxy(url):
    from osops.proxy import proxy_for

    return proxy_for(url) if str(url).startswith("http") else None


def unanswered_fix(exc: BaseException, url: str, otherwise: str) -> str:
    """What to do about a request to *url* that got no answer (*exc*):
    check the proxy that failed, or the host name that does not resolve,
    or keep the cloud off a proxy in the way; else *otherwise*."""
    from osops.proxy import no_proxy_line, off_the_proxy, proxy_variable

    if _proxy_failed(exc):
        variable = proxy_variable(url)
        return (f"check the proxy{f' in {variable[0]}' if variable else ''}, or keep the cloud off it: "
                f"{no_proxy_line([url])}")
    host = _unresolved(exc, url)
    if host:
        return f"check the host name {host}: /etc/hosts and DNS (getent hosts {host})"
    return off_the_proxy([url]) or otherwise


def _proxy_failed(exc):
    """True when a proxy refused *exc*'s request or could not be reached."""
    import requests

    return any(isinstance(e, requests.exceptions.ProxyError) or "Unable to connect to proxy" in str(e)
               for e in causes(exc))


def _unresolved(exc, url):
    """The host name whose lookup failed *exc*'s request, or ''."""
    text = _one_line(exc)
    if not any(words in text.lower() for words in DNS_FAILURES):
        return ""
    named = re.search(r"Failed to resolve '([^']+)'", text)
    return named.group(1) if named else (urllib.parse.urlsplit(str(url)).hostname or "")


def _unreachable(exc, known):
    bad: Any = next((e for e in causes(exc) if hasattr(e, "osops_body")), None)  # osops.retry.BadBody
    if bad is not None and bad.osops_body is not None:
        return _not_json_body(bad.osops_body, known)
    url, service, via = _no_answer(exc, known)
    if bad is not None:
        return (f"the answer from {_at(service, bad.url or url)}{via} was cut short",
                "a proxy or load balancer on the way dropped it, or the service failed while answering: "
                "its log says why")
    return (f"cannot reach {_at(service, url)}{via}: {reason(exc)}",
            unanswered_fix(exc, url, f"is {service or 'the service'} running and listening there, "
                           "and is the URL right?"))


def _timeout(exc, known):
    import requests

    url, service, via = _no_answer(exc, known)
    if any(isinstance(e, requests.exceptions.ReadTimeout) for e in causes(exc)):
        within = f" within {known.timeout:g} s" if known.timeout else ""
        return (f"no answer from {_at(service, url)}{via}{within}",
                f"is {service or 'the service'} overloaded or stuck? its log says why; "
                "--os-api-timeout SECONDS (or OSOPS_API_TIMEOUT) waits longer")
    return (f"timed out connecting to {_at(service, url)}{via}",
            unanswered_fix(exc, url, f"is {service or 'the service'} up, and does a firewall on the way drop "
                           "the packets?"))


def _no_answer(exc, known):
    """For a request that got no answer: its URL, the service, and
    " through proxy P (its variable)" when one is used ('' without)."""
    url = _url(exc, known)
    return url, _service(url, known), _via(url)


def _via(url):
    """" through proxy P (http_proxy)" when requests sends *url* through one, else ''."""
    named = _proxy_named(url)
    return f" through proxy {named}" if named else ""


def _proxy_named(url):
    """The proxy *url* goes through, masked, with the variable that names
    it ("http://u:***@p:3128 (http_proxy)"); '' when it goes direct."""
    from osops.proxy import masked, proxy_variable

    proxy = _proxy(url)
    if not proxy:
        return ""
    variable = proxy_variable(url)
    return f"{masked(proxy)} ({variable[0]})" if variable else masked(proxy)


def _ssl(exc, known):
    return (f"TLS failed for {_url(exc, known)}",
            "pass --os-cacert FILE with the cloud's CA, or --insecure for a lab")


def _discovery(exc, known):
    from keystoneauth1 import exceptions as ksa

    from osops.proxy import off_the_proxy

    unanswered = next((e for e in causes(exc) if isinstance(e, ksa.ConnectionError)), None)
    if unanswered is not None:  # no answer at all: not a question of the URL's path
        return _explained(unanswered, known)
    url = str(known.auth.get("auth_url") or "the auth URL")
    proxy_fix = off_the_proxy([url])
    fix = (proxy_fix + "; else " if proxy_fix else "") + \
        f"check {known.url_where} (Keystone answers at http://HOST:5000 or http://HOST/identity)"
    return f"cannot find the Identity API at {url}{_via(url)}", fix


def causes(exc: BaseException | None) -> Iterator[BaseException]:
    """*exc*, then its cause (or else its context), and so on: the chain an
    exception was raised through, each once."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _no_endpoint(exc, known):
    from osops.config_checks import unscoped

    return unscoped(known.auth) or (_one_line(exc), "check the region (--os-region-name) and interface "
                                    "(--os-interface)")


def _not_json(exc, known):
    """A body that should be JSON and is not.  requests' error carries the
    body but not the response, so the URL is not known: every URL of the
    cloud is a suspect for a proxy in the way."""
    return _not_json_body(getattr(exc, "doc", ""), known)


def _not_json_body(body, known):
    """(problem, fix) for an answer *body* that should be JSON and is not."""
    from osops.proxy import masked, off_the_proxy

    body = " ".join(str(body or "").split())
    began = f", beginning {body[:60]!r}" if body else ""
    suspects = [u for u in [known.auth.get("auth_url"), *known.services] if u]
    proxies = [p for p in map(_proxy, suspects) if p]
    fix = "a proxy or a wrong endpoint? " + (
        f"requests to the cloud go through proxy {masked(proxies[0])}: {off_the_proxy(suspects)}" if proxies
        else "check the endpoints' URLs (openstack endpoint list) and what answers there (curl -i URL)")
    return f"the cloud answered something that is not JSON{began}", fix
