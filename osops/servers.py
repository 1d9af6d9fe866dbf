"""Servers: list, find, boot, wait, suspend, resume, delete."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

from osops import flavors, images, raw_list
from osops import wait as waiting
from osops.errors import OsopsError, UsageError, printable
from osops.models import Flavor, Image, Network, SecurityGroup, Server
from osops.resolve import resolve_many

LOG = logging.getLogger("osops")
BOOT_MICROVERSION = "2.37"  # the first that allows networks "none"
DEFAULT_TIMEOUT = 300
RUN_TAG = "osops-run"  # the metadata key of smoke's and scenario runs' servers

if TYPE_CHECKING:
    from openstack.connection import Connection

    from osops.boot_options import Nic

# on_change(server id, the server as now seen or None once it is gone, its
# status before (None the first time it is seen), seconds since the wait began)
OnChange = Callable[[str, "Server | None", "str | None", float], None]
# what boot does when a server of the name exists: boot without looking, warn, or refuse
NameTaken = Literal["boot", "warn", "refuse"]


def list_servers(conn: Connection, all_projects: bool = False, **filters: Any) -> list[Server]:
    """Servers as :class:`~osops.models.Server`, one request per page.

    *filters* are Nova's list filters (``status``, ``name`` as a regex,
    ``reservation_id`` ...).
    """
    return _list(conn, all_projects, (), filters)


def get_server(conn: Connection, server_id: str) -> Server:
    """One server by id (a single GET); openstacksdk's NotFoundException
    when Nova has none."""
    return Server.from_api(raw_list.get_one(conn.compute, f"/servers/{server_id}", "server", _microversion(conn)))


def find_servers(conn: Connection, names_or_ids: Sequence[str], all_projects: bool = False) -> list[Server]:
    """Resolve several names or ids.  Names that are each exactly one
    server's name take one list call filtered by that name, or by their
    common prefix (see :func:`_name_filter`); otherwise
    (an id, a prefix, a name two servers share, none) one list of all,
    with no page after the one where the last of them was seen as an id."""
    return (_exact_names(conn, names_or_ids, all_projects)
            or resolve_many("server", names_or_ids, _list(conn, all_projects, names_or_ids, {})))


def find_server(conn: Connection, name_or_id: str, all_projects: bool = False) -> Server:
    """The one server *name_or_id* names."""
    return find_servers(conn, [name_or_id], all_projects)[0]


def same_name(conn: Connection, name: str, count: int = 1) -> list[Server]:
    """The servers already called *name* (or, for *count* > 1, ``NAME-N``
    as Nova names several), one list call."""
    wanted = re.escape(name) + ("" if count == 1 else "-[0-9]+")
    pattern = f"^{wanted}$" if "|" not in name else _name_filter([name], exact=False)
    return [s for s in list_servers(conn, name=pattern) if re.fullmatch(wanted, s.name)]


def _name_filter(names: Sequence[str], exact: bool = True) -> str | None:
    """A regex for Nova's ``name`` filter that each of *names* matches:
    ``^name$`` for one name (with *exact*), else their common prefix
    (``^web\\-``); None when they have none.  It may match more (Nova
    ignores case on MySQL): callers compare names themselves.  Nova
    escapes "|" on MySQL, so no alternation, and nothing after a "|"."""
    if not names or not all(names):
        return None
    distinct = sorted(set(names))
    if exact and len(distinct) == 1 and "|" not in distinct[0]:
        return f"^{re.escape(distinct[0])}$"
    prefix = os.path.commonprefix(distinct).split("|")[0]
    return f"^{re.escape(prefix)}" if prefix else None


def boot(conn: Connection, name: str | None = None, *, image: str | Image, flavor: str | Flavor,
         network: str | Network | None = None, networks: Sequence[str | Network] = (),
         nics: Sequence[Nic | str] = (), key_name: str | None = None, count: int = 1,
         security_groups: Sequence[str | SecurityGroup] | None = None, user_data: bytes | str | None = None,
         availability_zone: str | None = None, config_drive: bool = False,
         metadata: dict[str, str] | None = None, name_taken: NameTaken = "boot", wait: bool = True,
         timeout: float = DEFAULT_TIMEOUT, on_change: OnChange | None = None,
         on_booted: Callable[[list[Server]], None] | None = None, keep: bool = False,
         run_id: str | None = None, wait_for: str = "active") -> list[Server]:
    """Boot *count* servers and return them (ACTIVE when *wait*).

    Keywords:

    - *name*: the server's name (default ``osops-<run id>``); several
      servers get Nova's names ``NAME-1`` ... ``NAME-N``.
    - *image*, *flavor*: names, ids or model objects; names are resolved
      with one list call each.
    - *network*, *networks*: a network, or several (names, ids or
      models), one NIC on each, in order.  With neither and no *nics*, the
      only usable network is taken; with none at all the server boots
      without a network, and a warning says so.
    - *nics*: NICs after those of *networks*, each a
      :class:`~osops.boot_options.Nic` or ``--nic``'s text
      (``net-id=NET,v4-fixed-ip=IP``, ``port-id=PORT``).
    - *key_name*: the keypair to inject (resolved by the name rule).
    - *count*: how many servers (one create call).
    - *security_groups*: names, ids or models (default: the project's
      ``default``); names and ids are resolved with one list call among
      the project's own and shared groups.
    - *user_data*: the user data itself (bytes or text, not a file name:
      see :func:`osops.boot_options.read_user_data`), at most 65535
      characters in base64.
    - *availability_zone*: ``ZONE`` or ``ZONE:HOST`` (a host: admins only).
    - *config_drive*: give the servers a config drive.
    - *metadata*: the servers' metadata.
    - *name_taken*: when a server of that name exists already (one list
      call by name, made only when *name* is given and this is not
      ``"boot"``): ``"warn"`` logs a warning naming them and boots,
      ``"refuse"`` raises :class:`~osops.errors.OsopsError` naming them.
    - *wait*, *timeout*: wait up to *timeout* seconds until ACTIVE.
    - *wait_for*: with *wait*, wait past ACTIVE (within the same
      *timeout*) until they answer ``ping``, ``ssh`` or show a ``login``
      prompt on the console (see :func:`osops.readiness.wait_ready`).
    - *on_change*: ``on_change(server_id, server, old_status, elapsed)``
      at each status change during the wait (see :data:`OnChange`).
    - *on_booted*: ``on_booted(servers)`` as soon as they are first
      listed, before the wait: the servers to clean up if the caller
      stops waiting.
    - *keep*: keep what was created when the boot fails (default: delete it).
    - *run_id*: the id tagging the servers (default: a new one).

    Bad input (a *nics* entry, the zone, user data too big) is a
    :class:`~osops.errors.UsageError` before any call.  For a boot that
    is always cleaned up, see :func:`booted`.

    Each server carries ``osops-boot=<run id>`` in its metadata (unless
    *metadata* has a smoke or scenario run's tag).  The create call is
    sent once (see :func:`osops.booting.create`).  When the boot fails or
    is interrupted after it, what it created is deleted (unless *keep*:
    then the caller cleans up) and the error says so, or names each server
    it could not delete and the command that will.
    """
    from osops import boot_options, booting, readiness

    if count < 1:
        raise UsageError(f"--count must be 1 or more, not {count}")
    if readiness.check_wait_for(wait_for) != "active" and not wait:
        raise UsageError(f"--wait-for {wait_for} needs the wait", "leave out --no-wait")
    checked, fields = boot_options.checked_fields(nics=nics, user_data=user_data,
                                                  availability_zone=availability_zone, config_drive=config_drive)
    began = time.monotonic()
    run_id = run_id or uuid.uuid4().hex[:8]
    given_name, name = name, name or f"osops-{run_id}"
    image = image if isinstance(image, Image) else images.find_image(conn, image)
    flavor = flavor if isinstance(flavor, Flavor) else flavors.find_flavor(conn, flavor)
    fields.update(boot_options.resolved_fields(
        conn, networks=[network, *networks] if network else networks, nics=checked, key_name=key_name,
        security_groups=security_groups or ()))
    if fields["networks"] == "none":
        LOG.warning("no usable network: booting %s without one (networks=none)", name)
    if given_name and name_taken != "boot":
        _check_name(conn, name, count, name_taken)
    metadata = dict(metadata or {})
    tag = next(((k, v) for k, v in metadata.items() if k == RUN_TAG), None) or (booting.TAG, run_id)
    metadata.setdefault(*tag)
    body = {"name": name, "imageRef": image.id, "flavorRef": flavor.id,
            "min_count": count, "max_count": count, "return_reservation_id": True, **fields, "metadata": metadata}
    with booting.Undo(conn, name, tag, keep) as undo:
        booted, reservation = booting.create(conn, body, tag, BOOT_MICROVERSION, undo)
        undo.created(booted)
        if on_booted:
            on_booted(booted)
        if wait:
            booted = wait_for_status(conn, booted, "ACTIVE", timeout, on_change, reservation_id=reservation)
            waited = time.monotonic() - began
            booted = readiness.wait_ready(conn, booted, wait_for, max(timeout - waited, 0.0), on_change,
                                          kept=keep, waited=waited)
    return booted


def _check_name(conn: Connection, name: str, count: int, name_taken: NameTaken) -> None:
    """Warn of, or refuse (*name_taken* "refuse"), the servers already called *name*."""
    taken = same_name(conn, name, count)
    if not taken:
        return
    listed = ", ".join(f"{printable(s.name)} ({s.id}, {s.status})" for s in taken)
    if name_taken == "refuse":
        raise OsopsError(f"--unique: a server called {printable(name)} exists already: {listed}",
                         "choose another name, or delete it first (osops delete ... --wait)")
    LOG.warning("a server called %s exists already: %s; booting another of that name (--unique refuses)",
                printable(name), listed)


def wait_for(conn: Connection, servers: Sequence[Server], done: Callable[[Server | None], bool],
             timeout: float = DEFAULT_TIMEOUT, on_change: OnChange | None = None,
             fail_on_error: bool | Callable[[Server], bool] = True,
             reservation_id: str | None = None) -> list[Server | None]:
    """Poll until ``done(server)`` holds for each of *servers*, one request
    per round (a GET for one server, a list for several); return them as
    last seen, None for one that is gone.  See :func:`osops.wait.wait`.

    With the *reservation_id* of the boot that has just listed *servers*,
    that list counts as the first round, and later rounds list only the
    reservation's servers.
    """
    first = {s.id: s for s in servers} if reservation_id else None
    last = waiting.wait(_fetcher(conn, servers, reservation_id), [s.id for s in servers], done, timeout,
                        on_change, fail_on_error, first=first)
    return [last.get(s.id) for s in servers]


def wait_for_status(conn: Connection, servers: Sequence[Server], status: str, timeout: float = DEFAULT_TIMEOUT,
                    on_change: OnChange | None = None, reservation_id: str | None = None) -> list[Server]:
    """Wait until every server in *servers* has *status*; return them."""
    done = wait_for(conn, servers, lambda s: s is not None and s.status == status, timeout, on_change,
                    reservation_id=reservation_id)
    return cast("list[Server]", done)  # none is None: each has the status


def wait_until_gone(conn: Connection, servers: Sequence[Server], timeout: float = DEFAULT_TIMEOUT,
                    on_change: OnChange | None = None) -> None:
    """Wait until every server in *servers* is deleted.  One that goes to
    ERROR and is no longer being deleted ends the wait with Nova's fault
    (one already in ERROR while Nova deletes it is fine).  *on_change*
    hears of a deleted server as gone (``server`` None), whether Nova no
    longer lists it or lists it DELETED."""
    def gone_as_none(server_id: str, server: Server | None, old: str | None, elapsed: float) -> None:
        if on_change and old != "DELETED":  # a server listed DELETED, then not at all, is gone once
            on_change(server_id, None if server is not None and server.status == "DELETED" else server, old, elapsed)

    wait_for(conn, servers, lambda s: s is None or s.status == "DELETED", timeout,
             gone_as_none if on_change else None, fail_on_error=lambda s: s.task_state != "deleting")


def suspend(conn: Connection, servers: Sequence[Server], wait: bool = False, timeout: float = DEFAULT_TIMEOUT,
            on_change: OnChange | None = None) -> list[Server]:
    """Suspend *servers*; with *wait*, return them SUSPENDED."""
    return _act(conn, servers, conn.compute.suspend_server, "SUSPENDED", wait, timeout, on_change)


def resume(conn: Connection, servers: Sequence[Server], wait: bool = False, timeout: float = DEFAULT_TIMEOUT,
           on_change: OnChange | None = None) -> list[Server]:
    """Resume *servers*; with *wait*, return them ACTIVE."""
    return _act(conn, servers, conn.compute.resume_server, "ACTIVE", wait, timeout, on_change)


def delete(conn: Connection, servers: Sequence[Server], wait: bool = False, timeout: float = DEFAULT_TIMEOUT,
           on_change: OnChange | None = None) -> None:
    """Delete *servers*; with *wait*, return once they are gone.

    A server already gone is fine: *on_change* hears of it at once
    (``server`` None, as a wait reports a server that went away).
    """
    from openstack.exceptions import NotFoundException

    pending = []
    for server in servers:
        try:
            conn.compute.delete_server(server.id, ignore_missing=False)
            pending.append(server)
        except NotFoundException:
            if on_change:
                on_change(server.id, None, server.status, 0.0)
    if wait and pending:
        wait_until_gone(conn, pending, timeout, on_change)


@contextlib.contextmanager
def booted(conn: Connection, name: str | None = None, *, timeout: float = DEFAULT_TIMEOUT,
           **boot_options: Any) -> Iterator[list[Server]]:
    """Boot servers as :func:`boot` does (same keywords) and yield them;
    on leaving the block, however it is left (an error, a timeout, Ctrl-C),
    delete every server the boot created and wait up to *timeout* seconds
    until they are gone::

        with servers.booted(conn, "web", image="cirros", flavor="m1.tiny") as (web,):
            ...
    """
    made: list[Server] = []
    heard = boot_options.pop("on_booted", None)

    def on_booted(servers: list[Server]) -> None:
        made.extend(servers)
        if heard:
            heard(servers)

    try:
        yield boot(conn, name, timeout=timeout, on_booted=on_booted, **boot_options)
    finally:
        if made:
            delete(conn, made, wait=True, timeout=timeout)


def _list(conn: Connection, all_projects: bool, until_ids: Sequence[str], filters: dict[str, Any]) -> list[Server]:
    query = {"all_tenants" if k == "all_projects" else k: v for k, v in filters.items() if v is not None}
    if all_projects:
        query["all_tenants"] = True
    listed = raw_list.pages(conn.compute, "/servers/detail", "servers", query, _microversion(conn))
    return [Server.from_api(row) for row in raw_list.rows(listed, until_ids)]


def _exact_names(conn: Connection, queries: Sequence[str], all_projects: bool) -> list[Server] | None:
    """The servers *queries* name, when each is exactly one server's name,
    from one list narrowed by :func:`_name_filter`; None when that does not
    settle it, or when a query may be an id (a UUID: ids come first)."""
    if not queries or any(not isinstance(q, str) or images.UUID.match(q) for q in queries):
        return None
    pattern = _name_filter(queries)
    if pattern is None:
        return None
    named: dict[str, list[Server]] = {}
    for server in _list(conn, all_projects, (), {"name": pattern}):
        named.setdefault(server.name, []).append(server)
    if any(len(named.get(q, ())) != 1 for q in queries):
        return None
    return [named[q][0] for q in queries]


def _microversion(conn: Connection) -> str | None:
    """The microversion openstacksdk asks server calls at (the highest both know)."""
    from openstack.compute.v2.server import Server as SDKServer

    return SDKServer._get_microversion(conn.compute)


def _act(conn: Connection, servers: Sequence[Server], action: Callable[[str], Any], status: str, wait: bool,
         timeout: float, on_change: OnChange | None) -> list[Server]:
    for server in servers:
        action(server.id)
    if wait:
        return wait_for_status(conn, servers, status, timeout, on_change)
    return list(servers)


def _fetcher(conn: Connection, servers: Sequence[Server],
             reservation_id: str | None = None) -> Callable[[], dict[str, Server]]:
    """One request per poll round, whatever the number of servers: a GET
    of the one server, or a list of the reservation's servers, or of
    those :func:`_name_filter` lets through (a server renamed meanwhile
    looks gone), or of all the project's."""
    if len(servers) == 1:
        sid = servers[0].id

        def fetch_one() -> dict[str, Server]:
            from openstack.exceptions import NotFoundException

            try:
                return {sid: get_server(conn, sid)}
            except NotFoundException:
                return {}

        return fetch_one
    filters: dict[str, Any]
    if reservation_id:
        filters = {"reservation_id": reservation_id}
    else:
        filters = {"all_projects": any(s.project_id and s.project_id != conn.current_project_id for s in servers)}
        pattern = _name_filter([s.name for s in servers])
        if pattern:
            filters["name"] = pattern

    def fetch_all() -> dict[str, Server]:
        return {s.id: s for s in list_servers(conn, **filters)}

    return fetch_all
