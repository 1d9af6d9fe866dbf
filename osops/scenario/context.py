"""What a step's action may use of its run: the :class:`StepContext`.

An action is a function ``(ctx, args, step) -> Outcome`` (see
:mod:`osops.scenario.steps`); *ctx* is a StepContext, made by the engine
once per run, and an action uses nothing of the run but its members.
What the run created is kept in :class:`Created`, which the engine's
cleanup works from.
"""

from __future__ import annotations

import ipaddress
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from tabulate import tabulate

from osops import keypairs, security_groups
from osops.resolve import resolve_many
from osops.scenario import cleanup, reach
from osops.servers import OnChange, list_servers

if TYPE_CHECKING:
    from openstack.connection import Connection

    from osops.models import FloatingIP, Keypair, SecurityGroup, Server
    from osops.scenario.schema import Step

DEFAULT_WAIT = 300  # one wait inside a step that sets no timeout
ADDRESS_WAIT = 30


class Created:
    """What a run created, for its cleanup: the servers it booted (by id),
    those known to be gone, its security groups, the rules it added to
    groups, its floating IPs (and whether it asked for one), its keypairs
    (and whether it asked for one: a lost answer leaves one unknown), the
    directory of their private keys, and whether it asked for a create at
    all."""

    def __init__(self) -> None:
        self.servers: dict[str, Server] = {}
        self.gone: set[str] = set()
        self.groups: list[SecurityGroup] = []
        self.rules: list[str] = []
        self.keypairs: list[Keypair] = []
        self.keypairs_attempted = False
        self.key_dir: str | None = None
        self.floating_ips: list[FloatingIP] = []
        self.floating_ips_asked = False
        self.attempted = False

    def alive(self) -> list[Server]:
        """The servers booted and not known to be gone."""
        return [s for sid, s in self.servers.items() if sid not in self.gone]


