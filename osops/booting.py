"""A boot that leaves nothing behind: the create call, sent once, and the
undoing of a boot that fails or is interrupted.

Every server a boot creates carries ``osops-boot=<run id>`` in its
metadata (or the tag of the smoke or scenario run that boots it), so it
can be found again whatever happens: after a lost answer to the create
call, after a failed wait or a signal (:class:`Undo` deletes it), or
after kill -9 (``osops cleanup --boots``).  Nova cannot filter a list on
metadata: one list by name is made and filtered here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from osops import servers as ops
from osops.errors import OsopsError, ServerFailed, printable
from osops.explain import explain
from osops.interrupt import name_of
from osops.wait import transient

if TYPE_CHECKING:
    from openstack.connection import Connection

    from osops.models import Server

LOG = logging.getLogger("osops")
TAG = "osops-boot"
CLEANUP_TIMEOUT = 120  # seconds the undo waits for the servers to go


def lookup(conn: Connection, name: str, tag: tuple[str, str]) -> list[Server]:
    """The servers named *name* or *name*-N that carry *tag* (a
    ``(key, value)`` pair) in their metadata, from one list call."""
    key, value = tag
    found = ops.list_servers(conn, name=f"^{re.escape(name)}(-[0-9]+)?$")
    return sorted((s for s in found if s.metadata.get(key) == value), key=lambda s: s.name)


def create(conn: Connection, body: Mapping[str, Any], tag: tuple[str, str], microversion: str,
           undo: Undo | None = None) -> tuple[list[Server], str | None]:
    """Send the create call once; return (the servers it made, the
    reservation id or None).  When its answer is lost (a broken
    connection, a timeout, a body cut short, a 5xx), the servers are
    looked up by *tag* before deciding: all of them there means the boot
    goes on; otherwise :class:`LostCreate` (the caller deletes any found).
    A refusal (400, 403 ...) made nothing: *undo* (an :class:`Undo`) is
    told so, and looks nothing up."""
    count = body["min_count"]
    try:
        response = conn.compute.post("/servers", json={"server": body}, microversion=microversion,
                                     raise_exc=True)
        reservation = response.json()["reservation_id"]
    except Exception as exc:
        if not transient(exc):
            if undo is not None:
                undo.created([])
            raise
        found = lookup(conn, body["name"], tag)
        if len(found) != count:
            cause = explain(exc, **_context(conn))
            raise LostCreate(f"{cause.problem} (the create call; {len(found)} of its {count} server(s) "
                             f"found by their tag {tag[0]}={tag[1]})", cause.fix, found) from exc
        LOG.warning("the answer to the create call was lost; Nova made the %d server(s) it asked for", count)
        return found, None
    return sorted(ops.list_servers(conn, reservation_id=reservation), key=lambda s: s.name), reservation


class LostCreate(OsopsError):
    """The create call got no usable answer and the lookup did not find
    every server it asked for (*found* are those it did find)."""

    def __init__(self, problem: str, fix: str, found: list[Server]) -> None:
        super().__init__(problem, fix)
        self.found = found


class Undo:
    """Around a boot from its create call on: when the block fails or is
    interrupted, delete what the boot created (known, or looked up by
    *tag*) and wait until it is gone (with *keep*, the error passes
    unchanged: the caller cleans up); then raise one
    :class:`OsopsError` that says what failed and what became of the
    servers, with the exit status of what failed.  *notify* hears one
    line when an interrupt starts the cleanup."""

    def __init__(self, conn: Connection, name: str, tag: tuple[str, str], keep: bool = False,
                 notify: Callable[[str], None] | None = None) -> None:
        self.conn, self.name, self.tag, self.keep = conn, name, tag, keep
        self.notify = notify or LOG.warning
        self.servers: list[Server] = []
        self.known = False  # whether self.servers is all the boot made

    def __enter__(self) -> Undo:
        return self

    def created(self, servers: Iterable[Server]) -> None:
        """The servers the create call made, as first listed."""
        self.servers, self.known = list(servers), True

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        if exc is None or self.keep or (self.known and not self.servers and not isinstance(exc, LostCreate)):
            return False  # nothing to undo: the error stands as it is
        problem, fix, code = _headline(self.conn, exc)
        if isinstance(exc, LostCreate):
            self.created(exc.found)
        try:
            doomed = self.servers if self.known else lookup(self.conn, self.name, self.tag)
            if doomed and isinstance(exc, KeyboardInterrupt):
                self.notify(f"{name_of(exc)}: deleting the {len(doomed)} server(s) this boot created "
                            "(Ctrl-C again to leave them)")
            if doomed:
                _delete(self.conn, doomed)
        except BaseException as failed:
            return self._left(exc, problem, code, failed)
        if not doomed:
            raise _error(f"{problem}; no server of this boot was left", fix, code) from exc
        names = ", ".join(printable(s.name) for s in doomed)
        raise _error(f"{problem}; deleted what this boot created: {names}", fix, code) from exc

    def _left(self, exc, problem, code, failed):
        """Raise the error that names what could not be deleted, and how to."""
        why = f"interrupted by {name_of(failed)}" if isinstance(failed, KeyboardInterrupt) else \
            explain(failed, **_context(self.conn)).problem
        if self.servers:
            left = ", ".join(_named(s) for s in self.servers)
            command = "osops delete " + " ".join(s.id for s in self.servers) + " --wait"
            raise _error(f"{problem}; could not delete what this boot created ({why}): {left}",
                         f"delete them when the cloud answers: {command} (or: osops cleanup --run {self.tag[1]})",
                         code) from exc
        raise _error(f"{problem}; could not look for what this boot created ({why})",
                     f"when the cloud answers: osops cleanup --run {self.tag[1]} --dry-run, then without "
                     "--dry-run", code) from exc


def _named(server):
    return f"{printable(server.name)} ({server.id})"


def _headline(conn, exc):
    """(problem, fix, exit status) of what made a boot fail."""
    if isinstance(exc, KeyboardInterrupt):
        return f"interrupted by {name_of(exc)}", "", getattr(exc, "exit_code", 130)
    error = explain(exc, **_context(conn))
    return error.problem, error.fix, error.exit_code


def _context(conn):
    from osops.cloud import error_context

    return error_context(conn)


def _error(problem, fix, code):
    error = OsopsError(problem, fix)
    error.exit_code = code
    return error


def _delete(conn, doomed):
    """Delete *doomed* and wait until they are gone.  A server deleted while
    Nova was still building it can show ERROR for a moment ("deleted during
    build") before it goes: it is deleted once more, then an ERROR stands."""
    try:
        ops.delete(conn, doomed, wait=True, timeout=CLEANUP_TIMEOUT)
    except ServerFailed:
        ops.delete(conn, doomed, wait=True, timeout=CLEANUP_TIMEOUT)
