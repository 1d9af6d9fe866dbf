"""A server's console: its log (what it printed while booting: the DHCP
lease, the metadata it read, the login prompt) and a URL to its
graphical or serial console where the cloud runs a console proxy."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from osops import servers as srv
from osops.errors import OsopsError, UsageError
from osops.models import Server

if TYPE_CHECKING:
    from openstack.connection import Connection

FOLLOW_INTERVAL = 2.0  # seconds between polls of --follow
# console type -> the protocol Nova's remote-consoles API takes it with
CONSOLE_TYPES = {"novnc": "vnc", "spice": "spice", "serial": "serial"}


def running(conn: Connection, server: str | Server) -> Server:
    """The server *server* names, when it is ACTIVE; otherwise an error
    saying it is not running (and what would make it run)."""
    server = server if isinstance(server, Server) else srv.find_server(conn, server)
    if server.status != "ACTIVE":
        fixes = {"SUSPENDED": f"osops resume {server.name}", "PAUSED": f"openstack server unpause {server.name}",
                 "SHUTOFF": f"openstack server start {server.name}", "BUILD": "wait until it is ACTIVE",
                 "ERROR": f"its fault: {server.fault or 'none given'}"}
        raise OsopsError(f"server {server.name} is {server.status}, not running: it has no console to read",
                         fixes.get(server.status, ""))
    return server


def console_log(conn: Connection, server: str | Server, lines: int | None = None) -> str:
    """The console log of the running *server* (its last *lines* lines,
    or all Nova keeps)."""
    server = running(conn, server)
    return conn.compute.get_server_console_output(server.id, length=lines).get("output") or ""


def follow_log(conn: Connection, server: str | Server, lines: int | None = None,
               interval: float = FOLLOW_INTERVAL, sleep: Callable[[float], None] | None = None) -> Iterator[str]:
    """The console log of *server* as it grows: first its last *lines*
    lines (all with None), then, every *interval* seconds, only what is
    new (a partial line, such as a login prompt, as soon as it is
    there).  Endless: the caller stops (Ctrl-C).  *sleep* defaults to
    :func:`time.sleep`."""
    sleep = sleep or time.sleep
    server = running(conn, server)
    seen = conn.compute.get_server_console_output(server.id).get("output") or ""
    yield last_lines(seen, lines) if lines else seen
    while True:
        sleep(interval)
        now = conn.compute.get_server_console_output(server.id).get("output") or ""
        fresh = new_text(seen, now)
        if fresh:
            yield fresh
        seen = now


def last_lines(text: str, lines: int) -> str:
    """The last *lines* lines of *text* (a final line without its newline counts)."""
    kept = text.splitlines(keepends=True)[-lines:]
    return "".join(kept)


def new_text(before: str, now: str) -> str:
    """What *now* has that *before*, an earlier read of the same log, did
    not: the rest after it when the log grew; when its start was cut off
    (Nova and libvirt keep only the tail), what follows the longest end of
    *before* that *now* begins with; all of *now* when none does."""
    if now.startswith(before):
        return now[len(before):]
    return now[_overlap(before, now):]


def _overlap(before, now):
    """The length of the longest end of *before* that *now* begins with
    (the prefix function of *now*, a separator, then *before*: linear)."""
    seq = [*now, None, *before]
    longest = [0] * len(seq)
    for i in range(1, len(seq)):
        k = longest[i - 1]
        while k and seq[i] != seq[k]:
            k = longest[k - 1]
        longest[i] = k + 1 if seq[i] == seq[k] else k
    return longest[-1]


def console_url(conn: Connection, server: str | Server, kind: str = "novnc") -> str:
    """A URL to *server*'s console of *kind* (novnc, spice or serial), from
    the cloud's console proxy."""
    if kind not in CONSOLE_TYPES:
        raise UsageError(f"no console type {kind!r}", f"choose one of {', '.join(CONSOLE_TYPES)}")
    server = running(conn, server)
    console_type = "spice-html5" if kind == "spice" else ("serial" if kind == "serial" else kind)
    from openstack.exceptions import BadRequestException

    try:
        made = conn.compute.create_server_remote_console(server.id, protocol=CONSOLE_TYPES[kind],
                                                         type=console_type)
    except BadRequestException as exc:
        if "unavailable console type" not in str(exc).lower():
            raise
        raise OsopsError(f"the cloud has no {kind} console for server {server.name} "
                         f"(Nova: unavailable console type {console_type}): no console proxy is set up for it",
                         f"read its log instead (osops console log {server.name}), or try another --type") from None
    return made.url