class StepContext:
    """The run as a step's action sees it; every member is documented."""

    TAG = cleanup.TAG
    """The metadata key the run tags its servers with (its value: the run id)."""

    address_wait = ADDRESS_WAIT
    """The longest the address action waits for ports to be bound, in seconds."""

    def __init__(self, conn: Connection, run_id: str, created: Created, deadline: float, *, keep: bool = False,
                 pinger: reach.Pinger | None = None, on_change: OnChange | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self._conn = conn
        self._run_id = run_id
        self._created = created
        self._keep = keep
        self._pinger = pinger
        self._on_change = on_change
        self._deadline = deadline
        self._clock = clock
        self._sleep = sleep

    @property
    def conn(self) -> Connection:
        """The openstacksdk connection the run uses."""
        return self._conn

    @property
    def run_id(self) -> str:
        """The run's id: 8 hex digits, or the one asked for."""
        return self._run_id

    @property
    def keep(self) -> bool:
        """True with --keep: the run leaves its servers (delete skips)."""
        return self._keep

    @property
    def on_change(self) -> OnChange | None:
        """Called on each server status change a wait sees (or None):
        ``on_change(server_id, server, old_status, elapsed)``."""
        return self._on_change

    @property
    def tag(self) -> dict[str, str]:
        """The metadata a server booted by this run carries: {TAG: run id}."""
        return {self.TAG: self.run_id}

    @property
    def pinger(self) -> reach.Pinger:
        """What pings from this host (:class:`osops.scenario.reach.HostPinger`
        unless the run was given another)."""
        if self._pinger is None:
            self._pinger = reach.HostPinger()
        return self._pinger

    def server_name(self, name: str) -> str:
        """The name a server called *name* in a scenario gets: osops-<run id>-NAME."""
        return f"osops-{self.run_id}-{name}"

    def creating(self) -> None:
        """Say so just before a create request: cleanup then also looks for
        servers by the run's tag."""
        self._created.attempted = True

    def track(self, servers: Iterable[Server]) -> None:
        """Remember *servers* as booted by this run: cleanup deletes them."""
        for s in servers:
            self._created.servers[s.id] = s

    def run_groups(self) -> list[SecurityGroup]:
        """The run's own security group (a list of one
        :class:`~osops.models.SecurityGroup`), which lets ping and SSH in
        (osops-<run id>-sg), made at the first call."""
        if not self._created.groups:
            self.creating()
            description = f"osops run {self.run_id}: ping and SSH in, for its servers"
            self._created.groups.append(
                security_groups.create_open_group(self.conn, cleanup.group_name(self.run_id), description))
        return list(self._created.groups)

    def run_key_file(self) -> str:
        """The private key file of the keypair this run made last ('' when
        it made none): what its ssh steps log in with unless told."""
        keys = self._created.keypairs
        return keys[-1].private_key_file if keys else ""

    def create_keypair(self, name: str) -> Keypair:
        """A new keypair osops-<run id>-NAME of this run (its public key's
        comment ``osops run <run id>``, as cleanup finds it), its private
        key in a directory of the run's own (mode 0700) that cleanup
        removes with the keypair; a :class:`~osops.models.Keypair` whose
        ``private_key_file`` is that key."""
        self.creating()
        self._created.keypairs_attempted = True
        if self._created.key_dir is None:
            self._created.key_dir = tempfile.mkdtemp(prefix=f"osops-{self.run_id}-keys-")
        made = keypairs.create_keypair(self.conn, self.server_name(keypairs.check_name(name)),
                                       private_key_file=os.path.join(self._created.key_dir, name),
                                       comment=cleanup.keypair_comment(self.run_id))
        self._created.keypairs.append(made)
        return made

    def track_rules(self, rule_ids: Iterable[str]) -> None:
        """Remember security group rules this run added: cleanup removes them."""
        self._created.rules.extend(rule_ids)

    def floating_ip_description(self, server_name: str) -> str:
        """Say so just before allocating a floating IP for *server_name*:
        cleanup then also looks for the run's floating IPs; returns the
        description that marks it as the run's."""
        self.creating()
        self._created.floating_ips_asked = True
        return cleanup.floating_ip_description(self.run_id, server_name)

    def track_floating_ips(self, floating_ips: Iterable[FloatingIP]) -> None:
        """Remember *floating_ips* as allocated by this run: cleanup releases them."""
        self._created.floating_ips.extend(floating_ips)

    def remaining(self) -> float:
        """Seconds left before the run's time limit (never below 0)."""
        return max(self._deadline - self._clock(), 0.0)

    def wait_timeout(self, step: Step) -> float:
        """How long a wait in *step* may take: its timeout: (default
        300 s), no longer than the time left."""
        return max(min(step.timeout or DEFAULT_WAIT, self.remaining()), 0.001)

    def sleep(self, seconds: float) -> None:
        """Sleep *seconds* (the run's sleep function: tests pass their own)."""
        self._sleep(seconds)

    def delete_servers(self, servers: Sequence[Server], wait: bool = True, timeout: float = DEFAULT_WAIT) -> None:
        """Delete *servers* (and with *wait* wait until gone); cleanup then
        leaves them alone."""
        cleanup.remove(self.conn, servers, wait, timeout, on_gone=self._created.gone.add,
                       on_change=self.on_change)

    def find_servers(self, items: Iterable[Server | str], addresses: bool = False,
                     fresh: bool = False) -> list[Any]:
        """Servers (and, with *addresses*, IP addresses) for a step's items:
        saved servers as they are (as listed now with *fresh*, gone ones
        left out), names and ids resolved from one list call."""
        names = [i for i in items if isinstance(i, str) and not (addresses and is_address(i))]
        listed = list_servers(self.conn) if names or fresh else None
        named = iter(resolve_many("server", names, listed) if names and listed is not None else [])
        current = {s.id: s for s in listed} if listed is not None else {}
        out: list[Any] = []
        for item in items:
            if isinstance(item, str):
                out.append(item if addresses and is_address(item) else next(named))
            elif fresh:
                if item.id in current:
                    out.append(current[item.id])
            else:
                out.append(item)
        return out

    def table(self, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
        """*rows* under *columns* as the lines of a table (none for no rows)."""
        return tabulate(rows, headers=columns, tablefmt="psql").splitlines() if rows else []


def is_address(text: str) -> bool:
    """True when *text* is an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False
