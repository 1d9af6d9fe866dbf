"""The way in from outside: a floating IP, and a router with an
interface on the server's subnet and its gateway on an external network."""

from __future__ import annotations

from typing import TYPE_CHECKING

from osops.doctor.core import FAIL, OK, SKIP, WARN, Check

if TYPE_CHECKING:
    from osops.diagnose.facts import Facts
    from osops.diagnose.here import HostView

NAMES = ("Floating IP", "Router")


def checks(facts: Facts, here: HostView) -> list[Check]:
    """Two rows: the floating IP, the router path."""
    return [_floating(facts), _router(facts)]


def _floating(facts):
    name = facts.server.name
    if facts.floating_ips:
        bad = [f for f in facts.floating_ips if f.status not in ("ACTIVE", None)]
        ips = ", ".join(f"{f.floating_ip_address} ({f.status})" for f in facts.floating_ips)
        if bad:
            return Check("Floating IP", FAIL, f"{ips}: not ACTIVE, Neutron has not set up its NAT",
                         "check the router's gateway and the L3/OVN agents (osops doctor)")
        return Check("Floating IP", OK, ips)
    if not facts.external_networks():
        return Check("Floating IP", SKIP, "no floating IP, and the cloud has no external network to take one from")
    return Check("Floating IP", WARN, f"{name} has no floating IP: only a network node reaches it "
                 "(from its network's namespace)", f"osops floating ip add {name}")


def _router(facts):
    subnets = [ip["subnet_id"] for p in facts.ports for ip in p.fixed_ips or () if ip.get("subnet_id")]
    if not subnets:
        return Check("Router", SKIP, "the server has no subnet")
    serious = FAIL if facts.floating_ips else WARN
    found = []
    for sid in dict.fromkeys(subnets):
        iface = next((p for p in facts.router_ports if any(ip.get("subnet_id") == sid for ip in p.fixed_ips or ())),
                     None)
        subnet = facts.subnet_name(sid)
        if iface is None:
            return Check("Router", serious, f"no router has an interface on subnet {subnet}: nothing routes "
                         "between it and the outside", f"openstack router add subnet ROUTER {subnet}")
        router = facts.routers.get(iface.device_id)
        rname = (router.name or router.id) if router is not None else iface.device_id
        gateway = (router.external_gateway_info or {}) if router is not None else {}
        net = facts.networks.get(gateway.get("network_id"))
        if not gateway.get("network_id"):
            ext = ", ".join(n.name for n in facts.external_networks()) or "EXTERNAL"
            return Check("Router", serious, f"router {rname} (on subnet {subnet}) has no external gateway",
                         f"openstack router set --external-gateway {ext.split(', ')[0]} {rname}")
        if net is not None and not net.external:
            return Check("Router", serious, f"router {rname}'s gateway is on {net.name}, not an external network",
                         f"openstack router set --external-gateway EXTERNAL {rname}")
        address = next((ip["ip_address"] for ip in iface.fixed_ips if ip.get("subnet_id") == sid), "?")
        found.append(f"router {rname}: interface {address} on {subnet}, gateway on "
                     f"{facts.network_name(gateway['network_id'])}")
    return Check("Router", OK, "; ".join(found))
