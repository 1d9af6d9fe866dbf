"""Flavors: list them and find the one a name or id means."""

from __future__ import annotations

from typing import TYPE_CHECKING

from osops import raw_list
from osops.models import Flavor
from osops.resolve import resolve

if TYPE_CHECKING:
    from openstack.connection import Connection


def list_flavors(conn: Connection, until_id: str | None = None) -> list[Flavor]:
    """All flavors the user can see (public and, for an admin, private
    ones), as :class:`~osops.models.Flavor`, one request per page; with
    *until_id*, no page after the one holding that id."""
    from openstack.compute.v2.flavor import Flavor as SDKFlavor

    # is_public=None: every flavor (ternary: None means all), as openstacksdk asks
    listed = raw_list.pages(conn.compute, "/flavors/detail", "flavors", {"is_public": "None"},
                            SDKFlavor._get_microversion(conn.compute))
    return [Flavor.from_api(row) for row in raw_list.rows(listed, [until_id] if until_id else ())]


def find_flavor(conn: Connection, name_or_id: str, flavors: list[Flavor] | None = None) -> Flavor:
    """The one flavor *name_or_id* names (``1`` and ``m1.tiny`` both work)."""
    return resolve("flavor", name_or_id, list_flavors(conn, name_or_id) if flavors is None else flavors)


def smallest_flavor(flavors: list[Flavor], min_disk: int = 0, min_ram: int = 0) -> Flavor | None:
    """The flavor with the least RAM that still fits, or None."""
    fits = [f for f in flavors if f.disk >= min_disk and f.ram >= min_ram]
    return min(fits, key=lambda f: (f.ram, f.vcpus, f.disk), default=None)
