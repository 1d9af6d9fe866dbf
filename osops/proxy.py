"""Which proxy, if any, the HTTP library would use for a URL."""

import urllib.parse
import urllib.request


def proxy_for(url):
    """Return the proxy URL requests would send *url* through, or None.

    Uses requests' own rules (``no_proxy`` suffixes, ports, and CIDR
    ranges where the host is an IP address), so the answer matches what
    happens on the wire.
    """
    from requests.utils import get_environ_proxies, select_proxy

    return select_proxy(url, get_environ_proxies(url))


def no_proxy_line(urls):
    """The ``export no_proxy=...`` line that keeps *urls* off the proxy."""
    current = urllib.request.getproxies().get("no", "")
    entries = [e.strip() for e in current.split(",") if e.strip()]
    for url in urls:
        host = urllib.parse.urlsplit(url).hostname
        if host and host not in entries:
            entries.append(host)
    return "export no_proxy=" + ",".join(entries)
