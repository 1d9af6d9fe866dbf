"""Turn servers into addresses to ping, and choose the namespace to ping
each from (``--netns auto``: the network's ``qdhcp-``, ``ovnmeta-`` or
``qrouter-`` namespace on this host; for a floating IP, this host when it
has a route to it, else a namespace on the external network's subnet)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from osops.errors import UsageError
from osops.host import commands
from osops.host import netns as namespaces
from osops.host.models import Target
from osops.host.ping import default_route_only, parse_address

if TYPE_CHECKING:
    from openstack.connection import Connection

    from osops.models import Server

ADDRESS_TYPES = ("fixed", "floating", "any")
log = logging.getLogger("osops.ping")
AUTO = "auto"
CLOUD_NAMESPACES = ("qdhcp-", "ovnmeta-", "qrouter-")  # a network's namespaces on a network node
REPLAYED = "a recorded address (demo or replayed cloud), not a real server: not pinged"
ROUTER_OWNERS = ("network:router_interface", "network:router_interface_distributed",
                 "network:ha_router_replicated_interface")
IDS_PER_PORT_LIST = 100  # server ids per port list call: a 4.7 kB query, within 8 kB request-line limits


def address_targets(addresses: Iterable[str], netns: str | None = None) -> list[Target]:
    """Targets for addresses given as they are (validated), pinged from
    namespace *netns* (None: this host)."""
    if netns == AUTO:
        raise UsageError("--address targets cannot use --netns auto", "name a namespace with --netns NS")
    return [Target(address=parse_address(a), netns=netns) for a in addresses]


def server_targets(conn: Connection | None, servers: Sequence[Server], address_type: str = "any",
                   netns: str | None = None) -> list[Target]:
    """One target per address of *address_type* (any, fixed, floating) of each of *servers*
    (:class:`~osops.models.Server`), IPv4 first; a server without such an
    address is a target that fails with that reason.

    *netns* is a namespace name, None (this host), or ``"auto"``: fixed
    addresses are pinged from their network's ``qdhcp-<net id>``,
    ``ovnmeta-<net id>`` or ``qrouter-<router id>`` namespace when this
    host has one; floating ones from here, unless only the default route
    leads to them and a namespace here has an address on their subnet (the
    outside of the external network, as on a one-host cloud): then from
    there.  A fixed address this host would reach only through its default
    route is not pinged (see
    :func:`~osops.host.ping.default_route_only`), nor is any address of a
    replayed cloud (``conn.osops_replayed``, set by the demo cloud), for
    which the cloud is not asked for ports either.
    """
    if address_type not in ADDRESS_TYPES:
        raise UsageError(f"--address-type must be one of {', '.join(ADDRESS_TYPES)}, not {address_type!r}")
    chosen = {s.id: sorted((a for a in s.addresses if address_type == "any" or a.type == address_type),
                           key=lambda a: a.version) for s in servers}
    replayed = getattr(conn, "osops_replayed", False)
    chooser = fallback = None
    if netns == AUTO and not replayed:
        chooser = _auto_chooser(conn, [(s, a) for s in servers for a in chosen[s.id]])
    elif netns is None and not replayed and conn is not None:
        fallback = _unrouted_chooser(conn, [(s, a) for s in servers for a in chosen[s.id]])
    targets = []
    for server in servers:
        if not chosen[server.id]:
            kind = "" if address_type == "any" else f"{address_type} "
            targets.append(Target(address="-", server=server.name,
                                  error=f"{server.name} has no {kind}address ({server.status})"))
        for a in chosen[server.id]:
            ns, note = chooser(server, a) if chooser else (None if netns == AUTO else netns, "")
            if fallback:
                ns, note = fallback(server, a)
            if replayed:
                error, note = REPLAYED, ""  # not pinged from anywhere: this host's namespaces do not matter
            else:
                error = default_route_only(a.addr, netns == AUTO) if ns is None and a.type == "fixed" else ""
                if server.status != "ACTIVE":  # why a SUSPENDED or SHUTOFF server is silent
                    note = "; ".join(filter(None, (note, f"{server.name} is {server.status}")))
            targets.append(Target(address=a.addr, server=server.name, netns=ns, note=note, error=error))
    return targets


def _unrouted_chooser(conn, pairs):
    """With no --netns: for the fixed addresses of *pairs* this host has no
    route to (only its default route), the namespace --netns auto would
    take, when this host has one of the cloud's; (namespace or None, note
    saying so) per (server, address).  None when no address needs it (no
    cloud call then)."""
    unrouted = {(s.id, a.addr) for s, a in pairs if a.type == "fixed" and default_route_only(a.addr)}
    if not unrouted or not any(n.startswith(CLOUD_NAMESPACES) for n in namespaces.list_namespaces()):
        return None
    try:
        auto = _auto_chooser(conn, [(s, a) for s, a in pairs if (s.id, a.addr) in unrouted])
    except Exception as exc:  # a help, not a need: without it the address is refused as before
        log.debug("no namespace chosen by itself: %s", exc)
        return None

    def choose(server, address):
        if (server.id, address.addr) not in unrouted:
            return None, ""
        ns, _why = auto(server, address)
        return (ns, f"from {ns}: this host has no route to {address.addr}") if ns else (None, "")

    return choose


def _auto_chooser(conn, pairs):
    """A function giving (namespace or None, note) for a (server, address)
    of *pairs*.  A fixed address's network is the one of the server's port
    with its MAC (one port list call per 100 servers), else the one
    network of its name (a network list call, only then); one router port
    list call when a network has no qdhcp or ovnmeta namespace here and
    a qrouter- namespace is here."""
    from osops.networks import list_networks

    here = set(namespaces.list_namespaces())
    fixed = [(s, a) for s, a in pairs if a.type == "fixed"]
    by_port = {}
    ids = sorted({s.id for s, _a in fixed})
    for start in range(0, len(ids), IDS_PER_PORT_LIST):
        for port in conn.network.ports(device_id=ids[start:start + IDS_PER_PORT_LIST]):
            by_port[(port.device_id, port.mac_address)] = port.network_id
    by_name: dict[str, list[str]] = {}
    if any((s.id, a.mac) not in by_port for s, a in fixed):
        for n in list_networks(conn):
            by_name.setdefault(n.name, []).append(n.id)

    def network_of(server, address):
        """(network id or None, why not)."""
        if (server.id, address.mac) in by_port:
            return by_port[server.id, address.mac], ""
        ids = by_name.get(address.network, [])
        if len(ids) > 1:
            return None, (f"several networks are called {address.network} and no port of {server.name} "
                          "says which: name the namespace with --netns")
        return (ids[0] if ids else None), ""

    wanted = {network_of(s, a)[0] for s, a in fixed} - {None}
    routers: dict[str, list[str]] = {}
    # router ports only help where this host has a router's namespace
    if any(n.startswith("qrouter-") for n in here) and any(
            f"qdhcp-{n}" not in here and f"ovnmeta-{n}" not in here for n in wanted):
        for port in conn.network.ports(device_owner=list(ROUTER_OWNERS)):
            routers.setdefault(port.network_id, []).append(port.device_id)

    def choose(server, address):
        if address.type == "floating":
            if not default_route_only(address.addr):
                return None, ""
            return namespaces.on_subnet_of(address.addr, sorted(here), _output), ""
        net_id, why = network_of(server, address)
        found = net_id and namespaces.for_network(net_id, routers.get(net_id, ()), here)
        if found:
            return found, ""
        return None, why or f"no qdhcp-, ovnmeta- or qrouter- namespace for network {address.network} on this host"

    return choose


def _output(argv):
    done = commands.run(argv, timeout=10, check=False)
    return done.stdout if done.returncode == 0 else ""
