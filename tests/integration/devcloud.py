"""Helpers of the integration tests: find the loopback cloud of
tools/devcloud and run the real osops CLI against it as a subprocess."""

import ipaddress
import json
import os
import pathlib
import re
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
STATE = pathlib.Path(os.environ.get("OSOPS_DEVCLOUD_DIR", "/var/tmp/osops-devcloud"))
KEYSTONE = "http://127.0.0.1:5000"
PRIVATE = ipaddress.ip_network("10.0.0.0/26")


def why_not_up():
    """One line saying why the cloud cannot be used, or None."""
    clouds = STATE / "clouds.yaml"
    if not clouds.is_file():
        return f"loopback cloud not up: no {clouds} (run tools/devcloud/devcloud up)"
    try:
        urllib.request.urlopen(KEYSTONE + "/v3", timeout=5).close()
    except urllib.error.HTTPError as e:
        if e.code >= 500:
            return f"loopback cloud not up: Keystone answers {e.code} at {KEYSTONE}"
    except OSError as e:
        return f"loopback cloud not up: Keystone does not answer at {KEYSTONE} ({e})"
    try:
        names = set(yaml.safe_load(clouds.read_text())["clouds"])
    except (OSError, KeyError, TypeError, yaml.YAMLError) as e:
        return f"loopback cloud not usable: cannot read {clouds} ({e})"
    if not {"devstack-admin", "devstack"} <= names:
        return f"loopback cloud not usable: {clouds} lacks devstack-admin or devstack"
    return None


def mode():
    """The loopback cloud's networking: "ovn", "light" (or None before its first up)."""
    try:
        return (STATE / "state" / "mode").read_text().strip()
    except OSError:
        return None


def virt():
    """The loopback cloud's servers: "kvm" or "qemu" (real guests), "fake", or None."""
    try:
        return (STATE / "state" / "virt").read_text().split()[0]
    except (OSError, IndexError):
        return None


def ovn_env():
    """Where OVS and OVN tools (and osops bridge/doctor) find the cloud's
    sockets, as its openrc exports them; {} for a light cloud."""
    return ({"OVS_RUNDIR": str(STATE / "run" / "ovs"), "OVN_RUNDIR": str(STATE / "run" / "ovn")}
            if mode() == "ovn" else {})


class Cloud:
    """Runs `python -m osops` against the loopback cloud."""

    def __init__(self, home):
        self.state = STATE
        self.clouds_yaml = STATE / "clouds.yaml"
        self.home = home
        self.prefix = f"itest-{uuid.uuid4().hex[:6]}"
        admin = yaml.safe_load(self.clouds_yaml.read_text())["clouds"]["devstack-admin"]
        self.password = admin["auth"]["password"]

    def env(self, **extra):
        """The caller's environment without OS_*, OSOPS_* or proxies, plus extra."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("OS_", "OSOPS_")) and not k.lower().endswith("_proxy")
        }
        env.update(HOME=str(self.home), XDG_CONFIG_HOME=str(self.home / ".config"))
        env.update(ovn_env())
        env.update(extra)
        return env

    def os_env(self, **extra):
        """Password auth from OS_* variables, as the seed's openrc sets them."""
        return self.env(
            OS_AUTH_URL=KEYSTONE + "/v3",
            OS_USERNAME="admin",
            OS_PASSWORD=self.password,
            OS_PROJECT_NAME="admin",
            OS_USER_DOMAIN_ID="default",
            OS_PROJECT_DOMAIN_ID="default",
            OS_REGION_NAME="RegionOne",
            OS_IDENTITY_API_VERSION="3",
            **extra,
        )

    def cloud_env(self, **extra):
        """Auth from the written clouds.yaml (pass --os-cloud NAME)."""
        return self.env(OS_CLIENT_CONFIG_FILE=str(self.clouds_yaml), **extra)

    def run(self, *args, env=None, timeout=120):
        return subprocess.run(
            [sys.executable, "-m", "osops", *args],
            env=self.os_env() if env is None else env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def ok(self, *args, **kw):
        """Run, assert exit 0, return stdout parsed as JSON (pass -f json)."""
        done = self.run(*args, **kw)
        assert done.returncode == 0, f"osops {' '.join(args)}: {done.returncode}\n{done.stderr}"
        return json.loads(done.stdout)

    def servers(self):
        return {s["Name"]: s for s in self.ok("server", "list", "-f", "json")}

    def connect(self):
        """An osops (openstacksdk) connection as admin, for what the CLI cannot do yet."""
        import osops

        return osops.connect(auth_url=KEYSTONE + "/v3", username="admin", password=self.password,
                             project_name="admin", user_domain_id="default", project_domain_id="default")


def addresses(networks):
    """IPv4 addresses of a Networks cell: {network: [addresses]} as -f json gives it, or the
    table's 'private=10.0.0.5, ...'."""
    text = " ".join(a for found in networks.values() for a in found) if isinstance(networks, dict) else networks
    return [ipaddress.ip_address(a) for a in re.findall(r"\d+\.\d+\.\d+\.\d+", text)]


def one_line(text):
    """stderr is exactly one non-empty line and no traceback."""
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) == 1 and "Traceback" not in text
