"""Proxy: http_proxy/https_proxy catching calls to Keystone or to the
catalog's endpoints, judged by requests' own no_proxy rules."""

import ipaddress
import urllib.parse
import urllib.request

from osops.doctor.core import FAIL, OK, Check, Context, Skip, check, host_of
from osops.proxy import masked, no_proxy_line, proxy_for

SYMPTOM = ("a proxy cannot reach the cloud's own addresses; clients then fail with \"Could not "
           "determine a suitable URL for the plugin\" or time out")


@check("Proxy (Keystone)")
def keystone(ctx: Context) -> Check:
    """The auth URL must not go through a proxy."""
    return verdict("Proxy (Keystone)", [ctx.auth_url])


@check("Proxy (endpoints)")
def endpoints(ctx: Context) -> Check:
    """No catalog endpoint (nor the auth URL) may go through a proxy."""
    chosen, _ = ctx.endpoints()
    if not chosen:
        raise Skip(f"no {ctx.interface} endpoints in the catalog")
    return verdict("Proxy (endpoints)", [ctx.auth_url] + [ep["url"] for _, _, ep in chosen])


def proxy_variables() -> dict[str, str]:
    """The proxy variables set, as {name: value} in their lower-case names."""
    return {f"{k}_proxy": v for k, v in urllib.request.getproxies_environment().items() if v}


def verdict(name: str, urls: list[str]) -> Check:
    """OK when no URL goes through a proxy; FAIL naming each one that does,
    with the no_proxy line that keeps them all off it."""
    variables = proxy_variables()
    if not {k: v for k, v in variables.items() if k != "no_proxy"}:
        return Check(name, OK, "no proxy variables set")
    urls = list(dict.fromkeys(urls))
    routed = {url: proxy_for(url) for url in urls}
    proxied = [url for url, proxy in routed.items() if proxy]
    hosts = sorted({_host_port(url) for url in urls})
    current = variables.get("no_proxy")
    if not proxied:
        return Check(name, OK, f"{', '.join(hosts)} bypass the proxy (no_proxy={current})")
    by_proxy: dict[str, list[str]] = {}
    for url in proxied:
        by_proxy.setdefault(masked(routed[url]), []).append(url if len(urls) == 1 else _host_port(url))
    via = "; ".join(f"{', '.join(dict.fromkeys(targets))} via {proxy}" for proxy, targets in by_proxy.items())
    found = f"{via} (no_proxy={current or 'unset'}): {SYMPTOM}"
    note = cidr_note(proxied, current)
    return Check(name, FAIL, found + (f"; {note}" if note else ""), no_proxy_line(proxied))


def cidr_note(urls: list[str], no_proxy: str | None) -> str:
    """Say so when no_proxy has CIDR ranges that requests cannot apply: to
    URLs that name their host instead of giving an IP address, and to IPv6
    addresses (requests matches ranges against IPv4 addresses only)."""
    ranges = [e.strip() for e in (no_proxy or "").split(",") if "/" in e and _is_network(e.strip())]
    if not ranges:
        return ""
    hosts = sorted({host_of(u) for u in urls})
    notes = []
    named = [h for h in hosts if not _is_ip(h)]
    if named:
        notes.append(f"no_proxy's CIDR {', '.join(ranges)} does not cover {', '.join(named)}: requests "
                     "matches CIDR ranges only against URLs written with an IP address, never against "
                     "host names, so list the names themselves")
    v6 = [(h, r) for h in hosts if _is_ip(h) and ipaddress.ip_address(h).version == 6 for r in ranges
          if ipaddress.ip_address(h) in ipaddress.ip_network(r, strict=False)]
    if v6:
        notes.append(f"no_proxy's CIDR {', '.join(dict.fromkeys(r for _, r in v6))} does not cover "
                     f"{', '.join(dict.fromkeys(h for h, _ in v6))}: requests applies CIDR ranges to IPv4 "
                     "addresses only, so list the IPv6 addresses themselves")
    return "; ".join(notes)


def _host_port(url):
    parts = urllib.parse.urlsplit(url)
    return parts.netloc.rpartition("@")[2] or url


def _is_ip(host):
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_network(text):
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True
