"""What the cloud says about one server's path, asked once: the server,
its ports, their security groups and subnets, the routers on those
subnets, floating IPs, networks and the console log."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from osops.host.targets import ROUTER_OWNERS
from osops.models import Network, Server

if TYPE_CHECKING:
    from openstack.connection import Connection

log = logging.getLogger("osops.diagnose")
CONSOLE_LINES = 400  # the end of the console log: the boot's network, metadata and login lines


@dataclass
class Facts:
    """One server's view from the cloud.  ``ports`` are openstacksdk
    ports; ``groups``, ``subnets``, ``routers`` and ``networks`` map ids to
    what they are; ``router_ports`` are router interfaces on the server's
    subnets; ``console`` is the log's end, or None and ``console_error``
    saying why not."""

    server: Server
    conn: Connection | None = None
    ports: list[Any] = field(default_factory=list)
    groups: dict[str, Any] = field(default_factory=dict)
    subnets: dict[str, Any] = field(default_factory=dict)
    router_ports: list[Any] = field(default_factory=list)
    routers: dict[str, Any] = field(default_factory=dict)
    networks: dict[str, Network] = field(default_factory=dict)
    floating_ips: list[Any] = field(default_factory=list)
    console: str | None = None
    console_error: str = ""
    _source_groups: dict[str, set[str]] = field(default_factory=dict)

    def network_name(self, network_id: str) -> str:
        """A network's name, else its id."""
        net = self.networks.get(network_id)
        return net.name if net and net.name else network_id

    def subnet_name(self, subnet_id: str) -> str:
        """A subnet's name, else its CIDR, else its id."""
        sub = self.subnets.get(subnet_id)
        return (sub.name or sub.cidr) if sub is not None else subnet_id

    def port_of(self, address: str) -> Any:
        """The server's port with *address* (fixed) or whose floating IP it
        is, else None."""
        for port in self.ports:
            if any(ip.get("ip_address") == address for ip in port.fixed_ips or ()):
                return port
        fip = next((f for f in self.floating_ips if f.floating_ip_address == address), None)
        return next((p for p in self.ports if fip and p.id == fip.port_id), None)

    def external_networks(self) -> list[Network]:
        """The external networks (of those the project sees)."""
        return [n for n in self.networks.values() if n.external]

    def groups_of_address(self, address: str) -> set[str]:
        """Ids of the security groups of the ports with *address* (a source
        that is a port of the cloud, as a namespace's is)."""
        if self.conn is None:
            return set()
        if address not in self._source_groups:
            ports = self.conn.network.ports(fixed_ips=[f"ip_address={address}"])
            self._source_groups[address] = {g for p in ports for g in p.security_group_ids or ()}
        return self._source_groups[address]


def gather(conn: Connection, server: Server) -> Facts:
    """Ask the cloud what diagnose needs to know of *server*."""
    facts = Facts(server=server, conn=conn)
    facts.ports = list(conn.network.ports(device_id=server.id))
    facts.networks = {n.id: Network.from_sdk(n) for n in conn.network.networks()}
    for gid in dict.fromkeys(g for p in facts.ports for g in p.security_group_ids or ()):
        facts.groups[gid] = conn.network.get_security_group(gid)
    for sid in dict.fromkeys(ip["subnet_id"] for p in facts.ports for ip in p.fixed_ips or ()):
        facts.subnets[sid] = conn.network.get_subnet(sid)
    if facts.ports:
        facts.router_ports = [p for p in conn.network.ports(device_owner=list(ROUTER_OWNERS))
                              if any(ip.get("subnet_id") in facts.subnets for ip in p.fixed_ips or ())]
        for rid in dict.fromkeys(p.device_id for p in facts.router_ports):
            facts.routers[rid] = conn.network.get_router(rid)
        ids = {p.id for p in facts.ports}
        facts.floating_ips = [f for f in conn.network.ips() if f.port_id in ids]
    _console(conn, facts)
    return facts


def _console(conn, facts):
    if facts.server.status in ("BUILD", "ERROR"):
        facts.console_error = f"no console log of a server in {facts.server.status}"
        return
    try:
        facts.console = conn.compute.get_server_console_output(facts.server.id, length=CONSOLE_LINES)["output"]
    except Exception as exc:  # a driver without a console log (fake virt): say so, go on
        from osops.explain import explain

        log.debug("no console log: %s", exc)
        err = explain(exc)
        facts.console_error = f"the console log cannot be read: {err.problem or err}"
