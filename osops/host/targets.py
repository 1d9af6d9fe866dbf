"""Turn servers into addresses to ping, and choose the namespace to ping
each from (``--netns auto``: the network's ``qdhcp-`` or ``qrouter-``
namespace on this host)."""

from osops.errors import UsageError
from osops.host import netns as namespaces
from osops.host.models import Target
from osops.host.ping import default_route_only, parse_address

ADDRESS_TYPES = ("fixed", "floating", "any")
AUTO = "auto"
REPLAYED = "a recorded address (demo or replayed cloud), not a real server: not pinged"
ROUTER_OWNERS = ("network:router_interface", "network:router_interface_distributed",
                 "network:ha_router_replicated_interface")


def address_targets(addresses, netns=None):
    """Targets for addresses given as they are (validated)."""
    if netns == AUTO:
        raise UsageError("--netns auto needs servers to find their networks: name a namespace "
                         "for --address targets")
    return [Target(address=parse_address(a), netns=netns) for a in addresses]


def server_targets(conn, servers, address_type="any", netns=None):
    """One target per address of *type* of each of *servers*
    (:class:`~osops.models.Server`), IPv4 first; a server without such an
    address is a target that fails with that reason.

    *netns* is a namespace name, None (this host), or ``"auto"``: fixed
    addresses are pinged from their network's ``qdhcp-<net id>`` or
    ``qrouter-<router id>`` namespace when this host has one, floating
    ones from here.  A fixed address this host would reach only through
    its default route is not pinged (see
    :func:`~osops.host.ping.default_route_only`), nor is any address of a
    replayed cloud (``conn.osops_replayed``, set by the demo cloud).
    """
    if address_type not in ADDRESS_TYPES:
        raise UsageError(f"--address-type must be one of {', '.join(ADDRESS_TYPES)}, not {address_type!r}")
    chooser = _auto_chooser(conn, servers) if netns == AUTO else None
    targets = []
    for server in servers:
        chosen = sorted((a for a in server.addresses if address_type == "any" or a.type == address_type),
                        key=lambda a: a.version)
        if not chosen:
            kind = "" if address_type == "any" else f"{address_type} "
            targets.append(Target(address="-", server=server.name,
                                  error=f"{server.name} has no {kind}address ({server.status})"))
        for a in chosen:
            ns, note = chooser(a) if chooser else (netns, "")
            if getattr(conn, "osops_replayed", False):
                error = REPLAYED
            else:
                error = default_route_only(a.addr, netns == AUTO) if ns is None and a.type == "fixed" else ""
            targets.append(Target(address=a.addr, server=server.name, netns=ns, note=note, error=error))
    return targets


def _auto_chooser(conn, servers):
    """A function giving (namespace or None, note) for an address; one
    network list call, and one router port list call when a network has
    no qdhcp namespace here."""
    from osops.networks import list_networks

    here = set(namespaces.list_namespaces())
    network_ids = {n.name: n.id for n in list_networks(conn)}
    wanted = {network_ids.get(a.network) for s in servers for a in s.addresses if a.type == "fixed"}
    routers = {}
    if any(f"qdhcp-{n}" not in here for n in wanted if n):
        for port in conn.network.ports(device_owner=list(ROUTER_OWNERS)):
            routers.setdefault(port.network_id, []).append(port.device_id)

    def choose(address):
        if address.type == "floating":
            return None, ""
        net_id = network_ids.get(address.network)
        found = net_id and namespaces.for_network(net_id, routers.get(net_id, ()), here)
        if found:
            return found, ""
        return None, f"no qdhcp- or qrouter- namespace for network {address.network} on this host"

    return choose
