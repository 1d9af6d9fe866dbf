"""Find and remove what scenario runs created.

Every server a run boots carries the metadata ``osops-run=<run id>`` and
a name ``osops-<run id>-...``.  Nova cannot filter a server list on
metadata, so one list call is made and filtered here.  A run's security
group is ``osops-<run id>-sg``, described as ``osops run <run id>: ...``.
"""

from osops import security_groups, servers
from osops.errors import UsageError

TAG = "osops-run"


def check_run_id(run_id):
    """*run_id*, or UsageError when it is not one a run could have."""
    if not (isinstance(run_id, str) and 4 <= len(run_id) <= 20 and run_id.isalnum()
            and run_id.isascii() and run_id == run_id.lower()):
        raise UsageError(f"a run id is 4 to 20 lower-case letters and digits, not {run_id!r}")
    return run_id


def check_which(run_id=None, all_runs=False):
    """UsageError unless a well-formed *run_id* or *all_runs* says whose
    servers to look for."""
    if run_id:
        check_run_id(run_id)
    elif not all_runs:
        raise UsageError("say which run: --run ID (the id a smoke or scenario run printed) or --all")


def tagged(conn, run_id=None, all_runs=False, all_projects=False):
    """Servers tagged by run *run_id* (or by any run with *all_runs*), from
    one server list call."""
    check_which(run_id, all_runs)
    found = servers.list_servers(conn, all_projects=all_projects)
    if all_runs:
        return [s for s in found if TAG in s.metadata]
    return [s for s in found if s.metadata.get(TAG) == run_id]


def group_name(run_id):
    """The name of the security group run *run_id* boots its servers in."""
    return f"osops-{run_id}-sg"


def groups(conn, run_id=None, all_runs=False):
    """The security groups of run *run_id* (or of any run with *all_runs*), one list call."""
    check_which(run_id, all_runs)
    if run_id:
        return security_groups.find_groups(conn, group_name(run_id))
    return [g for g in security_groups.find_groups(conn, None)
            if g.name.startswith("osops-") and g.name.endswith("-sg") and g.description.startswith("osops run ")]


def remove(conn, doomed, wait=True, timeout=servers.DEFAULT_TIMEOUT, on_gone=None, on_change=None):
    """Delete *doomed* servers (those already gone are fine) and, with
    *wait*, wait until they are gone.  *on_gone(server_id)* hears of each
    one as soon as it is known to be gone."""
    def seen(server_id, server, old, elapsed):
        if server is None and on_gone:
            on_gone(server_id)
        if on_change:
            on_change(server_id, server, old, elapsed)

    doomed = list(doomed)
    servers.delete(conn, doomed, wait, timeout, seen)
    if wait and on_gone:  # also those Nova shows DELETED rather than not at all
        for server in doomed:
            on_gone(server.id)
