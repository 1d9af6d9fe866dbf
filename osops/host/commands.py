"""Running the host's own tools (ip, ovs-vsctl, virsh, ping)."""

import grp
import os
import shutil
import subprocess
from collections.abc import Sequence

from osops.errors import OsopsError

C_LOCALE = {"LC_ALL": "C", "LANG": "C"}
# Debian packages that bring the tools.
PACKAGES = {"ip": "iproute2", "ping": "iputils-ping", "ovs-vsctl": "openvswitch-switch",
            "virsh": "libvirt-clients"}


def have(tool: str) -> bool:
    """True when *tool* is on PATH (or in /sbin, /usr/sbin)."""
    return find(tool) is not None


def find(tool: str) -> str | None:
    """The path of *tool*, also looking in the sbin folders a user's PATH may lack."""
    path = os.environ.get("PATH", os.defpath) + ":/usr/local/sbin:/usr/sbin:/sbin"
    return shutil.which(tool, path=path)


def run(argv: Sequence[str], timeout: float = 30, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run *argv* in the C locale and return the CompletedProcess (text).

    A missing tool is an :class:`OsopsError` naming the package, one that
    cannot be started (e.g. a file capability beyond this process's bounding
    set) one whose ``__cause__`` is the OSError; with *check*, so is a
    non-zero exit, with the tool's last stderr line.
    """
    path = find(argv[0])
    if path is None:
        raise OsopsError(f"{argv[0]} is not installed", f"install {PACKAGES.get(argv[0], argv[0])}")
    env = dict(os.environ, **C_LOCALE)
    try:
        done = subprocess.run(argv, executable=path, capture_output=True, text=True, env=env,
                              timeout=timeout, check=False)  # argv[0] as given: "ping: ...", not "/usr/bin/ping: ..."
    except subprocess.TimeoutExpired:
        raise OsopsError(f"{' '.join(argv)} did not finish in {timeout} s") from None
    except OSError as exc:
        raise OsopsError(f"cannot run {path}: {exc.strerror}") from exc
    if check and done.returncode != 0:
        raise OsopsError(f"{' '.join(argv)} failed: {last_line(done.stderr) or f'exit {done.returncode}'}")
    return done


def last_line(text: str | None) -> str:
    """The last non-empty line of *text*, stripped ('' for none)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def socket_advice(sock: str) -> str:
    """What to do when a daemon's socket *sock* refused this user: sudo, or
    join the socket's group (never open it to everyone)."""
    try:
        gid = os.stat(sock).st_gid
        group = grp.getgrgid(gid).gr_name
    except (OSError, KeyError):
        return "run with sudo, or join the group that owns the socket"
    if gid == 0:
        return f"run with sudo (the socket's group is {group})"
    return f"run with sudo, or join the socket's group: sudo usermod -aG {group} $USER, then log in again"
