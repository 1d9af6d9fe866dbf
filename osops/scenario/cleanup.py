"""Find and remove what scenario runs created.

Every server a run boots carries the metadata ``osops-run=<run id>`` and
a name ``osops-<run id>-...``.  Nova cannot filter a server list on
metadata, so one list call is made and filtered here.
"""

from osops import servers
from osops.errors import UsageError

TAG = "osops-run"


def tagged(conn, run_id=None, all_runs=False, all_projects=False):
    """Servers tagged by run *run_id* (or by any run with *all_runs*), from
    one server list call."""
    if not run_id and not all_runs:
        raise UsageError("say which run: --run ID (the id a smoke or scenario run printed) or --all")
    found = servers.list_servers(conn, all_projects=all_projects)
    if all_runs:
        return [s for s in found if TAG in s.metadata]
    return [s for s in found if s.metadata.get(TAG) == run_id]


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
