"""Networks: list them and choose the one a server boots on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from osops.errors import Ambiguous
from osops.models import Network
from osops.resolve import resolve

if TYPE_CHECKING:
    from openstack.connection import Connection


def list_networks(conn: Connection) -> list[Network]:
    """All networks the user can see, as :class:`~osops.models.Network`."""
    return [Network.from_sdk(n) for n in conn.network.networks()]


def find_network(conn: Connection, name_or_id: str, networks: list[Network] | None = None) -> Network:
    """The one network *name_or_id* names, among *networks* (default: one list call)."""
    return resolve("network", name_or_id, list_networks(conn) if networks is None else networks)


def usable_networks(networks: list[Network], project_id: str | None) -> list[Network]:
    """Networks a server of *project_id* can be booted on: active,
    not external, and the project's own or shared."""
    return [n for n in networks
            if n.status == "ACTIVE" and not n.external
            and (n.shared or not project_id or n.project_id == project_id)]


def choose_network(conn: Connection, name_or_id: str | None = None,
                   networks: list[Network] | None = None) -> Network | None:
    """The network to boot on, or None to boot without one.

    With *name_or_id*, that network.  Without one: the only usable network, None
    when there is none, and an :class:`~osops.errors.Ambiguous` error
    listing them when there are several.  *networks*: the list to choose
    from (default: one list call).
    """
    networks = list_networks(conn) if networks is None else networks
    if name_or_id:
        return resolve("network", name_or_id, networks)
    usable = usable_networks(networks, conn.current_project_id)
    if len(usable) > 1:
        listed = ", ".join(f"{n.name} ({n.id})" for n in usable)
        raise Ambiguous(f"several networks could take the server: {listed}", "choose one with --network")
    return usable[0] if usable else None
