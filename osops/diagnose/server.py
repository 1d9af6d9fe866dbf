"""The server itself: ACTIVE and running, or why not (Nova's fault)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from osops.doctor.core import FAIL, OK, Check

if TYPE_CHECKING:
    from osops.diagnose.facts import Facts
    from osops.diagnose.here import HostView

NAMES = ("Server",)
FIXES = {
    "SUSPENDED": "osops resume {name}",
    "PAUSED": "openstack server unpause {name}",
    "SHUTOFF": "openstack server start {name}",
    "SHELVED_OFFLOADED": "openstack server unshelve {name}",
    "SHELVED": "openstack server unshelve {name}",
    "BUILD": "wait until it is ACTIVE (osops boot waits; osops server show {name})",
    "ERROR": "delete it and boot again (osops delete {name}); the fault says what went wrong, "
             "and osops doctor checks the compute services",
}


def checks(facts: Facts, here: HostView) -> list[Check]:
    """One row: the server's status, power state, host and fault."""
    s = facts.server
    where = f" on host {s.host}" if s.host else ""
    if s.status == "ACTIVE" and s.power_state in ("Running", ""):
        return [Check("Server", OK, f"{s.name} is ACTIVE and running{where}")]
    seen = f"{s.name} is {s.status}" + (f" (power {s.power_state})" if s.power_state else "") + where
    if s.fault:
        seen += f": {s.fault}"
    fix = FIXES.get(s.status, "osops server show {name} says more").format(name=s.name)
    return [Check("Server", FAIL, seen, fix)]
