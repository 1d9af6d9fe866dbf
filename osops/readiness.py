"""Readiness past ACTIVE: wait until a server answers ping, lets SSH in
(its port 22 sends an ``SSH-`` banner) or shows a login prompt on its
console, the way people mean "it is up".

:func:`wait_ready` is what ``osops boot --wait-for`` runs after the
ACTIVE wait, inside the boot's cleanup (a timeout or Ctrl-C here undoes
the boot as one in the ACTIVE wait does).  Each server is reached as
``osops ping`` and ``osops ssh`` reach it: its floating IP, else its fixed
address from its network's namespace on this host.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from osops import wait as waiting
from osops.errors import OsopsError, Timeout, UsageError, printable
from osops.models import Server

if TYPE_CHECKING:
    from openstack.connection import Connection

WAIT_FOR = ("active", "ping", "ssh", "login")
# what a server shows in progress while a phase is awaited, and once it is reached
WAITING = {"ping": "ACTIVE, no ping yet", "ssh": "ACTIVE, no SSH yet", "login": "ACTIVE, no login prompt yet"}
REACHED = {"ping": "ANSWERS PING", "ssh": "SSH UP", "login": "LOGIN PROMPT"}
MISSED = {"ping": "did not answer ping", "ssh": "did not answer on SSH",
          "login": "showed no login prompt on its console"}
LOGIN_PROMPT = re.compile(r"\blogin:(\s|$)", re.MULTILINE)  # "web-1 login: ", maybe with more after it
CONSOLE_LINES = 40  # console lines the login probe reads each round
PROBE_TIMEOUT = 2.0  # seconds one ping or SSH probe waits for an answer
# Rounds (about 15 s) a server may be unreachable from this host before the
# wait gives up: a network node's namespace for the network (ovnmeta-, made
# by the metadata agent as the first port binds) may come after ACTIVE.
UNREACHABLE_ROUNDS = 10

# probe(conn, server) -> (reached, what was seen): one try, no waiting
Probe = Callable[["Connection", Server], "tuple[bool, str]"]


def check_wait_for(value: str) -> str:
    """*value* when it is one of :data:`WAIT_FOR`, else UsageError."""
    if value not in WAIT_FOR:
        raise UsageError(f"--wait-for must be one of {', '.join(WAIT_FOR)}, not {value!r}")
    return value


def probe_ping(conn: Connection, server: Server) -> tuple[bool, str]:
    """One echo request to each address of *server* (as ``osops ping
    --netns auto``); an address that cannot be pinged from this host at
    all is an :class:`~osops.ssh.Unreachable` error."""
    from osops.scenario import reach  # its HostPinger: the pinger tests replace (fake_pinger)

    results = reach.HostPinger(interval=0.2, timeout=PROBE_TIMEOUT).ping(conn, [server], count=1)
    if any(r.answered for r in results):
        return True, "answered"
    if results and not any(r.sent for r in results):
        _cannot_check(server, "; ".join(dict.fromkeys(r.reason for r in results)))
    return False, "; ".join(dict.fromkeys(r.reason for r in results if r.reason)) or "no reply"


def probe_ssh(conn: Connection, server: Server) -> tuple[bool, str]:
    """Whether port 22 of *server* sends an SSH banner (reached as ``osops ssh`` reaches it)."""
    from osops import ssh
    from osops.host import banner

    try:
        target = ssh.address_of(conn, server)
    except ssh.Unreachable as exc:
        _cannot_check(server, exc.problem)
    return banner.ssh_answers(target.address, target.netns, timeout=PROBE_TIMEOUT)


def probe_login(conn: Connection, server: Server) -> tuple[bool, str]:
    """Whether the end of *server*'s console log is a login prompt."""
    output = conn.compute.get_server_console_output(server.id, length=CONSOLE_LINES).get("output") or ""
    if LOGIN_PROMPT.search(output):
        return True, "login prompt"
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return False, f"the console's last line: {lines[-1][:120]!r}" if lines else "the console log is empty"


PROBES = {"ping": probe_ping, "ssh": probe_ssh, "login": probe_login}


def wait_ready(conn: Connection, servers: Sequence[Server], wait_for: str, timeout: float,
               on_change: Callable | None = None, *, kept: bool = True, probes: dict | None = None,
               clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
               waited: float = 0.0) -> list[Server]:
    """Wait up to *timeout* seconds until every one of *servers* (ACTIVE)
    reaches *wait_for* (``ping``, ``ssh`` or ``login``; ``active`` returns
    at once); return them.

    *on_change* (the boot's progress callback) hears each server's phase
    as its status (``ACTIVE, no ping yet`` -> ``ANSWERS PING``); *waited*
    is the seconds the boot has waited already (its elapsed times go on
    from there).  A server that cannot be reached from this host at all
    ends the wait after :data:`UNREACHABLE_ROUNDS` rounds; a timeout is a
    :class:`~osops.errors.Timeout` saying what was reached and what was last seen, and, when the servers
    are *kept*, how to look at them.  *probes*, *clock* and *sleep* stand
    in for the host's probes and time (tests pass their own).
    """
    check_wait_for(wait_for)
    if wait_for == "active":
        return list(servers)
    probe = (probes or PROBES)[wait_for]
    start = clock()
    pending = {s.id: s for s in servers}
    seen = {}
    for s in servers:
        _phase(on_change, s, WAITING[wait_for], "ACTIVE", waited)
    pauses = waiting.intervals(first=0.5, cap=2.0)
    rounds = 0
    while True:
        rounds += 1
        for sid, server in list(pending.items()):
            try:
                reached, seen[sid] = probe(conn, server)
            except NotReachable:
                if rounds >= UNREACHABLE_ROUNDS:
                    raise
                reached, seen[sid] = False, "no way from this host to it yet"
            if reached:
                del pending[sid]
                _phase(on_change, server, REACHED[wait_for], WAITING[wait_for], waited + clock() - start)
        if not pending:
            return list(servers)
        elapsed = clock() - start
        if elapsed >= timeout:
            raise _timeout(list(pending.values()), seen, wait_for, waited + elapsed, kept)
        sleep(min(next(pauses), max(timeout - elapsed, 0.01)))


class NotReachable(OsopsError):
    """A server is ACTIVE but cannot be reached from this host to check it."""


def _cannot_check(server, why):
    raise NotReachable(f"{printable(server.name)} is ACTIVE but cannot be checked from this host: {why}",
                       "wait with --wait-for active or login, or run osops on its network node")


def _phase(on_change, server, status, old, elapsed):
    if on_change:
        on_change(server.id, replace(server, status=status), old, elapsed)


def _timeout(pending, seen, wait_for, elapsed, kept):
    names = ", ".join(printable(s.name) for s in pending)
    last = "; ".join(f"{printable(s.name)}: {seen.get(s.id, 'not tried')}" for s in pending)
    first = printable(pending[0].name)
    look = f"osops console log {first}, osops diagnose {first}"
    fix = (f"see why: {look}; or raise --timeout" if kept
           else f"boot with --keep to look at it ({look}), or raise --timeout")
    return Timeout(f"{names} ACTIVE but {MISSED[wait_for]} after {elapsed:.0f} s (last: {last})", fix)
