"""Plain results of the host checks."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """One address to ping: of a server (``server`` is its name) or given
    as it is.  ``netns`` is the namespace to ping from (None: this one);
    ``error`` is a reason known before pinging (nothing is sent then);
    ``note`` is added to the reason when nothing answers."""

    address: str
    server: str = ""
    netns: str | None = None
    error: str = ""
    note: str = ""


@dataclass(frozen=True)
class PingResult:
    target: Target
    sent: int
    received: int
    rtt_min: float | None = None
    rtt_avg: float | None = None
    rtt_max: float | None = None
    reason: str = ""

    @property
    def answered(self) -> bool:
        """True when at least one reply came back."""
        return self.received > 0

    @property
    def loss(self) -> float:
        """Packet loss in percent (100 when nothing was sent)."""
        return 100.0 if not self.sent else round(100.0 * (self.sent - self.received) / self.sent, 1)


@dataclass(frozen=True)
class BridgePort:
    """A port of a bridge.  ``owner`` says what it belongs to (a server
    name, a Neutron device owner such as ``network:dhcp``, ``unknown``) or
    is empty when nothing was asked; ``port_id`` is the Neutron port id and
    ``server_id`` the server's id when they are known."""

    name: str
    kind: str = ""
    state: str = ""
    mtu: int | None = None
    owner: str = ""
    port_id: str = ""
    server_id: str = ""
    iface_id: str = ""


@dataclass(frozen=True)
class Bridge:
    """A Linux (``type`` "linux") or Open vSwitch (``type`` "ovs") bridge.
    ``bridge_id`` is in brctl's shape (``8000.0017a447a8a9``) for Linux
    bridges and the datapath id, when Open vSwitch set one, for OVS."""

    name: str
    type: str
    bridge_id: str = ""
    stp: bool = False
    state: str = ""
    mtu: int | None = None
    ports: tuple[BridgePort, ...] = ()
