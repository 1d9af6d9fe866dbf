"""Polling with a short first interval that grows to a cap."""

import time

from osops.errors import ServerFailed, Timeout, printable

FIRST = 0.25
FACTOR = 1.5
CAP = 3.0
NAMED = 5  # servers a timeout message names; the rest are counted


def intervals(first=FIRST, factor=FACTOR, cap=CAP):
    """Sleep times between polls: 0.25, 0.375, 0.56 ... up to *cap* seconds."""
    delay = first
    while True:
        yield delay
        delay = min(delay * factor, cap)


def wait(fetch, ids, done, timeout, on_change=None, fail_on_error=True,
         sleep=time.sleep, clock=time.monotonic, first=None):
    """Poll until ``done(server)`` holds for every id in *ids*.

    *fetch* is called once per round and returns ``{id: Server}``; a
    missing id means the server is gone (passed to *done* as None).
    *first*, when given, is the first round's ``{id: Server}``, just
    fetched by the caller: that round makes no call.
    *on_change(server_id, server, old_status, elapsed)* sees each status
    change.  A server in ERROR raises :class:`ServerFailed` with Nova's
    fault unless *fail_on_error* is False.  Returns ``{id: Server}`` as
    last seen.  A round in which some servers got done starts the
    intervals again from the shortest: the others tend to follow soon.
    """
    start = clock()
    seen = {}
    names = {}
    pauses = intervals()
    finished = 0
    current = fetch() if first is None else first
    while True:
        for sid in ids:
            server = current.get(sid)
            status = server.status if server else "GONE"
            if server is not None:
                names[sid] = server.name
            if seen.get(sid) != status:
                if on_change:
                    on_change(sid, server, seen.get(sid), clock() - start)
                seen[sid] = status
            if fail_on_error and server is not None and status == "ERROR":
                raise ServerFailed(f"server {printable(server.name)} ({sid}) went to ERROR: "
                                   f"{server.fault or 'Nova gave no fault message'}")
        pending = [sid for sid in ids if not done(current.get(sid))]
        if not pending:
            return current
        if len(ids) - len(pending) > finished:
            finished = len(ids) - len(pending)
            pauses = intervals()
        elapsed = clock() - start
        if elapsed >= timeout:
            raise Timeout(f"{_still(pending, seen, names)} after {timeout:g} s",
                          "raise --timeout or check the compute service logs")
        sleep(min(next(pauses), max(timeout - elapsed, 0.01)))
        current = fetch()


def _still(pending, seen, names):
    """``demo-1 (9d7d2503) still BUILD, ...`` for the servers not done."""
    def one(sid):
        who = f"{printable(names[sid])} ({sid[:8]})" if names.get(sid) else sid
        return f"{who} gone" if seen[sid] == "GONE" else f"{who} still {seen[sid]}"

    more = f" and {len(pending) - NAMED} more" if len(pending) > NAMED else ""
    return ", ".join(one(sid) for sid in pending[:NAMED]) + more
