"""The built-in offline demo cloud: sessions recorded from the loopback
cloud (tools/devcloud), replayed so that osops runs with no cloud at all.

Each command replays its own recording, so every run starts from the
state in which that command was recorded.
"""

import pathlib

HERE = pathlib.Path(__file__).parent
ALIASES = {"server create": "boot", "server suspend": "suspend", "server resume": "resume",
           "server delete": "delete"}
NOTICE = "osops demo cloud: replaying {file} recorded from a real cloud; nothing leaves this machine"


def is_demo(cloud):
    """True when *cloud* is "demo" and clouds.yaml defines no cloud of that name."""
    if cloud != "demo":
        return False
    from openstack import config as sdk_config

    return "demo" not in sdk_config.OpenStackConfig().get_cloud_names()


def recording(command):
    """The cassette for *command* (e.g. "image list"), or a clean error."""
    from osops.errors import UsageError

    name = ALIASES.get(command, command).replace(" ", "-")
    path = HERE / f"{name}.json"
    if not path.exists():
        have = ", ".join(sorted(p.stem.replace("-", " ") for p in HERE.glob("*.json")))
        raise UsageError(f"the demo cloud has no recording of '{command}'; it has: {have}")
    return path


def connect(command, warn):
    """A connection answered by the recording of *command*."""
    from osops.cloud import connect as cloud_connect
    from osops.testing.replay import Replay

    path = recording(command)
    warn(NOTICE.format(file=f"osops/demo/{path.name}"))
    player = Replay(str(path))
    conn = cloud_connect(None, warn=warn, session=player.session(), auth_url=player.auth_url,
                         username="admin", password="demo", project_name="admin",
                         user_domain_id="default", project_domain_id="default",
                         identity_api_version="3")
    conn.osops_replayed = True  # its addresses are recorded ones: never ping them
    return conn
