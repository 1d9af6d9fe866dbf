"""The cloud's own time for a run that boots or deletes servers: from the
first create call Nova received to the last server ACTIVE (boot), and from
the first delete call to the last server gone (delete), as Nova records
them, read after the run.

Nova's API gives created, launched_at, terminated_at and the actions'
start times in whole seconds; where nova-api's and nova-compute's logs
on this machine have the same events in milliseconds (bench/novalog.py),
those are used instead.
"""

import dataclasses
import datetime
import re
import statistics
import time
import urllib.parse

from bench import novalog
from bench.cloudapi import parallel

WAIT = 600
LOG_LAG = 5  # how long a log line may come after the API shows its event


@dataclasses.dataclass
class Phase:
    """What the cloud took for one phase of a run, and when the tool saw it
    (its step's end): *late* is the tool's delay after the cloud's last
    event; *precise* says whether every event came from the logs."""

    name: str
    start: float
    end: float
    seen: float
    precise: bool

    @property
    def took(self):
        return self.end - self.start

    @property
    def late(self):
        return self.seen - self.end


def api_time(text):
    """Epoch seconds of an API time ("2026-12-08T00:40:15Z" or with
    microseconds, UTC), or None."""
    if not text:
        return None
    text = text.rstrip("Z")
    fmt = "%Y-%m-%dT%H:%M:%S.%f" if "." in text else "%Y-%m-%dT%H:%M:%S"
    return datetime.datetime.strptime(text, fmt).replace(tzinfo=datetime.timezone.utc).timestamp()


def name_query(stem):
    """The servers of one run: *stem* itself or stem-N."""
    return "name=" + urllib.parse.quote(f"^{re.escape(stem)}(-[0-9]+)?$")


def events(api, logs, mark, stem):
    """{server id: {created, active, delete, gone: (epoch seconds or None,
    whether it came from the logs)}}."""
    servers = {s["id"]: s for q in ("", "&deleted=true") for s in api.servers(name_query(stem) + q)}
    listed = parallel(lambda sid: api.get("compute", f"/servers/{sid}/os-instance-actions")["instanceActions"],
                      list(servers))
    actions = dict(zip(servers, listed, strict=True))
    api_text = logs.since(mark, logs.api_log)
    calls, deleted = novalog.requests(api_text), novalog.deletes(api_text)
    compute = {}
    for path in logs.compute_logs:
        for sid, ev in novalog.compute_events(logs.since(mark, path)).items():
            compute.setdefault(sid, {}).update(ev)
    out = {}
    for sid, server in servers.items():
        by_action = {a["action"]: a for a in actions[sid]}
        create, delete = by_action.get("create"), by_action.get("delete")
        logged = compute.get(sid, {})
        rows = {
            "created": (calls.get(create["request_id"], (None, None, None))[2] if create else None,
                        api_time(create["start_time"]) if create else api_time(server["created"])),
            "active": (logged.get("active"), api_time(server.get("OS-SRV-USG:launched_at"))),
            "delete": (deleted.get(sid), api_time(delete["start_time"]) if delete else None),
            "gone": (logged.get("gone"), api_time(server.get("OS-SRV-USG:terminated_at"))),
        }
        out[sid] = {key: (fine, True) if fine is not None else (coarse, False)
                    for key, (fine, coarse) in rows.items()}
    return out


def phases(api, logs, mark, stem, spans):
    """The :class:`Phase` of each "boot" or "delete" step in *spans*
    ((phase, start, end) of the run's steps) for the servers of *stem*;
    waits until Nova has the records of them all (OSC's ``--wait`` on
    many servers returns at the first)."""
    keys = [("created", "active") if phase == "boot" else ("delete", "gone") for phase, _, _ in spans if phase]
    deadline, complete = time.monotonic() + WAIT, None
    while True:
        found = events(api, logs, mark, stem)
        used = [e[key] for e in found.values() for pair in keys for key in pair]
        if found and all(value is not None for value, _ in used):
            complete = complete or time.monotonic()
            if all(fine for _, fine in used) or time.monotonic() - complete > LOG_LAG:
                break
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: Nova has no record of every server of {stem} after {WAIT} s")
        time.sleep(1)
    out = []
    for (phase, _, seen), (first, last) in zip([s for s in spans if s[0]], keys, strict=True):
        used = [e[key] for e in found.values() for key in (first, last)]
        out.append(Phase(phase, min(e[first][0] for e in found.values()), max(e[last][0] for e in found.values()),
                         seen, all(fine for _, fine in used)))
    return out


def total(phase_list):
    """The cloud's own time of a run: its phases' sum."""
    return sum(p.took for p in phase_list)


def median_late(runs, name):
    """The median delay of a tool after the cloud's last event, over its runs' *name* phases."""
    late = [p.late for phase_list in runs for p in phase_list if p.name == name]
    return statistics.median(late) if late else None
