"""What diagnose asks of this host: the reach path (the targets ``osops
ping`` would take), its namespaces and bridges, the address a packet
leaves from, ping and an SSH greeting.  Tests stand a fake in its place;
everything host-bound of diagnose goes through :class:`HostView`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from osops.errors import OsopsError
from osops.host import banner, commands, netns, ping, targets
from osops.host.models import Bridge, PingResult, Target

if TYPE_CHECKING:
    from openstack.connection import Connection

    from osops.models import Server


class HostView:
    """This host, as diagnose sees it."""

    def __init__(self, interval: float = 1.0, timeout: float = 2.0) -> None:
        self.interval = interval
        self.timeout = timeout
        self._bridges: tuple[list[Bridge], str] | None = None

    def targets(self, conn: Connection, server: Server, from_netns: str | None = None) -> list[Target]:
        """The addresses of *server* to reach, each with the namespace it is
        reached from (:func:`osops.host.targets.server_targets`, with
        ``netns="auto"`` unless *from_netns* is given)."""
        return targets.server_targets(conn, [server], "any", from_netns or targets.AUTO)

    def namespaces(self) -> list[str]:
        """The network namespaces here."""
        return netns.list_namespaces()

    def bridges(self) -> tuple[list[Bridge], str]:
        """(bridges of this host, untied, or [], the problem reading them or '')."""
        if self._bridges is None:
            from osops.host import bridges

            problems: list[str] = []
            found = bridges.list_bridges(None, on_problem=lambda source, exc: problems.append(str(exc)))
            self._bridges = (found, "; ".join(problems))
        return self._bridges

    def source(self, address: str, namespace: str | None = None) -> str | None:
        """The address packets to *address* leave from (from *namespace*),
        or None when there is no route."""
        argv = ["ip", "-j"] + (["-n", namespace] if namespace else []) + ["route", "get", address]
        try:
            done = commands.run(argv, timeout=10, check=False)
            routes = json.loads(done.stdout or "[]") if done.returncode == 0 else []
        except (OsopsError, ValueError):
            return None
        return routes[0].get("prefsrc") if routes else None

    def ping(self, todo: Sequence[Target], count: int = 3) -> list[PingResult]:
        """:func:`osops.host.ping.ping` of *todo* (targets)."""
        return ping.ping(todo, count, self.interval, self.timeout)

    def banner(self, address: str, namespace: str | None = None, port: int = 22) -> str:
        """The greeting at *address*:*port*; OsopsError saying why none."""
        return banner.read_banner(address, port, timeout=5.0, netns=namespace)
