"""Floating IPs: list them, give a server one, take it away, release them.

A floating IP reaches a server only through a router: one with its
gateway on the floating IP's external network and an interface on the
subnet of the server's port.  :func:`add_floating_ip` checks that path
first and, when there is none, says which networks and what to do.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from osops import networks as nets
from osops import servers as srv
from osops.errors import Ambiguous, NotFound, OsopsError, UsageError, printable
from osops.models import FloatingIP, FloatingIPAdded, Network, Server
from osops.resolve import resolve

if TYPE_CHECKING:
    from openstack.connection import Connection

UUID = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")
# The device owners of a router's ports on its internal subnets (plain, DVR, HA).
ROUTER_INTERFACES = ("network:router_interface", "network:router_interface_distributed",
                     "network:ha_router_replicated_interface")


def list_floating_ips(conn: Connection, **filters: str) -> list[FloatingIP]:
    """The floating IPs the user sees (one request), as
    :class:`~osops.models.FloatingIP`; *filters* are Neutron's
    (``floating_network_id``, ``port_id``, ``description`` ...)."""
    return [FloatingIP.from_sdk(f) for f in conn.network.ips(**filters)]


class NoExternalNetwork(NotFound):
    """The cloud has no external network: no floating IP can be had."""


def external_network(conn: Connection, name_or_id: str | None = None,
                     networks: list[Network] | None = None) -> Network:
    """The external network floating IPs come from: the one *name_or_id*
    names (it must be external), or else the only one there is.  None at
    all, or several without a name, is an error naming them.  *networks*:
    the list to choose from (default: one list call)."""
    networks = nets.list_networks(conn) if networks is None else networks
    externals = [n for n in networks if n.external]
    if name_or_id:
        chosen = resolve("network", name_or_id, networks)
        if not chosen.external:
            raise UsageError(f"network {chosen.name} is not external: floating IPs come from an external network",
                             f"choose one of: {_names(externals)}" if externals else _NO_EXTERNAL_FIX)
        return chosen
    if not externals:
        raise NoExternalNetwork("no external network: floating IPs come from one", _NO_EXTERNAL_FIX)
    if len(externals) > 1:
        raise UsageError(f"several external networks: {_names(externals, ids=True)}",
                         "choose one with --network")
    return externals[0]


_NO_EXTERNAL_FIX = ("an admin creates one (openstack network create --external ... and a subnet on it) "
                    "and sets it as a router's gateway")


def _names(networks, ids=False):
    return ", ".join(f"{n.name} ({n.id})" if ids else n.name for n in networks)


def add_floating_ip(conn: Connection, server: str | Server, network: str | None = None, *,
                    reuse: bool = True, description: str = "") -> FloatingIPAdded:
    """Give *server* (a name, id or Server) a floating IP on the external
    *network* (default: the only one), mapped to the fixed address of its
    port on a network routed to it (the first such port when it has
    several).  A free floating IP of the project on that network is
    reused (unless not *reuse*), else one is allocated (with
    *description*); a server that has one there already keeps it.

    Calls: the server list (for a name), the networks, the server's ports,
    the routers, each gateway router's ports, the floating IPs of the
    network, then one create or update (none when it has one already).
    """
    server = server if isinstance(server, Server) else srv.find_server(conn, server)
    networks = nets.list_networks(conn)
    external = external_network(conn, network, networks)
    ports = list(conn.network.ports(device_id=server.id))
    if not ports:
        raise OsopsError(f"server {server.name} has no port: a floating IP maps to a port's fixed address",
                         "boot it on a network (osops boot --network NAME)")
    routed = routed_subnets(conn, external.id)
    port, fixed = _routed_port(ports, routed)
    by_id = {n.id: n for n in networks}
    if port is None:
        on = sorted({by_id[p.network_id].name if p.network_id in by_id else p.network_id for p in ports})
        raise OsopsError(
            f"no router connects {' or '.join(on)} (server {server.name}) to the external network {external.name}",
            f"add the server's subnet to a router whose gateway is on {external.name} "
            f"(openstack router add subnet ROUTER SUBNET), or set such a router's gateway to {external.name} "
            f"(openstack router set --external-gateway {external.name} ROUTER)")
    mine = list_floating_ips(conn, floating_network_id=external.id)
    added = dict(server=server, fixed_address=fixed, port_id=port.id, ports=len(ports),
                 network=by_id[port.network_id].name if port.network_id in by_id else port.network_id,
                 external_network=external.name)
    have = next((f for f in mine if f.port_id == port.id), None)
    if have is not None:
        return FloatingIPAdded(floating_ip=have, how="already", **added)
    free = [f for f in mine if f.free and f.project_id == conn.current_project_id] if reuse else []
    for candidate in free:
        taken = _associate(conn, candidate, port.id, fixed)
        if taken is not None:
            return FloatingIPAdded(floating_ip=taken, how="reused", **added)
    made = conn.network.create_ip(floating_network_id=external.id, port_id=port.id, fixed_ip_address=fixed,
                                  **({"description": description} if description else {}))
    return FloatingIPAdded(floating_ip=FloatingIP.from_sdk(made), how="allocated", **added)


def _associate(conn, fip, port_id, fixed):
    """*fip* mapped to *port_id*, or None when someone took it meanwhile (409)."""
    from openstack.exceptions import ConflictException

    try:
        return FloatingIP.from_sdk(conn.network.update_ip(fip.id, port_id=port_id, fixed_ip_address=fixed))
    except ConflictException:
        return None


def routed_subnets(conn: Connection, external_id: str) -> set[str]:
    """The ids of the subnets a router with its gateway on the network
    *external_id* has an interface on."""
    subnets: set[str] = set()
    for router in conn.network.routers():
        if (router.external_gateway_info or {}).get("network_id") != external_id:
            continue
        for p in conn.network.ports(device_id=router.id):
            if p.device_owner in ROUTER_INTERFACES:
                subnets.update(ip["subnet_id"] for ip in p.fixed_ips or ())
    return subnets


def _routed_port(ports, routed):
    """The first of *ports* with an IPv4 address on a subnet in *routed*
    (IPv6 needs no floating IP), and that address; (None, None) without."""
    for p in ports:
        for ip in p.fixed_ips or ():
            if ip.get("subnet_id") in routed and ipaddress.ip_address(ip["ip_address"]).version == 4:
                return p, ip["ip_address"]
    return None, None


def server_floating_ips(conn: Connection, server: str | Server) -> list[FloatingIP]:
    """The floating IPs mapped to *server*'s ports (the ports, then the floating IPs: two requests)."""
    server = server if isinstance(server, Server) else srv.find_server(conn, server)
    port_ids = {p.id for p in conn.network.ports(device_id=server.id)}
    return [f for f in list_floating_ips(conn) if f.port_id in port_ids]


