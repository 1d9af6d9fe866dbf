"""The region asked for, against the regions in the token's catalog: one
the cloud does not have is an error naming it and the regions there,
before anything is asked of the cloud (as python-openstackclient refuses
it), rather than a list of another region's resources or an endpoint
that cannot be found."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from osops.errors import OsopsError
from osops.settings import origins

if TYPE_CHECKING:
    from keystoneauth1.access import AccessInfo
    from openstack.connection import Connection


class UnknownRegion(OsopsError):
    """The region asked for is not in the cloud's catalog (exit status 1)."""


def catalog_regions(access: AccessInfo) -> list[str]:
    """The regions that endpoints of the token *access*'s catalog are in, sorted."""
    endpoints = access.service_catalog.get_endpoints()
    return sorted({str(ep.get("region_id") or ep.get("region")) for eps in endpoints.values() for ep in eps
                   if isinstance(ep, dict) and (ep.get("region_id") or ep.get("region"))})


def check(conn: Connection, options: Mapping[str, Any] | None = None) -> None:
    """Raise :class:`UnknownRegion` when *conn*'s region is not in its
    token's catalog; nothing without a region or a catalog.  It takes the
    token the first call would take (or the cached one), nothing more.
    *options* are the settings given (the --os-* options), so that the
    message names where the region was set."""
    region = conn.config.region_name
    if not region:
        return
    plugin: Any = conn.session.auth
    access = plugin.get_access(conn.session)
    if not access.has_service_catalog():
        return
    regions = catalog_regions(access)
    if regions and region not in regions:
        where = origins(conn.config, options).get("region_name", "the region")
        if where == "clouds.yaml":
            where = f"region_name of cloud {conn.config.name!r}"
        raise UnknownRegion(f"region {region!r} (from {where}) is not a region of this cloud; "
                            f"its catalog has {', '.join(regions)}",
                            f"set {where} to {_or(regions)}, or leave it out")


def _or(names):
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
