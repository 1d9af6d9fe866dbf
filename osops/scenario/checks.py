"""The cloud checks of ``osops smoke``: token, catalog, compute services,
and choosing the image, flavor and network a test server boots with.

Each is an action ``(ctx, args, step) -> Outcome`` (see
:mod:`osops.scenario.steps`); a check that cannot be made with these
credentials raises :class:`~osops.scenario.results.SkipStep`.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from osops.errors import NotFound, OsopsError
from osops.explain import reason
from osops.flavors import find_flavor, list_flavors, smallest_flavor
from osops.images import NOT_BOOTABLE, find_image, list_images
from osops.networks import choose_network
from osops.scenario.results import FAIL, Outcome, SkipStep
from osops.scenario.template import VALUE, Keys, ListOf

if TYPE_CHECKING:
    from osops.scenario.context import StepContext
    from osops.scenario.schema import Step

GIB = 1024 ** 3
PREFERRED_FLAVOR = "m1.tiny"
ENDPOINT_TIMEOUT = 10

TOKEN = Keys({"user": VALUE, "project": VALUE, "project_id": VALUE, "roles": ListOf(VALUE)})  # what token saves


def token(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    access = _access(ctx.conn)
    roles = ", ".join(sorted(getattr(access, "role_names", []) or [])) or "none"
    scope = f"project {access.project_name}" if access.project_name else "no project"
    return Outcome(detail=f"{access.username} in {scope} (roles: {roles})", value={
        "user": access.username, "project": access.project_name, "project_id": access.project_id,
        "roles": sorted(getattr(access, "role_names", []) or [])})


CATALOG = Keys({"services": ListOf(VALUE), "endpoints": ListOf(VALUE)})  # what catalog saves


def catalog(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    """Needed services present in this region; every endpoint answers an
    unauthenticated GET with an HTTP status below 500."""
    from keystoneauth1 import exceptions as ksa

    region = ctx.conn.config.region_name
    entries = _access(ctx.conn).service_catalog.catalog or []
    endpoints: dict[str, tuple[str, list[str]]] = {}  # url -> (service type, [interfaces])
    types = set()
    for entry in entries:
        kind = entry.get("type", "?")
        for ep in entry.get("endpoints", []):
            if region and ep.get("region_id", ep.get("region")) not in (region, None):
                continue
            types.add(kind)
            url = ep.get("url")
            if url:
                endpoints.setdefault(url, (kind, []))[1].append(ep.get("interface", "?"))
    missing = [s for s in args["services"] if s not in types]
    down = []
    for url, (kind, interfaces) in endpoints.items():
        try:
            response = ctx.conn.session.get(url, authenticated=False, raise_exc=False,
                                            timeout=ENDPOINT_TIMEOUT, connect_retries=0)
        except ksa.ConnectionError as exc:
            down.append(f"{kind} {url} ({'/'.join(interfaces)}) does not answer: {reason(exc)}")
            continue
        if response.status_code >= 500:
            down.append(f"{kind} {url} ({'/'.join(interfaces)}) answers HTTP {response.status_code}")
    where = f" of region {region}" if region else ""
    value = {"services": sorted(types), "endpoints": sorted(endpoints)}
    if missing or down:
        problems = [f"no {s} service in the catalog{where}" for s in missing] + down
        return Outcome(FAIL, "; ".join(problems), value=value)
    return Outcome(detail=f"{len(types)} services, {len(endpoints)} endpoints answer: "
                          f"{', '.join(sorted(types))}", value=value)


def compute_services(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    from openstack import exceptions as sdk

    try:
        services = list(ctx.conn.compute.services())
    except sdk.ForbiddenException:
        raise SkipStep("needs admin: the compute service list is admin-only "
                       "(run with an admin cloud, e.g. --os-cloud devstack-admin)") from None
    enabled = [s for s in services if s.status == "enabled"]
    down = [s for s in enabled if s.state != "up"]
    computes = [s for s in enabled if s.binary == "nova-compute" and s.state == "up"]
    shown = ", ".join(f"{s.binary}@{s.host}" for s in services)
    if down:
        return Outcome(FAIL, "down: " + ", ".join(
            f"{s.binary}@{s.host} (last seen {s.updated_at or 'never'})" for s in down), value=shown)
    if not computes:
        return Outcome(FAIL, "no nova-compute service is up and enabled: nothing can run servers",
                       value=shown)
    disabled = [s for s in services if s.status != "enabled"]
    note = f"; disabled: {', '.join(f'{s.binary}@{s.host}' for s in disabled)}" if disabled else ""
    return Outcome(detail=f"{len(enabled)} up: {shown}{note}", value=shown)


def image(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    images = list_images(ctx.conn)
    if args["name"]:
        chosen = args["name"] if not isinstance(args["name"], str) else find_image(ctx.conn, args["name"], images)
    else:
        bootable = [i for i in images if i.bootable]
        if not bootable:
            raise NotFound(f"no bootable image among {len(images)} image(s) ({NOT_BOOTABLE})",
                           "upload one (cirros is the usual choice) or pass --image")
        cirros = [i for i in bootable if "cirros" in i.name.lower()]
        chosen = (max(cirros, key=lambda i: _version_key(i.name)) if cirros
                  else min(bootable, key=lambda i: (i.size or 0, i.name)))
    size = f", {chosen.size / 1024 ** 2:.1f} MB" if chosen.size else ""
    return Outcome(detail=f"{chosen.name} ({chosen.id}{size}, {chosen.disk_format or '?'})", value=chosen)


def flavor(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    flavors = list_flavors(ctx.conn)
    image = args["image"] if not isinstance(args["image"], str) else None
    need = max(1, math.ceil((image.size or 0) / GIB)) if image else 1
    if args["name"]:
        chosen = args["name"] if not isinstance(args["name"], str) else find_flavor(ctx.conn, args["name"], flavors)
    else:
        preferred = [f for f in flavors if f.name == PREFERRED_FLAVOR and f.disk >= need]
        chosen = preferred[0] if preferred else smallest_flavor(flavors, min_disk=need)
        if chosen is None:
            raise NotFound(f"no flavor with a disk of {need} GB or more among {len(flavors)} flavor(s)",
                           "create one or pass --flavor")
    return Outcome(detail=f"{chosen.name} (id {chosen.id}, {chosen.ram} MB, {chosen.disk} GB, "
                          f"{chosen.vcpus} VCPU)", value=chosen)


def network(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    chosen = args["name"] if not isinstance(args["name"], str) else None
    if chosen is None:
        chosen = choose_network(ctx.conn, args["name"] or None)
    if chosen is None:
        raise OsopsError("no usable network (active, not external, this project's or shared)",
                         "create one or pass --network")
    return Outcome(detail=f"{chosen.name} ({chosen.id})", value=chosen)


def _access(conn):
    return conn.session.auth.get_access(conn.session)


def _version_key(name):
    """cirros-0.6.2-x86_64-disk sorts after cirros-0.3.4-x86_64-uec."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name.lower())]

