"""Every recorded API session osops replays, each declared once.

A :class:`Recording` names a cassette, the command line that records it
on the loopback cloud (tools/devcloud) and whether the demo cloud replays
a recording of it too.  ``tools/record-cassettes`` records exactly these,
in this order (later sessions see what earlier ones made);
:mod:`osops.demo` replays the demo's; the tests load theirs through
:func:`cassette_path`, and a test fails when a cassette file has no
declaration here or a declaration no file.

::

    Recording("image-list", ("image", "list"), demo=True)

is ``tests/cassettes/image-list.json`` and ``osops/demo/image-list.json``,
both recorded with ``osops --record FILE image list``.
"""

from __future__ import annotations

import pathlib
from collections.abc import Collection
from dataclasses import dataclass

DEMO_DIR = pathlib.Path(__file__).parent / "demo"
TESTS_DIR = pathlib.Path(__file__).parent.parent / "tests" / "cassettes"  # in a source checkout

IMAGE = "cirros-0.6"
UEC = ("cirros-0.3.4-x86_64-uec", "cirros-0.3.4-x86_64-uec-kernel", "cirros-0.3.4-x86_64-uec-ramdisk")
MANY = tuple(f"many-{i}" for i in range(1, 11))
RECORDED_KEY = "tests/unit/data/recorded-key.pub"  # a public key imported (its private half was thrown away)
ACCESS = "tests/unit/data/access.yaml"  # a scenario with a keypair and allow steps
USER_DATA = "tests/unit/data/user-data.sh"  # a boot's user data (a script the guest runs)
BRIDGE = "{bridge}"  # stands for hostrec's network's bridge, brq<network id>, filled in when recording
PRINTED = "{printed}"  # stands for what the recording's last before step printed, filled in when recording
FIP_SERVER = "h2-fip"  # the server the floating IP and console sessions give an address to and read

# Where a session is recorded (tools/record-cassettes sets each one up).
CLOUD = "the admin cloud"
LEGACY = "an old openrc: OS_AUTH_URL=.../v2.0, OS_TENANT_NAME"
HOST = "the admin cloud, with hostrec and a router on private"
ROUTER_VIEW = HOST + ", from a mount namespace whose only netns is an empty qrouter-"
HOST_MANY = HOST + ", after 40 more interfaces on hostrec"
STAGES = (CLOUD, LEGACY, HOST, ROUTER_VIEW, HOST_MANY)


@dataclass(frozen=True)
class Recording:
    """One cassette.

    *argv* records ``tests/cassettes/NAME.json`` (None: the tests have
    none); *demo* is True when ``osops/demo/NAME.json`` is recorded with
    the same command line (with the uec images hidden), a command line of
    its own, or False.  *exit* is the status the recording run must end
    with; *stage* where it runs; *before* and *after* are command lines
    run around the tests' recording, not recorded.
    """

    name: str
    argv: tuple[str, ...] | None
    exit: int = 0
    demo: bool | tuple[str, ...] = False
    stage: str = CLOUD
    before: tuple[tuple[str, ...], ...] = ()
    after: tuple[tuple[str, ...], ...] = ()

    @property
    def demo_argv(self) -> tuple[str, ...] | None:
        """The command line of the demo's recording, or None."""
        return self.argv if self.demo is True else (self.demo or None)


