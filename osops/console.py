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
OVERLAP = 400  # characters of the last log seen looked for in the next one, when its start was cut


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
    not: the rest after it when the log grew, or, when its start was cut
    off (Nova and libvirt keep only the tail), what follows the last part
    of *before* found in it; all of *now* when that is gone too."""
    if now.startswith(before):
        return now[len(before):]
    tail = before[-OVERLAP:]
    at = now.rfind(tail) if tail else -1
    return now[at + len(tail):] if at >= 0 else now


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
