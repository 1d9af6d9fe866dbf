"""How a scenario pings: the small interface the ping step needs, and the
host's pinger behind it.

:class:`HostPinger` turns servers into targets with
:func:`osops.host.targets.server_targets` (``netns="auto"``: a fixed
address is pinged from its network's qdhcp-/qrouter- namespace on this
host; one this host would reach only through its default route is not
pinged at all) and pings them with :func:`osops.host.ping.ping`.  A
target nothing was sent to comes back with ``sent == 0`` and its reason
(the step SKIPs); one that was pinged and stayed silent has ``sent > 0``
(the step FAILs).

Anything with the same ``ping`` method returning
:class:`osops.host.models.PingResult` objects can stand in (tests use a
fake; nothing in the unit tests sends a packet).
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from osops.host import ping as icmp
from osops.host import targets
from osops.host.models import PingResult
from osops.models import Server

if TYPE_CHECKING:
    from openstack.connection import Connection


class Pinger(Protocol):
    """What the ping step needs: :class:`HostPinger`, or a test's fake."""

    def ping(self, conn: "Connection", servers: Sequence[Server], addresses: Sequence[str] = (), count: int = 3,
             netns: str | None = "auto") -> list[PingResult]:
        """A PingResult for every address of *servers* and of *addresses*."""
        ...


class HostPinger:
    """Pings from this host, or from a network node namespace on it."""

    def __init__(self, interval: float = 1.0, timeout: float = 2.0) -> None:
        self.interval = interval
        self.timeout = timeout

    def ping(self, conn: "Connection", servers: Sequence[Server], addresses: Sequence[str] = (), count: int = 3,
             netns: str | None = "auto") -> list[PingResult]:
        """A PingResult for every address of *servers* and every one of
        *addresses* (IP addresses given as they are)."""
        todo = targets.server_targets(conn, servers, "any", netns) if servers else []
        todo += targets.address_targets(addresses, None if netns == targets.AUTO else netns)
        return icmp.ping(todo, count, self.interval, self.timeout)
