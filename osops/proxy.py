"""Which proxy, if any, the HTTP library would use for a URL."""

from __future__ import annotations

import os
import re
import urllib.parse
import urllib.request
from collections.abc import Iterable

AUTHORITY = re.compile(r"^(?P<head>(?:[A-Za-z][A-Za-z0-9+.-]*:)?//)?(?P<authority>[^/?#]*)(?P<rest>.*)$", re.DOTALL)


def proxy_for(url: str) -> str | None:
    """Return the proxy URL requests would send *url* through, or None.

    Uses requests' own rules (``no_proxy`` suffixes, ports, and CIDR
    ranges where the host is an IP address), so the answer matches what
    happens on the wire.
    """
    from requests.utils import get_environ_proxies, select_proxy

    return select_proxy(url, get_environ_proxies(url))


def proxy_variable(url: str) -> tuple[str, str] | None:
    """(name, value) of the environment variable requests takes the proxy
    of *url* from (``http_proxy``, ``HTTPS_PROXY``, ``all_proxy`` ...), or
    None when *url* goes direct.  The lower-case name wins, as in urllib."""
    if not proxy_for(url):
        return None
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    for name in (f"{scheme}_proxy", f"{scheme}_proxy".upper(), "all_proxy", "ALL_PROXY"):
        if os.environ.get(name):
            return name, os.environ[name]
    return None


def masked(url: object) -> str:
    """*url* (a proxy's, say) with the password in it shown as ``***``;
    the rest as written, IPv6 brackets included.  A proxy variable may
    leave out the scheme (``user:pw@proxy:3128``); that is masked too."""
    text = str(url)
    m = AUTHORITY.match(text if "//" in text else "//" + text)
    assert m is not None  # every part of the pattern may be empty
    userinfo, at, host = m["authority"].rpartition("@")
    if not at or ":" not in userinfo:
        return text
    head = m["head"] if "//" in text else ""
    return f"{head}{userinfo.partition(':')[0]}:***@{host}{m['rest']}"


def no_proxy_line(urls: Iterable[str]) -> str:
    """The ``export no_proxy=...`` line that keeps *urls* off the proxy."""
    current = urllib.request.getproxies().get("no", "")
    entries = [e.strip() for e in current.split(",") if e.strip()]
    for url in urls:
        host = urllib.parse.urlsplit(url).hostname
        if host and host not in entries:
            entries.append(host)
    return "export no_proxy=" + ",".join(entries)


def off_the_proxy(urls: Iterable[str]) -> str:
    """What to do when a proxy may be what keeps *urls* from answering:
    the no_proxy line for those of them that go through one ('' for none)."""
    proxied = [url for url in urls if proxy_for(url)]
    if not proxied:
        return ""
    return f"if the proxy cannot reach the cloud, keep the cloud off it: {no_proxy_line(proxied)}"
