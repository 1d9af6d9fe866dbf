"""All bridges of this host, Linux and Open vSwitch, with their ports tied
to servers; one bridge by name; the bridges of one server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from osops.errors import NotFound
from osops.explain import explain
from osops.host import libvirt, linux_bridge, ovs, ports
from osops.host.models import Bridge

if TYPE_CHECKING:
    from openstack.connection import Connection

    from osops.errors import OsopsError

# What list_bridges could not ask, as it tells on_problem.
OVS, LIBVIRT, CLOUD = "ovs", "libvirt", "cloud"


def list_bridges(conn: Connection | None = None, ovs_db: str | None = None,
                 on_problem: Callable[[str, OsopsError], None] | None = None) -> list[Bridge]:
    """Linux bridges, then Open vSwitch ones, ports tied through *conn*
    (an ``openstack.connection.Connection``, optional) and virsh.

    When Open vSwitch, libvirt or the cloud cannot be asked,
    ``on_problem(source, error)`` is called with which (:data:`OVS`,
    :data:`LIBVIRT` or :data:`CLOUD`) and the one-line
    :class:`~osops.errors.OsopsError`, and the rest is still returned
    (untied, for libvirt and the cloud); without *on_problem* the error is
    raised.  *ovs_db* is ovs-vsctl's ``--db`` (default: its own).
    """
    def problem(source, exc):
        if on_problem is None:
            raise exc
        on_problem(source, exc)

    bridges = linux_bridge.list_bridges()
    try:
        bridges += ovs.list_bridges(ovs_db)
    except ovs.OvsError as exc:
        problem(OVS, exc)
    try:
        domains = ports.libvirt_domains(bridges)
    except libvirt.VirshError as exc:
        problem(LIBVIRT, exc)
        domains = {}
    try:
        return ports.tie(bridges, conn, domains)
    except Exception as exc:  # the cloud's errors, made one line
        from osops.cloud import error_context

        problem(CLOUD, explain(exc, **error_context(conn)))
        return ports.tie(bridges, None, domains)


def find_bridge(bridges: list[Bridge], name: str) -> Bridge:
    """The bridge called *name*; NotFound naming the bridges there are."""
    for bridge in bridges:
        if bridge.name == name:
            return bridge
    names = ", ".join(b.name for b in bridges) or "none"
    raise NotFound(f"no bridge {name} on this host (bridges: {names})")


def of_server(bridges: list[Bridge], server: str) -> list[Bridge]:
    """The bridges with ports of *server* (a name or id), with only those ports."""
    mine = [replace(b, ports=tuple(p for p in b.ports if server in (p.owner, p.server_id) and p.owner))
            for b in bridges]
    return [b for b in mine if b.ports]
