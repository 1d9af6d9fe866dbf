"""Nova's own logs, read for the milliseconds its database drops.

Nova stores created, launched_at, terminated_at and its actions' start
times at one-second resolution (MariaDB DATETIME); its services log in
milliseconds.  The request log of nova-api gives when a create or delete
call came in (logged at its end, with its duration); nova-compute logs
"Took N seconds to build instance" right after it saves the server
ACTIVE and "Took N seconds to deallocate network" just before it destroys
the record (its "Deleted allocations" line comes after the API stops
showing the server, later still when many are deleted at once).  Log times are the machine's local time.
"""

import datetime
import os
import re

STAMP = r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})"
UUID = r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
REQUEST = re.compile(STAMP + r" \d+ INFO nova\.api\.openstack\.requestlog \[\S+ (req-[0-9a-f-]+)[^\]]*\] "
                     r"\S+ \"(\w+) (\S+)\" status: (\d+).*? time: ([\d.]+)")
BUILT = re.compile(STAMP + r" .*\[instance: " + UUID + r"\] Took [\d.]+ seconds to build instance")
GONE = re.compile(STAMP + r" .*\[instance: " + UUID + r"\] Took [\d.]+ seconds to deallocate network for instance")


def stamp(text):
    """Epoch seconds of a log time (local time, milliseconds)."""
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").timestamp()


def requests(text):
    """{request id: (method, path, start)} of nova-api's request log lines:
    start is the logged end less the logged duration.  The first line of
    an id is its request's: a later ``GET /v2.1`` (version discovery,
    which makes no request context) may be logged with the id of the
    request its worker thread served before."""
    out = {}
    for m in REQUEST.finditer(text):
        out.setdefault(m.group(2), (m.group(3), m.group(4), stamp(m.group(1)) - float(m.group(6))))
    return out


def deletes(text):
    """{server id: start} of the DELETE calls in nova-api's request log."""
    out = {}
    for method, path, start in requests(text).values():
        if method == "DELETE" and re.fullmatch(r"/v2(\.1)?(/[0-9a-f]+)?/servers/" + UUID, path):
            out.setdefault(path.rsplit("/", 1)[1], start)
    return out


def compute_events(text):
    """{server id: {"active": t, "gone": t}} from nova-compute's log."""
    out = {}
    for pattern, event in ((BUILT, "active"), (GONE, "gone")):
        for m in pattern.finditer(text):
            out.setdefault(m.group(2), {})[event] = stamp(m.group(1))
    return out


class Logs:
    """Log files read from where they ended at :meth:`mark`."""

    def __init__(self, api_log, compute_logs):
        self.api_log, self.compute_logs = api_log, list(compute_logs)

    def mark(self):
        return {path: _size(path) for path in [self.api_log, *self.compute_logs]}

    def since(self, mark, path):
        try:
            with open(path, "rb") as f:
                f.seek(mark.get(path, 0))
                return f.read().decode(errors="replace")
        except OSError:
            return ""


def _size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
