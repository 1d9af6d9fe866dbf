"""Tie bridge ports to what they belong to.

Neutron names a port's devices after the first 11 characters of its id
(``tap3f2a1b4c-9d``, ``qvo…``, ``qvb…``) and Open vSwitch keeps the whole
id in ``external_ids:iface-id``; the Neutron port's ``device_id`` is then
the server.  ``vnetN`` devices are libvirt's, found through virsh.  The
cloud is asked twice at most, whatever the number of ports: one port list
and one server list.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from osops.host import libvirt
from osops.host.models import Bridge

if TYPE_CHECKING:
    from openstack.connection import Connection

NEUTRON_PREFIXES = ("tap", "qvo", "qvb")
ID_PREFIX_LEN = 11
VNET = re.compile(r"vnet\d+$")


def port_id_prefix(ifname: str) -> str:
    """The Neutron port id prefix in a device name, or ''."""
    if ifname[:3] in NEUTRON_PREFIXES and len(ifname) == 3 + ID_PREFIX_LEN:
        return ifname[3:]
    return ""


def tie(bridges: list[Bridge], conn: Connection | None,
        domains: dict[str, tuple[str, str]]) -> list[Bridge]:
    """*bridges* with each port's ``owner`` (and ``port_id``, ``server_id``)
    filled in where it can be known.

    Without *conn* (None), Neutron-named ports stay untied (owner '').
    *domains* is :func:`libvirt_domains`'s map.
    """
    all_ports = [p for b in bridges for p in b.ports]
    neutron = {}
    if conn is not None and any(p.iface_id or port_id_prefix(p.name) for p in all_ports):
        neutron = _neutron_ports(conn, all_ports)
    servers = _server_names(conn, neutron.values(), domains) if conn is not None else {}
    asked = conn is not None
    return [replace(b, ports=tuple(_tie_port(p, neutron, servers, domains, asked) for p in b.ports))
            for b in bridges]


def libvirt_domains(bridges: list[Bridge]) -> dict[str, tuple[str, str]]:
    """:func:`osops.host.libvirt.interfaces` when a port of *bridges* looks
    like libvirt's, else {} without running virsh."""
    return libvirt.interfaces() if any(VNET.match(p.name) for b in bridges for p in b.ports) else {}


def _neutron_ports(conn, all_ports):
    """{bridge port name: Neutron port} from one port list call."""
    listed = list(conn.network.ports())
    by_id = {p.id: p for p in listed}
    found = {}
    for port in all_ports:
        prefix = port_id_prefix(port.name)
        match = by_id.get(port.iface_id) or next(
            (p for p in listed if prefix and p.id.startswith(prefix)), None)
        if match is not None:
            found[port.name] = match
    return found


def _server_names(conn, neutron_ports, domains):
    """{server id: name} from one server list call, of every project when
    one of the ports belongs to another project."""
    from osops.servers import list_servers

    wanted = {p.device_id for p in neutron_ports if (p.device_owner or "").startswith("compute:")}
    wanted |= {uuid for _name, uuid in domains.values()}
    if not wanted:
        return {}
    others = any(p.project_id and p.project_id != conn.current_project_id for p in neutron_ports)
    return {s.id: s.name for s in list_servers(conn, all_projects=others)}


def _tie_port(port, neutron, servers, domains, asked):
    if port.name in neutron:
        np = neutron[port.name]
        if (np.device_owner or "").startswith("compute:"):
            return replace(port, owner=servers.get(np.device_id, np.device_id), port_id=np.id,
                           server_id=np.device_id)
        return replace(port, owner=np.device_owner or "no device", port_id=np.id)
    if port.name in domains:
        name, uuid = domains[port.name]
        return replace(port, owner=servers.get(uuid, name), server_id=uuid if uuid in servers else "")
    if VNET.match(port.name):
        return replace(port, owner="unknown")
    if asked and (port.iface_id or port_id_prefix(port.name)):
        return replace(port, owner="no Neutron port")
    return port
