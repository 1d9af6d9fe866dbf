"""The default rows of bench/run: each gives, per tool, a function of a
fresh server-name stem that returns the steps one timed "run" consists of."""

import dataclasses
from collections.abc import Callable

from bench import ssh_loop
from bench.tools import Step

IMAGE, FLAVOR, NETWORK = "cirros-0.6.2-x86_64-disk", "m1.tiny", "private"
CHOSEN = {"image": IMAGE}  # bench/run --image changes it
WHERE = {}  # the SSH loop's token, endpoint and namespace: filled before rows that boot until SSH answers


def boot_args(ssh=False):
    """What both tools boot with (the SSH rows: with the bench's open group)."""
    return ["--image", CHOSEN["image"], "--flavor", FLAVOR, "--network", NETWORK,
            *(["--security-group", ssh_loop.GROUP] if ssh else [])]
@dataclasses.dataclass
class Row:
    """A row: *kind* "local" (no API: the floor is Python starting), "list"
    (the floor replays osops's requests) or "boot" (the floor is the
    cloud's own time).  *before* and *after* run untimed around each run,
    given the run's stem (the scale rows' servers)."""

    key: str
    title: str
    osops: Callable[[str], list]
    osc: Callable[[str], list]
    kind: str
    note: str = ""
    ssh: bool = False
    before: Callable[[str], None] | None = None
    after: Callable[[str], None] | None = None


def many(stem, count):
    return [f"{stem}-{i}" for i in range(1, count + 1)]


def argvs(*argvs):
    return [Step(a) for a in argvs]


def _boot_row(key, title, count, note=""):
    names = (lambda n: [n]) if count == 1 else (lambda n: many(n, count))
    osc_count = [] if count == 1 else ["--min", str(count), "--max", str(count)]
    osops_count = [] if count == 1 else ["--count", str(count)]
    return Row(key, title,
               lambda n: [Step(["boot", n, *osops_count, *boot_args()], "boot"),
                          Step(["delete", *names(n), "--wait"], "delete")],
               lambda n: [Step(["server", "create", *boot_args(), *osc_count, "--wait", n], "boot"),
                          Step(["server", "delete", "--wait", *names(n)], "delete")],
               "boot", note)


def _ssh_row(key, title, count, note):
    names = (lambda n: [n]) if count == 1 else (lambda n: many(n, count))
    osc_count = [] if count == 1 else ["--min", str(count), "--max", str(count)]
    osops_count = [] if count == 1 else ["--count", str(count)]
    return Row(key, title,
               lambda n: [Step(["boot", n, *osops_count, *boot_args(ssh=True), "--wait-for", "ssh"], "boot"),
                          Step(["delete", *names(n), "--wait"], "delete")],
               lambda n: [Step(["server", "create", *boot_args(ssh=True), *osc_count, "--wait", n], "boot"),
                          Step(ssh_loop.SshLoop(names(n), WHERE)),
                          Step(["server", "delete", "--wait", *names(n)], "delete")],
               "boot", note, ssh=True)


ROWS = [
    Row("help", "`--help`", lambda n: argvs(["--help"]), lambda n: argvs(["--help"]), "local"),
    Row("version", "`--version`", lambda n: argvs(["--version"]), lambda n: argvs(["--version"]), "local"),
    Row("image-list", "`image list`", lambda n: argvs(["image", "list"]), lambda n: argvs(["image", "list"]), "list"),
    Row("image-list-cold", "`image list`, osops cold (`--no-cache`)",
        lambda n: argvs(["--no-cache", "image", "list"]), lambda n: argvs(["image", "list"]), "list",
        note="osops authenticates and discovers as OSC does"),
    Row("flavor-list", "`flavor list`", lambda n: argvs(["flavor", "list"]), lambda n: argvs(["flavor", "list"]),
        "list"),
    Row("server-list", "`server list`", lambda n: argvs(["server", "list"]), lambda n: argvs(["server", "list"]),
        "list"),
    _boot_row("boot", "boot + wait + delete, by names", 1),
    _boot_row("boot-10", "10 servers: boot + wait + delete", 10,
              note="OSC's `--wait` waits for the first of the 10 only, which favours OSC"),
    _ssh_row("boot-ssh", "boot until SSH answers + delete (a real guest)", 1,
             note="after OSC, the same loop osops runs: list the servers until they have an address, then "
                  "wait until it answers with an SSH banner, from the network's namespace; the floor is "
                  "the cloud's boot and delete, the guest's own boot to SSH is over it"),
    _ssh_row("boot-5-ssh", "5 guests at once: boot until SSH answers + delete", 5,
             note="the same SSH loop after OSC, for all 5"),
]
