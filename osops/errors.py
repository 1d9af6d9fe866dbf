"""One place that turns SDK and keystoneauth errors into one-line messages.

Everything osops raises on purpose is an :class:`OsopsError`; anything the
SDK or keystoneauth raises goes through :func:`explain` before a user sees
it.  The message names what went wrong and what to do about it.
"""


class OsopsError(Exception):
    """A failure with a message fit for a user; exit status 1."""

    exit_code = 1


class UsageError(OsopsError):
    """Bad input on the command line or in a file; exit status 2."""

    exit_code = 2


class NotFound(OsopsError):
    """No resource matched a name or id."""


class Ambiguous(OsopsError):
    """Several resources matched a name; the message lists them."""


class ServerFailed(OsopsError):
    """A server went to ERROR; the message carries Nova's fault."""


class Timeout(OsopsError):
    """A wait ran out of time."""


def printable(text):
    """*text* as it can stand in a one-line message (repr when it cannot)."""
    text = "" if text is None else str(text)
    return text if text and text.isprintable() and text.strip() == text else repr(text)


def explain(exc, auth=None):
    """Return an :class:`OsopsError` that says what *exc* means.

    *auth* is the auth section of the cloud config (auth_url, username,
    project_name ...) so that messages can name the user and the URL;
    passwords in it are never read.
    """
    if isinstance(exc, OsopsError):
        return exc
    auth = auth or {}
    for kind, handler in _handlers():
        if isinstance(exc, kind):
            return OsopsError(handler(exc, auth))
    return OsopsError(_one_line(exc) or type(exc).__name__)


def _handlers():
    from keystoneauth1 import exceptions as ksa
    from openstack import exceptions as sdk

    return [
        (ksa.MissingRequiredOptions, _missing_options),
        (sdk.ConfigException, lambda e, a: _one_line(e)),
        (ksa.Unauthorized, _unauthorized),
        (sdk.HttpException, _http),
        (ksa.HttpError, _http),
        (ksa.DiscoveryFailure, _discovery),
        (ksa.SSLError, _ssl),
        (ksa.ConnectTimeout, _timeout),
        (ksa.ConnectFailure, _unreachable),
        (ksa.EndpointNotFound, _no_endpoint),
        (sdk.ResourceTimeout, lambda e, a: _one_line(e)),
    ]


def _one_line(exc):
    text = " ".join(str(exc).split())
    return text[:400]


def _who(auth):
    user = auth.get("username") or auth.get("user_id") or "?"
    project = auth.get("project_name") or auth.get("project_id") or "?"
    return f"user {user}, project {project}, at {auth.get('auth_url', '?')}"


def _missing_options(exc, auth):
    names = ", ".join(o.dest for o in getattr(exc, "options", [])) or "auth"
    return f"the cloud config is missing {names}: {_what_to_do()}"


def _what_to_do():
    return ("source an openrc (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, "
            "OS_PROJECT_NAME) or pass --os-cloud NAME for a cloud in "
            "clouds.yaml")


def _unauthorized(exc, auth):
    return (f"authentication failed for {_who(auth)}: check the password "
            "and the user, project and domain names")


def _http(exc, auth):
    status = getattr(exc, "status_code", None) or getattr(exc, "http_status", None)
    url = getattr(exc, "url", None) or ""
    detail = _detail(exc)
    if status == 401:
        return _unauthorized(exc, auth)
    if status == 403:
        return (f"forbidden: {detail or 'the policy refuses this'}; "
                f"{_who(auth)} lacks the role for it (try an admin cloud)")
    if status == 404:
        return f"not found: {detail or url}"
    if status == 409:
        return f"conflict: {detail or 'the resource is busy'}; retry when it settles"
    if status == 413:
        return f"over quota or rate limit: {detail}"
    return f"HTTP {status} from {url or 'the cloud'}: {detail}".rstrip(": ")


def _detail(exc):
    for attr in ("details", "message"):
        text = getattr(exc, attr, None)
        if text and isinstance(text, str):
            return _one_line(text)
    return _one_line(exc)


def _url(exc, auth):
    """The URL an exception is about: its own, the one in its message, or the auth URL."""
    import re

    found = re.search(r"https?://[^\s'\",)]+", str(exc))
    return getattr(exc, "url", None) or (found and found.group(0)) or auth.get("auth_url") or "the cloud"


def _proxy_note(url):
    from osops.proxy import no_proxy_line, proxy_for

    proxy = proxy_for(url) if url.startswith("http") else None
    if not proxy:
        return ""
    return f" through proxy {_safe_url(proxy)}; if it cannot reach the cloud, {no_proxy_line([url])}"


def _safe_url(url):
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    if parts.password:
        netloc = f"{parts.username}:***@{parts.hostname}"
        if parts.port:
            netloc += f":{parts.port}"
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url


def _unreachable(exc, auth):
    url = _url(exc, auth)
    return (f"cannot reach {url}{_proxy_note(url)}: is the service running "
            "and is the URL right?")


def _timeout(exc, auth):
    url = _url(exc, auth)
    return f"timed out connecting to {url}{_proxy_note(url)}"


def _ssl(exc, auth):
    return (f"TLS failed for {_url(exc, auth)}: pass --os-cacert FILE with the "
            "cloud's CA, or --insecure for a lab")


def _discovery(exc, auth):
    url = auth.get("auth_url", "the auth URL")
    return (f"cannot find the Identity API at {url}{_proxy_note(str(url))}: "
            "check OS_AUTH_URL (Keystone answers at http://HOST:5000 or "
            "http://HOST/identity)")


def _no_endpoint(exc, auth):
    return (f"{_one_line(exc)}: check the region (--os-region-name) and "
            "interface (--os-interface)")
