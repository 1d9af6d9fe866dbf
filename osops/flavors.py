"""Flavors: list them and find the one a name or id means."""

from osops.models import Flavor
from osops.resolve import resolve


def list_flavors(conn):
    """All flavors the user can see, as :class:`~osops.models.Flavor`."""
    return [Flavor.from_sdk(f) for f in conn.compute.flavors(details=True)]


def find_flavor(conn, name_or_id, flavors=None):
    """The one flavor *name_or_id* names (``1`` and ``m1.tiny`` both work)."""
    return resolve("flavor", name_or_id, list_flavors(conn) if flavors is None else flavors)


def smallest_flavor(flavors, min_disk=0, min_ram=0):
    """The flavor with the least RAM that still fits, or None."""
    fits = [f for f in flavors if f.disk >= min_disk and f.ram >= min_ram]
    return min(fits, key=lambda f: (f.ram, f.vcpus, f.disk), default=None)
