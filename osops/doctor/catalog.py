"""Catalog: every endpoint of the chosen interface answers; endpoints on
127.0.0.1/localhost are useless to anyone not on the cloud host."""

from osops.doctor.core import FAIL, OK, WARN, Check, Context, check, host_of, is_loopback, ms
from osops.explain import reason, unanswered_fix


@check("Catalog")
def endpoints(ctx: Context) -> Check | list[Check]:
    """One row per endpoint of the chosen interface: HTTP status and latency."""
    chosen, lacking = ctx.endpoints()
    interface = ctx.interface
    rows = []
    if not chosen:
        return Check("Catalog", FAIL, f"the token's catalog has no {interface} endpoints"
                     + (f" in region {ctx.region_name}" if ctx.region_name else ""),
                     "choose another --interface (public, internal, admin) or register the endpoints "
                     "(openstack endpoint create)")
    remote_client = not is_loopback(host_of(ctx.auth_url))
    for service_type, service_name, ep in chosen:
        rows.append(endpoint(ctx, f"Endpoint {service_type}", service_name, ep, remote_client))
    for service_type, have in lacking:
        rows.append(Check(f"Endpoint {service_type}", WARN,
                          f"no {interface} endpoint (it has: {', '.join(have) or 'none'})",
                          f"use --interface {have[0]}" if have else "register one: openstack endpoint create"))
    return rows


def endpoint(ctx: Context, name: str, service_name: str, ep: dict, remote_client: bool) -> Check:
    """The row of one catalog endpoint *ep*: does it answer, and is its host one that every client
    (*remote_client*: this one is not on Keystone's machine) can reach."""
    url = ep.get("url", "")
    local = is_loopback(host_of(url)) and remote_client
    relocate = (f"register the host's real address: openstack endpoint set --url "
                f"{url.replace(host_of(url), host_of(ctx.auth_url), 1)} {ep.get('id', '<endpoint id>')}")
    loopback_note = (f"{host_of(url)} means this machine to every other client, while Keystone is at "
                     f"{host_of(ctx.auth_url)}")
    try:
        resp, secs = ctx.get(url)
    except Exception as exc:
        service = service_name or name.split()[-1]
        found = f"{url} does not answer: {reason(exc, url)}"
        if local:
            return Check(name, FAIL, f"{found}; {loopback_note}", relocate)
        return Check(name, FAIL, found, unanswered_fix(exc, url, f"is {service} running and listening "
                     "there? (ss -ltnp on its host; systemctl status for its unit)"))
    found = f"{url} answers HTTP {resp.status_code} in {ms(secs)}"
    if resp.status_code >= 500:
        return Check(name, FAIL, found, f"{service_name or 'the service'} is failing: see its log")
    if local:
        return Check(name, WARN, f"{found}, but {loopback_note}", relocate)
    return Check(name, OK, found)
