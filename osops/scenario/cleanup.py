"""Find and remove what scenario runs and boots created.

Every server a run boots carries the metadata ``osops-run=<run id>`` and
a name ``osops-<run id>-...``; every server ``osops boot`` creates
carries ``osops-boot=<run id>``.  Nova cannot filter a server list on
metadata, so one list call is made and filtered here.  A smoke or
scenario run's security group is ``osops-<run id>-sg``, described as
``osops run <run id>: ...``, and so is a floating IP it allocates; its
keypairs are ``osops-<run id>-NAME``, their public keys' comment
``osops run <run id>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from osops import keypairs as keypair_ops
from osops import security_groups, servers
from osops.booting import TAG as BOOT_TAG
from osops.errors import UsageError

if TYPE_CHECKING:
    from openstack.connection import Connection

    from osops.models import FloatingIP, Keypair, SecurityGroup, Server

TAG = servers.RUN_TAG


def check_run_id(run_id: object) -> str:
    """*run_id*, or UsageError when it is not one a run could have."""
    if not (isinstance(run_id, str) and 4 <= len(run_id) <= 20 and run_id.isalnum()
            and run_id.isascii() and run_id == run_id.lower()):
        raise UsageError(f"a run id is 4 to 20 lower-case letters and digits, not {run_id!r}")
    return run_id


def check_which(run_id: str | None = None, all_runs: bool = False, boots: bool = False) -> None:
    """UsageError unless a well-formed *run_id*, *all_runs* or *boots* says
    whose servers to look for."""
    if run_id:
        check_run_id(run_id)
    elif not (all_runs or boots):
        raise UsageError("say which run: --run ID (the id a smoke, scenario or boot run printed), --all "
                         "(every smoke and scenario run) or --boots (every osops boot)")


def run_of(server: Server) -> str:
    """The id of the run or boot that tagged *server* ('' for none)."""
    return server.metadata.get(TAG) or server.metadata.get(BOOT_TAG) or ""


def tagged(conn: Connection, run_id: str | None = None, all_runs: bool = False, all_projects: bool = False,
           boots: bool = False) -> list[Server]:
    """Servers tagged by run or boot *run_id* (or by any smoke or scenario
    run with *all_runs*, by any boot with *boots*), from one server list
    call."""
    check_which(run_id, all_runs, boots)
    found = servers.list_servers(conn, all_projects=all_projects)
    if run_id:
        return [s for s in found if run_id in (s.metadata.get(TAG), s.metadata.get(BOOT_TAG))]
    return [s for s in found if (all_runs and TAG in s.metadata) or (boots and BOOT_TAG in s.metadata)]


def group_name(run_id: str) -> str:
    """The name of the security group run *run_id* boots its servers in."""
    return f"osops-{run_id}-sg"


def groups(conn: Connection, run_id: str | None = None, all_runs: bool = False,
           found: Sequence[Server] = ()) -> list[SecurityGroup]:
    """The security groups of run *run_id* (or of any smoke or scenario run
    with *all_runs*), one list call; [] with neither, or when the servers
    *found* of *run_id* are all a boot's (a boot makes no group)."""
    if run_id:
        if found and not any(TAG in s.metadata for s in found):
            return []
        return security_groups.find_groups(conn, group_name(check_run_id(run_id)))
    if not all_runs:
        return []
    return [g for g in security_groups.find_groups(conn, None)
            if g.name.startswith("osops-") and g.name.endswith("-sg") and g.description.startswith("osops run ")]


def keypair_comment(run_id: str) -> str:
    """The comment of the public key of a keypair run *run_id* makes."""
    return f"osops run {run_id}"


def keypairs(conn: Connection, run_id: str | None = None, all_runs: bool = False,
             found: Sequence[Server] = ()) -> list[Keypair]:
    """The keypairs of run *run_id* (of any smoke or scenario run with
    *all_runs*), by name and public key comment, one list call; [] with
    neither, or when the servers *found* of *run_id* are all a boot's."""
    if run_id:
        if found and not any(TAG in s.metadata for s in found):
            return []
        check_run_id(run_id)
        ours = re.compile(re.escape(f" {keypair_comment(run_id)}") + "$")
    elif all_runs:
        ours = re.compile(r" osops run [0-9a-z]{4,20}$")
    else:
        return []
    return [k for k in keypair_ops.list_keypairs(conn) if k.name.startswith("osops-") and ours.search(k.public_key)]


def floating_ip_description(run_id: str, server_name: str) -> str:
    """The description of a floating IP run *run_id* allocates for *server_name*."""
    return f"osops run {run_id}: floating IP of {server_name}"


def floating_ips(conn: Connection, found: Sequence[Server] = (), run_id: str | None = None, all_runs: bool = False,
                 asked: bool = False) -> list[FloatingIP]:
    """The floating IPs of run *run_id* (of any smoke or scenario run with
    *all_runs*): those it allocated (described as
    :func:`floating_ip_description` says) and those on its servers among
    *found*, from one list call.  That call is made only when one of
    *found* is a run's server Nova lists with a floating address, or when
    the run is known to have *asked* for a floating IP; else []."""
    from osops.floating_ips import list_floating_ips

    theirs = {s.id for s in found if TAG in s.metadata and s.ips("floating")}
    if not theirs and not asked:
        return []
    prefix = f"osops run {run_id}:" if run_id else "osops run "
    return [f for f in list_floating_ips(conn)
            if f.server_id in theirs or ((run_id or all_runs) and f.description.startswith(prefix))]


def remove(conn: Connection, doomed: Iterable[Server], wait: bool = True, timeout: float = servers.DEFAULT_TIMEOUT,
           on_gone: Callable[[str], None] | None = None, on_change: servers.OnChange | None = None) -> None:
    """Delete *doomed* servers (those already gone are fine) and, with
    *wait*, wait until they are gone.  *on_gone(server_id)* hears of each
    one as soon as it is known to be gone; *on_change* hears of each
    status change (see :data:`osops.servers.OnChange`)."""
    def seen(server_id: str, server: Server | None, old: str | None, elapsed: float) -> None:
        if server is None and on_gone:
            on_gone(server_id)
        if on_change:
            on_change(server_id, server, old, elapsed)

    doomed = list(doomed)
    servers.delete(conn, doomed, wait, timeout, seen)
    if wait and on_gone:  # also those Nova shows DELETED rather than not at all
        for server in doomed:
            on_gone(server.id)
