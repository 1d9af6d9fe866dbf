"""osops diagnose: why a server cannot be pinged or reached by SSH.

::

    from osops import diagnose

    d = diagnose.diagnose(conn, "web-1")
    for c in d.checks:
        print(c.name, c.result, c.found, c.fix)
    print(d.summary())          # names the first failing check and its fix

Walks the path to the server, one row per check (OK/WARN/FAIL/SKIP, what
it saw, the fix), in this order: the server (:mod:`.server`), its ports
(:mod:`.ports`), the security groups (:mod:`.security`), floating IP and
router (:mod:`.routing`), this host's namespace and bridge port
(:mod:`.host`), the console log (:mod:`.console`), then ping and SSH
(:mod:`.reach`).  A server that is not ACTIVE, or a port that is not
bound and ACTIVE, fails decisively: the checks after it are SKIP with
that reason.  This host is asked through :class:`.here.HostView` (tests
pass their own).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from osops.doctor.core import FAIL, SKIP, WARN, Check
from osops.models import Server

if TYPE_CHECKING:
    from types import ModuleType

    from openstack.connection import Connection

    from osops.diagnose.here import HostView

__all__ = ["Diagnosis", "diagnose"]


@dataclass(frozen=True)
class Diagnosis:
    """The rows of one server's diagnosis."""

    server: str
    checks: tuple[Check, ...]

    @property
    def reachable(self) -> bool:
        """True when no check FAILed."""
        return not any(c.result == FAIL for c in self.checks)

    def first(self, result: str = FAIL) -> Check | None:
        """The first check with *result*, or None."""
        return next((c for c in self.checks if c.result == result), None)

    def summary(self) -> str:
        """One line: reachable or not, and the first failing (else
        warning) check with its fix."""
        bad = self.first(FAIL)
        if bad:
            return f"{self.server} is not reachable: {bad.name} failed: {bad.found}" + (
                f"; fix: {bad.fix}" if bad.fix else "")
        warn = self.first(WARN)
        if warn:
            return f"{self.server} is reachable; but {warn.name}: {warn.found}" + (
                f"; fix: {warn.fix}" if warn.fix else "")
        return f"{self.server} is reachable: every check passed"


def diagnose(conn: Connection, server: str | Server, *, from_netns: str | None = None, ping: bool = True,
             here: HostView | None = None) -> Diagnosis:
    """Diagnose *server* (a name, an id or a :class:`~osops.models.Server`).

    *from_netns* reaches every address from that namespace instead of the
    ``--netns auto`` choice; *ping* False sends nothing (the Ping and SSH
    rows SKIP).  *here* is this host's view (default
    :class:`~osops.diagnose.here.HostView`)."""
    from osops.diagnose import console, facts, host, ports, reach, routing, security
    from osops.diagnose import server as server_checks
    from osops.diagnose.here import HostView
    from osops.servers import find_server

    here = here or HostView()
    found = server if isinstance(server, Server) else find_server(conn, server)
    seen = facts.gather(conn, found)
    rows = server_checks.checks(seen, here)
    stop = _stop(rows)
    later: tuple[ModuleType, ...] = (ports, security, routing, host, console, reach)
    if not stop:
        rows += ports.checks(seen, here)
        stop, later = _stop(rows), later[1:]
    if stop:
        rows += [Check(name, SKIP, f"skipped: {stop}") for group in later for name in group.NAMES]
        return Diagnosis(found.name, tuple(rows))
    todo = here.targets(conn, found, from_netns)
    sources = []
    for t in (t for t in todo if not t.error):
        port, source = seen.port_of(t.address), here.source(t.address, t.netns)
        if port is not None and source:
            sources.append((t.address, port, source, reach.where(t)))
    rows += security.checks(seen, here, sources)
    rows += routing.checks(seen, here) + host.checks(seen, here) + console.checks(seen, here)
    rows += reach.checks(seen, here, todo, ping)
    return Diagnosis(found.name, tuple(rows))


def _stop(rows):
    """The reason to skip what follows: the first decisive FAIL (of the
    server or a port), or ''."""
    bad = next((c for c in rows if c.result == FAIL), None)
    return f"{bad.name} failed ({bad.found})" if bad else ""
