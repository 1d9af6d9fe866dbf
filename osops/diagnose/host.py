"""On a network or compute node: the network's namespace exists here, and
the server's port is on a bridge (a Linux bridge's ``tap<port id>``, or a
``br-int`` port whose ``external_ids:iface-id`` is the port's id) with
its link up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from osops.doctor.core import FAIL, OK, SKIP, WARN, Check
from osops.host import netns
from osops.host.ports import ID_PREFIX_LEN, port_id_prefix
from osops.host.targets import CLOUD_NAMESPACES

if TYPE_CHECKING:
    from osops.diagnose.facts import Facts
    from osops.diagnose.here import HostView

NAMES = ("Namespace", "Bridge port")
DOWN = ("down", "disabled", "blocking")


def checks(facts: Facts, here: HostView) -> list[Check]:
    """Two rows per port: its network's namespace, its bridge port."""
    rows = []
    for port in facts.ports:
        rows += [_namespace(facts, here, port), _bridge_port(facts, here, port)]
    return rows


def _namespace(facts, here, port):
    names = here.namespaces()
    if not any(n.startswith(CLOUD_NAMESPACES) for n in names):
        return Check("Namespace", SKIP, "not a network node: no qdhcp-, ovnmeta- or qrouter- namespace here")
    network = facts.network_name(port.network_id)
    routers = [p.device_id for p in facts.router_ports if p.network_id == port.network_id]
    found = netns.for_network(port.network_id, routers, names)
    if found:
        return Check("Namespace", OK, f"{found} (network {network})")
    return Check("Namespace", WARN, f"no qdhcp-/ovnmeta- namespace of network {network} nor qrouter- of its "
                 "router on this host (on another network node?)",
                 "the DHCP agent makes qdhcp-<network id>; with ML2/OVN neutron-ovn-metadata-agent makes "
                 "ovnmeta-<network id> where a port of the network is bound: check they run (osops doctor)")


def _bridge_port(facts, here, port):
    bridges, problem = here.bridges()
    on = next(((b, p) for b in bridges for p in b.ports
               if p.iface_id == port.id or port_id_prefix(p.name) == port.id[:ID_PREFIX_LEN]), None)
    if on is None:
        if problem and not bridges:
            return Check("Bridge port", SKIP, problem)
        if not any(b.name == "br-int" or b.name.startswith("brq") for b in bridges):
            return Check("Bridge port", SKIP, "not a compute node: no br-int or brq bridge here")
        host = port.binding_host_id or "its host"
        return Check("Bridge port", WARN, f"port {port.id[:ID_PREFIX_LEN]} is on no bridge of this host "
                     f"(bound to host {host})", f"look there: osops bridge list on {host}")
    bridge, bport = on
    state = bport.state or "no state"
    seen = f"{bport.name} on {bridge.name}" + (f" (iface-id {port.id[:8]}...)" if bport.iface_id else "")
    if state in DOWN:
        return Check("Bridge port", FAIL, f"{seen} is {state}: the guest's NIC is not up",
                     f"osops console log {facts.server.name} shows why; openstack server reboot --hard "
                     f"{facts.server.name}")
    return Check("Bridge port", OK, f"{seen}, {state}")
