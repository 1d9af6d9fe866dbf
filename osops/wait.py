"""Polling with a short first interval that grows to a cap."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from osops.errors import ServerFailed, Timeout, printable
from osops.explain import explain

if TYPE_CHECKING:
    from osops.models import Server
    from osops.servers import OnChange

FIRST = 0.25
FACTOR = 1.5
# A round is one list call however many servers it waits for, so polling
# at most half a second apart is cheap; a change is seen about a quarter
# second after the cloud made it, plus the time the cloud takes to answer
# the list (bench/run measures how late waits see the cloud).
CAP = 0.5
NAMED = 5  # servers a timeout message names; the rest are counted


def intervals(first: float = FIRST, factor: float = FACTOR, cap: float = CAP) -> Iterator[float]:
    """Sleep times between polls: *first* (0.25), then each *factor* (1.5)
    times the one before (0.375 ...) up to *cap* seconds (0.5)."""
    delay = first
    while True:
        yield delay
        delay = min(delay * factor, cap)


def wait(fetch: Callable[[], Mapping[str, Server]], ids: Sequence[str], done: Callable[[Server | None], bool],
         timeout: float, on_change: OnChange | None = None,
         fail_on_error: bool | Callable[[Server], bool] = True, sleep: Callable[[float], None] = time.sleep,
         clock: Callable[[], float] = time.monotonic,
         first: Mapping[str, Server] | None = None) -> Mapping[str, Server]:
    """Poll until ``done(server)`` holds for every id in *ids*.

    *fetch* is called once per round and returns ``{id: Server}``; a
    missing id means the server is gone (passed to *done* as None).
    *first*, when given, is the first round's ``{id: Server}``, just
    fetched by the caller: that round makes no call.  *sleep* and *clock*
    are the wait's time (tests pass their own).
    *on_change(server_id, server, old_status, elapsed)* sees each status
    change.  A server in ERROR raises :class:`ServerFailed` with Nova's
    fault unless *fail_on_error* is False (or, when it is a function,
    unless it holds for that server).  A poll that fails as a busy or
    unreachable cloud does (see :func:`transient`) counts as a slow one:
    the wait goes on, and a timeout says why the last poll failed.
    Returns ``{id: Server}`` as last seen.  A round in which some servers got done starts the
    intervals again from the shortest: the others tend to follow soon.
    """
    start = clock()
    seen: dict[str, str | None] = {}
    names: dict[str, str] = {}
    pauses = intervals()
    finished = 0
    pending = list(ids)
    current, failed = (first, None) if first is not None else _poll(fetch)
    while True:
        if current is not None:
            for sid in ids:
                server = current.get(sid)
                status = server.status if server else "GONE"
                if server is not None:
                    names[sid] = server.name
                if seen.get(sid) != status:
                    if on_change:
                        on_change(sid, server, seen.get(sid), clock() - start)
                    seen[sid] = status
                if server is not None and status == "ERROR" and _fails(fail_on_error, server):
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
            why = f"; the last poll failed: {explain(failed).problem}" if failed is not None else ""
            raise Timeout(f"{_still(pending, seen, names)} after {timeout:g} s{why}",
                          "raise --timeout or check the compute service logs")
        sleep(min(next(pauses), max(timeout - elapsed, 0.01)))
        current, failed = _poll(fetch)


def _fails(fail_on_error, server):
    return fail_on_error(server) if callable(fail_on_error) else bool(fail_on_error)


def _poll(fetch):
    """(what *fetch* returned, None), or (None, the error) for a poll that
    failed as a busy or unreachable cloud does."""
    try:
        return fetch(), None
    except Exception as exc:
        if not transient(exc):
            raise
        return None, exc


def transient(exc: BaseException) -> bool:
    """True when *exc* (or what it was raised from) is a connection failure,
    a timeout, an answer cut short, or HTTP 429/500/502/503/504."""
    from keystoneauth1 import exceptions as ksa

    from osops.explain import causes

    for e in causes(exc):
        if isinstance(e, ksa.ConnectionError):
            return True
        status = getattr(e, "status_code", None) or getattr(e, "http_status", None)
        if status in (429, 500, 502, 503, 504):
            return True
    return False


def _still(pending, seen, names):
    """``demo-1 (9d7d2503) still BUILD, ...`` for the servers not done."""
    def one(sid):
        who = f"{printable(names[sid])} ({sid[:8]})" if names.get(sid) else sid
        status = seen.get(sid, "unknown (no poll answered)")
        return f"{who} gone" if status == "GONE" else f"{who} still {status}"

    more = f" and {len(pending) - NAMED} more" if len(pending) > NAMED else ""
    return ", ".join(one(sid) for sid in pending[:NAMED]) + more
