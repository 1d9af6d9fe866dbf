"""The built-in offline demo cloud: sessions recorded from the loopback
cloud (tools/devcloud), replayed so that osops runs with no cloud at all.

Each command replays its own recording, so every run starts from the
state in which that command was recorded.  tools/record-cassettes writes
them, with the loopback cloud's old uec cirros images hidden: the demo
has the one cirros image of today's devstack.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from osops import recordings

if TYPE_CHECKING:
    from openstack.connection import Connection

ALIASES = {"server create": "boot", "server suspend": "suspend", "server resume": "resume",
           "server delete": "delete"}
NOTICE = "osops demo cloud: replaying {file} recorded from a real cloud; nothing leaves this machine"


def is_demo(cloud: str | None) -> bool:
    """True when *cloud* is "demo" and clouds.yaml defines no cloud of that name."""
    if cloud != "demo":
        return False
    from openstack import config as sdk_config

    return "demo" not in sdk_config.OpenStackConfig().get_cloud_names()


def recording(command: str) -> pathlib.Path:
    """The cassette for *command* (e.g. "image list"), or a clean error.

    What the demo replays is declared in :mod:`osops.recordings`: the
    recording whose command line runs *command*."""
    from osops.errors import UsageError

    words = ALIASES.get(command, command).split()
    for rec in recordings.for_demo():
        path = recordings.demo_path(rec.name)
        if list(rec.demo_argv or ())[:len(words)] == words and path is not None:
            return path
    have = ", ".join(sorted(shown(rec) for rec in recordings.for_demo()))
    raise UsageError(f"the demo cloud has no recording of '{command}'; it has: {have}")


def shown(rec: recordings.Recording) -> str:
    """A demo recording as the demo lists it: its command (the recording
    is named after it), or ``scenario run`` and the scenario (named after
    the scenario)."""
    if list(rec.demo_argv or ())[:2] == ["scenario", "run"]:
        return f"scenario run {rec.name}"
    return rec.name.replace("-", " ")


def connect(command: str, warn: Callable[[str], None],
            check: Callable[[str | None], None] | None = None) -> Connection:
    """A connection answered by the recording of *command*.

    *check*, when given, is called with the recorded command line first
    and raises when the command line run is not that one.  The
    configuration is built here, not read: neither clouds.yaml nor
    OS_CLOUD/OS_* variables (which named this demo) are looked at again.
    """
    from osops.cloud import connect as connect_to
    from osops.testing.replay import Replay

    path = recording(command)
    player = Replay(str(path))
    if check is not None:
        check(player.command)
    warn(NOTICE.format(file=f"osops/demo/{path.name}"))
    conn = connect_to(warn=warn, session=player.session(), only_options=True, identity_api_version="3",
                      auth_url=player.auth_url, username="admin", password="demo", project_name="admin",
                      user_domain_id="default", project_domain_id="default")
    marks: Any = conn  # osops's own marks on the connection
    marks.osops_replayed = True  # its addresses are recorded ones: never ping them
    marks.osops_recorded = player.command
    return conn


def run_id(conn: Connection, scenario: str, wanted: str | None) -> str | None:
    """The run id for a run of *scenario* (its name) on *conn*: *wanted*
    (None: a random one) on a real cloud.  On the demo, the run id of the
    recorded run, since the recorded server names and tag queries carry
    it; a run the demo did not record is a clean error."""
    command = getattr(conn, "osops_recorded", None)
    if command is None:
        return wanted
    from osops.errors import UsageError

    recorded = _option(command, "--run-id")
    if scenario != _scenario(command):
        raise UsageError(f"the demo cloud has recorded '{command.split(' --')[0]}', not a run of {scenario}")
    if wanted not in (None, recorded):
        raise UsageError(f"the demo cloud recorded this run with --run-id {recorded}; leave --run-id out")
    return recorded


def _scenario(command):
    """The scenario a recorded run command ran: ``smoke ...`` -> smoke,
    ``scenario run lab-demo ...`` -> lab-demo."""
    words = command.split()
    return words[2] if words[:2] == ["scenario", "run"] and len(words) > 2 else words[0]


def _option(command, name):
    """The value of option *name* in a recorded command line, or None."""
    words = (command or "").split()
    for i, word in enumerate(words):
        if word == name and i + 1 < len(words):
            return words[i + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None