RECORDINGS = (
    Recording("image-list", ("image", "list"), demo=True),
    Recording("flavor-list", ("flavor", "list"), demo=True),
    Recording("boot", ("boot", "demo-1", "--flavor", "m1.tiny", "--image", IMAGE),
              demo=("boot", "demo-1", "--flavor", "m1.tiny", "--image", "cirros")),
    # several servers, one booted from the uec image
    Recording("server-list", ("server", "list"), demo=True,
              before=(("boot", "many", "--count", "10", "--flavor", "m1.tiny", "--image", IMAGE),
                      ("boot", "uec1", "--flavor", "m1.tiny", "--image", UEC[0])),
              after=(("delete", *MANY, "uec1", "--wait"),)),
    Recording("server-show", ("server", "show", "demo-1"), demo=True),
    Recording("suspend", ("suspend", "demo-1", "--wait"), demo=True),
    Recording("resume", ("resume", "demo-1", "--wait"), demo=True),
    # a fake-virt server: nothing answers, and the demo sends nothing
    Recording("ping", None, exit=1, demo=("ping", "demo-1")),
    Recording("delete", ("delete", "demo-1", "--wait"), demo=True),
    # diagnose of a guest in the project's default group, which lets in only its own members: ICMP and
    # SSH from the network's namespace FAIL (exit 1).  The ping waits ~15 s for the guest's login prompt.
    Recording("diagnose", ("diagnose", "h5-diag"), exit=1,
              before=(("boot", "h5-diag", "--flavor", "m1.tiny", "--image", IMAGE, "--network", "private"),
                      ("ping", "h5-diag", "--netns", "auto", "--expect-fail", "--count", "15")),
              after=(("delete", "h5-diag", "--wait"),)),
    Recording("boot-count", ("boot", "lab", "--count", "3", "--flavor", "1", "--image", IMAGE)),
    Recording("delete-count", ("delete", "lab-1", "lab-2", "lab-3", "--wait")),
    # boot's options: a second NIC on private at a fixed address, the project's default group, user
    # data, a zone and a config drive
    Recording("boot-options", ("boot", "h4-opts", "--flavor", "m1.tiny", "--image", IMAGE, "--network", "private",
                               "--nic", "net-id=private,v4-fixed-ip=10.0.0.60", "--security-group", "default",
                               "--user-data", USER_DATA, "--availability-zone", "nova", "--config-drive"),
              after=(("delete", "h4-opts", "--wait"),)),
    Recording("boot-ambiguous", ("boot", "--flavor", "m1.tiny", "--image", "cirros"), exit=1),
    Recording("flavor-unknown", ("boot", "--flavor", "m1.huge", "--image", IMAGE), exit=1),
    # readiness past ACTIVE: the console log polled until it shows a login prompt
    Recording("boot-wait-login", ("boot", "h3-login", "--flavor", "m1.tiny", "--image", IMAGE, "--wait-for", "login"),
              after=(("delete", "h3-login", "--wait"),)),
    # ssh to a guest in the default group, which lets no SSH in: ssh's exit 255, said by osops
    Recording("ssh", ("ssh", "h3-ssh", "--batch", "--", "hostname"), exit=255,
              before=(("boot", "h3-ssh", "--flavor", "m1.tiny", "--image", IMAGE, "--wait-for", "login"),),
              after=(("delete", "h3-ssh", "--wait"),)),
    Recording("wrong-password", ("--os-password", "not-the-password", "image", "list"), exit=1),
    Recording("doctor", ("doctor", "--no-host"), demo=("doctor",)),
    Recording("doctor-nonadmin", ("--os-cloud", "devstack", "doctor", "--no-host")),
    # Scenarios, with fixed run ids (the tests and the demo name them);
    # smoke-keep leaves its server for the cleanup session.
    Recording("smoke", ("smoke", "--run-id", "smokerec1"), demo=("smoke", "--run-id", "demosmoke")),
    Recording("smoke-nonadmin", ("--os-cloud", "devstack", "smoke", "--only", "compute-services",
                                 "--run-id", "nonadmin1")),
    Recording("smoke-keep", ("smoke", "--keep", "--only", "boot", "--run-id", "keeprec1")),
    Recording("cleanup", ("cleanup", "--run", "keeprec1")),
    # keypairs and security groups (issue 14), each session seeing the ones before:
    # h1-key and h1-web are made, changed, shown and deleted again
    Recording("keypair-create", ("keypair", "create", "h1-key", "--public-key", RECORDED_KEY)),
    Recording("keypair-list", ("keypair", "list")),
    Recording("keypair-delete", ("keypair", "delete", "h1-key")),
    Recording("security-group-create", ("security", "group", "create", "h1-web", "--description", "osops tests")),
    Recording("security-group-allow", ("security", "group", "allow", "h1-web", "ssh")),
    Recording("security-group-allow-again", ("security", "group", "allow", "h1-web", "ssh")),
    Recording("security-group-allow-range", ("security", "group", "allow", "h1-web", "tcp:8000-8080",
                                             "--from", "10.0.0.0/24")),
    Recording("security-group-allow-group", ("security", "group", "allow", "h1-web", "ping", "--ipv6",
                                             "--from", "h1-web")),
    Recording("security-group-show", ("security", "group", "show", "h1-web")),
    Recording("security-group-list", ("security", "group", "list")),
    Recording("security-group-deny", ("security", "group", "deny", "h1-web", "ssh")),
    Recording("security-group-deny-again", ("security", "group", "deny", "h1-web", "ssh")),
    Recording("security-group-delete", ("security", "group", "delete", "h1-web")),
    # a scenario's keypair and allow steps; kept by one run for the cleanup session
    Recording("access", ("scenario", "run", ACCESS, "--run-id", "h1acc1")),
    Recording("access-keep", ("scenario", "run", ACCESS, "--keep", "--run-id", "h1keep1")),
    Recording("cleanup-access", ("cleanup", "--run", "h1keep1")),
    # the demo shows no host bridges (they are not the recorded cloud's)
    Recording("lab-demo", ("scenario", "run", "lab-demo", "--run-id", "labrec1"),
              demo=("scenario", "run", "lab-demo", "--run-id", "demolab", "--skip", "bridge")),
    # floating IPs and the console, on one server: allocated, listed, removed (kept), reused, then
    # deleted by its address (printed by an add that finds it there already); the cloud has no console proxy
    Recording("floating-ip-add", ("floating", "ip", "add", FIP_SERVER),
              before=(("boot", FIP_SERVER, "--flavor", "m1.tiny", "--image", IMAGE),)),
    Recording("floating-ip-list", ("floating", "ip", "list")),
    Recording("floating-ip-remove", ("floating", "ip", "remove", FIP_SERVER)),
    Recording("floating-ip-reuse", ("floating", "ip", "add", FIP_SERVER)),
    Recording("floating-ip-delete", ("floating", "ip", "delete", PRINTED),
              before=(("floating", "ip", "add", FIP_SERVER, "-f", "value", "-c", "floating_ip_address"),)),
    Recording("console-log", ("console", "log", FIP_SERVER, "--lines", "20")),
    Recording("console-url", ("console", "url", FIP_SERVER), exit=1,
              after=(("delete", FIP_SERVER, "--wait"),)),
    # the floating_ip and console scenario actions: a run's floating IP, released by its cleanup
    Recording("fip-console", ("scenario", "run", "tests/scenarios/fip-console.yaml", "--run-id", "h2fiprec1")),
    Recording("legacy-v2", ("image", "list"), stage=LEGACY),
    # hostrec has no floating address, so the ping sessions exit 1
    Recording("host-bridge-show", ("bridge", "show", BRIDGE), stage=HOST),
    Recording("host-ping-auto", ("ping", "hostrec", "--netns", "auto", "--address-type", "fixed",
                                 "--count", "1"), exit=1, stage=ROUTER_VIEW),
    Recording("host-ping-all", ("ping", "--all", "--address-type", "floating", "--count", "1"), exit=1,
              stage=HOST),
    Recording("host-bridge-show-many", ("bridge", "show", BRIDGE), stage=HOST_MANY),
)


def for_tests(stages: Collection[str] = STAGES) -> list[Recording]:
    """The recordings the tests have, in recording order (of *stages*)."""
    return [r for r in RECORDINGS if r.argv is not None and r.stage in stages]


def for_demo() -> list[Recording]:
    """The recordings the demo replays, in recording order."""
    return [r for r in RECORDINGS if r.demo_argv is not None]


def find(name: str) -> Recording:
    """The tests' recording *name*; KeyError unless it is declared."""
    for rec in for_tests():
        if rec.name == name:
            return rec
    raise KeyError(f"no tests' cassette {name!r} is declared in osops/recordings.py")


def cassette_path(name: str) -> pathlib.Path:
    """tests/cassettes/*name*.json; KeyError unless it is declared."""
    return TESTS_DIR / f"{find(name).name}.json"


def demo_path(name: str) -> pathlib.Path | None:
    """osops/demo/*name*.json, or None unless the demo replays it."""
    return DEMO_DIR / f"{name}.json" if name in {r.name for r in for_demo()} else None
