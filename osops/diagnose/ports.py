"""The server's ports: bound to a host (not ``binding_failed``) and ACTIVE."""

from __future__ import annotations

from typing import TYPE_CHECKING

from osops.doctor.core import FAIL, OK, Check

if TYPE_CHECKING:
    from osops.diagnose.facts import Facts
    from osops.diagnose.here import HostView

NAMES = ("Port",)
UNBOUND = ("binding_failed", "unbound")


def checks(facts: Facts, here: HostView) -> list[Check]:
    """One row per port of the server."""
    name = facts.server.name
    if not facts.ports:
        return [Check("Port", FAIL, f"{name} has no port: it was booted without a network",
                      f"boot it on a network: osops boot --network NETWORK (and osops delete {name})")]
    return [_port(facts, port) for port in facts.ports]


def _port(facts, port):
    ips = ", ".join(ip.get("ip_address", "") for ip in port.fixed_ips or ()) or "no address"
    what = f"port {port.id[:8]} ({ips} on {facts.network_name(port.network_id)})"
    host = port.binding_host_id or ""
    vif = port.binding_vif_type or ""
    if vif in UNBOUND:
        on = f" on host {host}" if host else ""
        return Check("Port", FAIL, f"{what} is {vif}{on}: no agent plugged it",
                     f"the network agent{on} (ovn-controller, or the L2 agent) could not bind it: check it runs "
                     f"(osops doctor lists the agents), then rebuild the server (osops delete {facts.server.name}, "
                     "boot again)")
    if port.status != "ACTIVE":
        return Check("Port", FAIL, f"{what} is {port.status}, bound to host {host or '?'} ({vif})",
                     f"the network agent on {host or 'its host'} has not wired it up: osops doctor lists the agents")
    return Check("Port", OK, f"{what} is ACTIVE, bound to host {host or '?'} ({vif})")