def remove_floating_ip(conn: Connection, server: str | Server) -> list[FloatingIP]:
    """Take *server*'s floating IPs off it (they stay allocated to the
    project, free for the next ``add``); return them as they were.  A
    server with none is a :class:`~osops.errors.NotFound` error."""
    server = server if isinstance(server, Server) else srv.find_server(conn, server)
    found = server_floating_ips(conn, server)
    if not found:
        raise NotFound(f"server {server.name} has no floating IP: nothing to remove",
                       f"osops floating ip add {server.name} gives it one")
    for fip in found:
        conn.network.update_ip(fip.id, port_id=None)
    return found


def find_floating_ips(conn: Connection, addresses_or_ids: Sequence[str]) -> list[FloatingIP]:
    """The floating IPs named by address or id, from one list call.  What
    is neither an IP address nor an id is a usage error; one not
    allocated, a :class:`~osops.errors.NotFound` error."""
    for given in addresses_or_ids:
        if not (is_address(given) or UUID.match(given)):
            raise UsageError(f"{printable(given)} is not an IP address or a floating IP id",
                             "name floating IPs by address (172.24.4.10) or id: osops floating ip list")
    known = list_floating_ips(conn)
    out = []
    for given in addresses_or_ids:
        found = [f for f in known if given in (f.id, f.address)]
        if not found:
            raise NotFound(f"no floating IP {given}", "see them with osops floating ip list")
        if len(found) > 1:  # one address on several external networks
            raise Ambiguous(f"floating IP {given} is ambiguous: {', '.join(f.id for f in found)}", "give its id")
        out.extend(found)
    return out


def delete_floating_ips(conn: Connection, addresses_or_ids: Sequence[str | FloatingIP]) -> list[FloatingIP]:
    """Release floating IPs (addresses, ids or FloatingIP objects; those
    already gone are fine), all named ones found before any is deleted."""
    given = [f for f in addresses_or_ids if isinstance(f, FloatingIP)]
    named = [f for f in addresses_or_ids if not isinstance(f, FloatingIP)]
    doomed = given + (find_floating_ips(conn, named) if named else [])
    for fip in doomed:
        conn.network.delete_ip(fip.id, ignore_missing=True)
    return doomed


def is_address(text: str) -> bool:
    """True when *text* is an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False
