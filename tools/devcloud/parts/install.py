"""What the cloud needs on the machine: Debian packages and the services'
virtualenv.

Packages are installed once with a ``policy-rc.d`` that keeps their
system-wide daemons from starting (the cloud starts its own, under its
state directory); ``down`` leaves them installed.  The services' venv is
``venv-<hash of requirements.txt, constraints.txt, Python>``; a venv of
older requirements is deleted when a new one is built, ``purge`` keeps it.
"""

import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
import time

from parts.paths import DIR, HERE, LOGS, CannotRun, log

BASE_PACKAGES = ["mariadb-server", "rabbitmq-server", "iproute2"]
# ML2/OVN: OVS and OVN daemons, haproxy and iptables for the metadata agent,
# busybox's udhcpc for the servers' DHCP, ethtool for their veths' checksums.
OVN_PACKAGES = ["openvswitch-switch", "ovn-central", "ovn-host", "haproxy", "iptables",
                "busybox-static", "ethtool"]
# Real guests: libvirt's daemon and QEMU driver, QEMU, what builds libvirt-python,
# and genisoimage, which makes Nova's config drives.
VIRT_PACKAGES = ["libvirt-daemon", "libvirt-daemon-driver-qemu", "libvirt-clients", "libvirt-dev",
                 "pkg-config", "qemu-system-x86", "qemu-utils", "genisoimage"]
PROGRAMS = {"mariadb-server": "/usr/sbin/mariadbd",
            "rabbitmq-server": "/usr/lib/rabbitmq/bin/rabbitmq-server",
            "iproute2": "ip",
            "openvswitch-switch": "/usr/sbin/ovs-vswitchd", "ovn-central": "/usr/bin/ovn-northd",
            "ovn-host": "/usr/bin/ovn-controller", "haproxy": "/usr/sbin/haproxy",
            "iptables": "/usr/sbin/iptables", "busybox-static": "/bin/busybox",
            "ethtool": "ethtool", "libvirt-daemon": "/usr/sbin/libvirtd",
            "libvirt-daemon-driver-qemu": "/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so",
            "libvirt-clients": "virsh", "libvirt-dev": "/usr/lib/x86_64-linux-gnu/pkgconfig/libvirt.pc",
            "pkg-config": "pkg-config", "qemu-system-x86": "qemu-system-x86_64", "qemu-utils": "qemu-img",
            "genisoimage": "genisoimage"}
CAP_NET_ADMIN = 12
CLONE_NEWNET = 0x40000000


def packages_for(mode, virt="fake"):
    return BASE_PACKAGES + (OVN_PACKAGES if mode == "ovn" else []) + (VIRT_PACKAGES if virt != "fake" else [])


def check_can_run(mode):
    """CannotRun saying why this machine cannot host the cloud."""
    if sys.platform != "linux":
        raise CannotRun("needs Linux (this is %s)" % sys.platform)
    if os.geteuid() != 0:
        raise CannotRun("needs root (to install Debian packages and run MariaDB/RabbitMQ)")
    if missing(mode) and not shutil.which("apt-get"):
        raise CannotRun("needs apt-get to install %s" % " ".join(missing(mode)))
    why = namespaces_refused()
    if why:
        raise CannotRun("root may not make the network namespaces and bridges its servers need (%s): "
                        "in a container, run it with --privileged" % why)
    try:
        import ensurepip  # noqa: F401
    except ImportError:
        raise CannotRun("%s cannot make virtualenvs (no ensurepip)" % sys.executable) from None


def namespaces_refused():
    """Why this process cannot make network namespaces and bridges, or
    None: one namespace is made, by a child that takes it away as it exits."""
    with open("/proc/self/status") as f:
        caps = int(next(line.split()[1] for line in f if line.startswith("CapEff:")), 16)
    if not caps >> CAP_NET_ADMIN & 1:
        return "no CAP_NET_ADMIN"
    pid = os.fork()
    if pid == 0:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            os._exit(0 if libc.unshare(CLONE_NEWNET) == 0 else ctypes.get_errno() or 1)
        finally:  # never back into devcloud, whatever happened
            os._exit(1)
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    return "unshare(CLONE_NEWNET): %s" % os.strerror(code) if code else None


def missing(mode, virt="fake"):
    """The packages of *mode* and *virt* not (completely) installed."""
    wanted = packages_for(mode, virt)
    r = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Status}\\n"] + wanted,
                       capture_output=True, text=True)
    ok = {line.split()[0] for line in r.stdout.splitlines() if line.endswith("install ok installed")}
    return [p for p in wanted if p not in ok or not _have(PROGRAMS[p])]


def _have(program):
    """Is *program* (a path, or a command's name) there?"""
    if os.path.isabs(program):
        return os.path.exists(program)
    return shutil.which(program, path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") is not None


def install_packages(mode, virt="fake"):
    todo = missing(mode, virt)
    if not todo:
        return
    log("installing %s (no system-wide daemons)" % " ".join(todo))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    policy = "/usr/sbin/policy-rc.d"
    saved = policy + ".devcloud-saved"
    if os.path.exists(policy):
        os.rename(policy, saved)
    try:
        with open(policy, "w") as f:
            f.write("#!/bin/sh\n# written by osops devcloud during its install\nexit 101\n")
        os.chmod(policy, 0o755)
        with open(os.path.join(LOGS, "apt.log"), "ab") as out:
            for attempt in (1, 2):  # one retry for a flaky mirror
                try:
                    subprocess.run(["apt-get", "update", "-q"], stdout=out, stderr=subprocess.STDOUT,
                                   env=env, check=True)
                    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends"] + todo,
                                   stdout=out, stderr=subprocess.STDOUT, env=env, check=True)
                    break
                except subprocess.CalledProcessError:
                    if attempt == 2:
                        raise
                    time.sleep(5)
    except subprocess.CalledProcessError:
        raise RuntimeError("apt-get failed; see %s/apt.log" % LOGS) from None
    finally:
        os.unlink(policy)
        if os.path.exists(saved):
            os.rename(saved, policy)


def venv_dir():
    h = hashlib.sha256()
    for f in ("requirements.txt", "constraints.txt"):
        with open(os.path.join(HERE, f), "rb") as fh:
            h.update(fh.read())
    h.update(sys.version.encode())
    return os.path.join(DIR, "venv-" + h.hexdigest()[:12])


def ensure_venv():
    """The services' venv, built when missing (about a minute)."""
    venv = venv_dir()
    if os.path.exists(os.path.join(venv, ".devcloud-complete")):
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    log("building the services' virtualenv %s (about a minute)" % venv)
    t = time.time()
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    with open(os.path.join(LOGS, "pip.log"), "ab") as out:
        r = subprocess.run(
            [venv + "/bin/pip", "install", "-q", "--disable-pip-version-check",
             "-r", os.path.join(HERE, "requirements.txt"), "-c", os.path.join(HERE, "constraints.txt")],
            stdout=out, stderr=subprocess.STDOUT)
    if r.returncode:
        raise RuntimeError("pip install failed; see %s/pip.log" % LOGS)
    open(os.path.join(venv, ".devcloud-complete"), "w").close()
    for old in os.listdir(DIR):  # drop venvs of older requirements
        if old.startswith("venv-") and os.path.join(DIR, old) != venv:
            shutil.rmtree(os.path.join(DIR, old), ignore_errors=True)
    log("virtualenv ready in %.0fs" % (time.time() - t))
    return venv
