"""Ping and SSH the server the way ``osops ping`` reaches it: each address
from this host or from its network's namespace here
(:func:`osops.host.targets.server_targets`, ``--netns auto``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from osops.doctor.core import FAIL, OK, SKIP, Check
from osops.errors import OsopsError

if TYPE_CHECKING:
    from osops.diagnose.facts import Facts
    from osops.diagnose.here import HostView
    from osops.host.models import Target

NAMES = ("Ping", "SSH")


def checks(facts: Facts, here: HostView, todo: Sequence[Target], ping: bool = True) -> list[Check]:
    """A Ping and an SSH row per address in *todo* (targets)."""
    if not ping:
        return [Check(n, SKIP, "--no-ping: nothing sent") for n in NAMES]
    name = facts.server.name
    if not todo or all(t.error for t in todo):
        why = "; ".join(t.error for t in todo) or f"{name} has no address"
        return [Check(n, FAIL, f"no address of {name} can be reached from here: {why}",
                      f"osops floating ip add {name}, or run this on a network node") for n in NAMES]
    reachable = [t for t in todo if not t.error]
    results = here.ping(reachable)
    rows = [_ping_row(r, name) for r in results]
    rows += [_ssh_row(here, t, name) for t in reachable]
    return rows


def where(target: Target) -> str:
    """Where a target is reached from, in words."""
    return target.netns or "this host"


def _ping_row(result, name):
    t = result.target
    if result.answered:
        return Check("Ping", OK, f"{t.address} from {where(t)}: {result.received}/{result.sent} answered, "
                     f"{result.rtt_avg:.1f} ms")
    return Check("Ping", FAIL, f"{t.address} from {where(t)}: {result.reason or 'no answer'}",
                 f"see the checks above; osops console log {name} shows whether the guest is up")


def _ssh_row(here, target, name):
    try:
        greeting = here.banner(target.address, target.netns)
    except OsopsError as exc:
        return Check("SSH", FAIL, f"{target.address}:22 from {where(target)}: {exc}",
                     f"see the checks above; osops console log {name} shows whether sshd started")
    return Check("SSH", OK, f"{target.address}:22 from {where(target)}: {greeting[:60]}")
