"""What the bench needs before it measures: the loopback cloud up, OSC in
bench/.venv, osops, and the environment both tools run with."""

import os
import pathlib
import subprocess
import sys

from bench.tools import CACHE, HERE, ROOT, VENV

DEVCLOUD = ROOT / "tools" / "devcloud" / "devcloud"
STATE = pathlib.Path(os.environ.get("OSOPS_DEVCLOUD_DIR", "/var/tmp/osops-devcloud"))
CLOUD = "devstack-admin"


def base_env(clouds_yaml=None, cloud=CLOUD):
    """The tools' environment: no OS_*/OSOPS_*/proxy variables of the caller."""
    # PYTHONDONTWRITEBYTECODE left out: each tool's byte code is compiled once, not in every timed run
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "OSOPS_"))
           and not k.lower().endswith("_proxy") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(OS_CLIENT_CONFIG_FILE=str(clouds_yaml or STATE / "clouds.yaml"), OS_CLOUD=cloud,
               XDG_CACHE_HOME=str(CACHE))
    return env


def ensure_cloud():
    if subprocess.run([str(DEVCLOUD), "status"], capture_output=True).returncode != 0:
        print("bringing the loopback cloud up (tools/devcloud/devcloud up) ...", flush=True)
        subprocess.run([str(DEVCLOUD), "up"], check=True)
    if not (STATE / "clouds.yaml").is_file():
        raise SystemExit(f"no {STATE / 'clouds.yaml'}: is tools/devcloud up?")


def ensure_osc():
    exe = VENV / "bin" / "openstack"
    if not exe.exists():
        print(f"installing python-openstackclient into {VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "-r",
                        str(HERE / "requirements-osc.txt")], check=True)
    return exe


def ensure_osops(path):
    if path:
        return pathlib.Path(path)
    for exe in (ROOT / ".venv" / "bin" / "osops", HERE / ".venv-osops" / "bin" / "osops"):
        if exe.exists():
            return exe
    venv = HERE / ".venv-osops"
    print(f"installing osops into {venv} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-e", str(ROOT)], check=True)
    return venv / "bin" / "osops"


def version_of(venv_python, dist):
    code = f"import importlib.metadata as m; print(m.version({dist!r}))"
    done = subprocess.run([str(venv_python), "-c", code], capture_output=True, text=True)
    return done.stdout.strip() or "?"
