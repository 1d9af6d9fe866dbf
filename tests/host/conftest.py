"""Real kernel objects for the host tests: network namespaces, veth pairs,
Linux bridges and a private ovsdb-server.

Without root or a tool the tests skip saying why (fail with
OSOPS_REQUIRE_HOST=1, see :func:`cannot_run`).  Every object has a fresh random name and is removed when the test ends,
also when it fails.  Addresses are given only inside namespaces made here
(192.0.2.0/24, TEST-NET-1), so no packet leaves them.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

SUBNET = "192.0.2"
VSWITCH_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
# Read once: some tests clear OSOPS_* variables before a fixture asks.
REQUIRED = os.environ.get("OSOPS_REQUIRE_HOST") == "1"


def cannot_run(reason):
    """Skip the test for *reason* (no root, a tool missing); fail it instead
    when OSOPS_REQUIRE_HOST=1, as tools/run-tests sets in CI, so that CI
    proves the host tests ran."""
    if REQUIRED:
        pytest.fail(f"OSOPS_REQUIRE_HOST=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def need(tool, package):
    """:func:`cannot_run` unless *tool* (from Debian's *package*) is installed."""
    if not shutil.which(tool):
        cannot_run(f"needs {tool}: install {package} (tools/host-deps)")


def ip(*args):
    """Run ip; a failure fails the test with ip's message."""
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if done.returncode:
        raise AssertionError(f"ip {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def host_skip_reason():
    """Why the host tests cannot run here, or None."""
    if os.geteuid() != 0:
        return "host tests need root: they create network namespaces and bridges"
    if not shutil.which("ip"):
        return "host tests need ip: install iproute2 (tools/host-deps)"
    return None


class Kernel:
    """Makes namespaces, bridges and veth pairs; removes them all on exit."""

    def __init__(self):
        self.tag = uuid.uuid4().hex[:6]
        self.count = 0
        self.undo = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for argv in reversed(self.undo):
            subprocess.run(argv, capture_output=True)
        self.undo.clear()

    def name(self, kind):
        """A fresh interface name (15 characters at most)."""
        self.count += 1
        return f"ot{self.tag}{kind}{self.count}"

    def netns(self, name=None):
        name = name or f"osops-t-{uuid.uuid4().hex[:8]}"
        ip("netns", "add", name)
        self.undo.append(["ip", "netns", "del", name])
        ip("-n", name, "link", "set", "lo", "up")
        return name

    def bridge(self, ns=None, name=None):
        """A Linux bridge, up, in namespace *ns* (None: this one)."""
        name = name or self.name("br")
        where = ["-n", ns] if ns else []
        ip(*where, "link", "add", "name", name, "type", "bridge")
        self.undo.append(["ip", *where, "link", "del", name])
        ip(*where, "link", "set", name, "up")
        return name

    def veth(self, bridge, bridge_ns=None, peer_ns=None, address=None, name=None):
        """A veth pair: *name* on *bridge* (in *bridge_ns*), its peer
        ``eth0`` in *peer_ns* with *address*/24.  Returns *name*."""
        name = name or self.name("v")
        peer = self.name("p")
        where = ["-n", bridge_ns] if bridge_ns else []
        ip(*where, "link", "add", name, "type", "veth", "peer", "name", peer)
        self.undo.append(["ip", *where, "link", "del", name])
        ip(*where, "link", "set", name, "master", bridge, "up")
        if peer_ns:
            ip(*where, "link", "set", peer, "netns", peer_ns)
            ip("-n", peer_ns, "link", "set", peer, "name", "eth0")
            if address:
                ip("-n", peer_ns, "addr", "add", f"{address}/24", "dev", "eth0")
            ip("-n", peer_ns, "link", "set", "eth0", "up")
        return name


@pytest.fixture
def kernel():
    reason = host_skip_reason()
    if reason:
        cannot_run(reason)
    with Kernel() as k:
        yield k


@pytest.fixture
def lan(kernel):
    """Namespaces a (192.0.2.1) and b (192.0.2.2) on one Linux bridge that
    lives in a third namespace, the switch (so the host's firewall, which
    br_netfilter applies to bridges in its namespace, stays out of it)."""
    a, b, switch = kernel.netns(), kernel.netns(), kernel.netns()
    br = kernel.bridge(switch)
    port_a = kernel.veth(br, switch, a, f"{SUBNET}.1")
    port_b = kernel.veth(br, switch, b, f"{SUBNET}.2")
    return {"a": a, "b": b, "switch": switch, "bridge": br, "ports": [port_a, port_b],
            "addr_a": f"{SUBNET}.1", "addr_b": f"{SUBNET}.2", "unused": f"{SUBNET}.99"}


@pytest.fixture
def routed(lan, kernel):
    """*lan* plus a router namespace at 192.0.2.254, a's default gateway,
    that answers at once with ICMP errors: Destination Host Unreachable
    for 198.51.100.0/24 (an ``unreachable`` route), Packet filtered for
    203.0.113.0/24 (a ``prohibit`` route).  Both are TEST-NETs that exist
    only in these namespaces."""
    router = kernel.netns()
    kernel.veth(lan["bridge"], lan["switch"], router, f"{SUBNET}.254")
    subprocess.run(["ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1"], check=True)
    ip("-n", router, "route", "add", "unreachable", "198.51.100.0/24")
    ip("-n", router, "route", "add", "prohibit", "203.0.113.0/24")
    ip("-n", lan["a"], "route", "add", "default", "via", f"{SUBNET}.254")
    return {**lan, "router": router, "gateway": f"{SUBNET}.254", "unreachable": "198.51.100.7",
            "prohibited": "203.0.113.7"}


class Ovsdb:
    """A private ovsdb-server with its own database and socket."""

    def __init__(self, rundir):
        self.rundir = rundir
        self.sock = os.path.join(rundir, "db.sock")
        self.db = f"unix:{self.sock}"

    def vsctl(self, *args):
        done = subprocess.run(["ovs-vsctl", f"--db={self.db}", "--no-wait", "--timeout=10", *args],
                              capture_output=True, text=True)
        if done.returncode:
            raise AssertionError(f"ovs-vsctl {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def add_bridge(self, name):
        self.vsctl("add-br", name, "--", "set", "bridge", name, "datapath_type=netdev")


@pytest.fixture
def ovsdb():
    reason = host_skip_reason()
    if reason:
        cannot_run(reason)
    missing = [t for t in ("ovsdb-server", "ovsdb-tool", "ovs-vsctl") if not shutil.which(t)]
    if missing or not os.path.exists(VSWITCH_SCHEMA):
        cannot_run(f"OVS tests need {', '.join(missing) or VSWITCH_SCHEMA}: install "
                    "openvswitch-switch (tools/host-deps)")
    rundir = tempfile.mkdtemp(prefix="osops-ovs-")  # short: socket paths are limited to 107 bytes
    os.chmod(rundir, 0o755)
    server = None
    try:
        subprocess.run(["ovsdb-tool", "create", f"{rundir}/conf.db", VSWITCH_SCHEMA], check=True)
        server = subprocess.Popen(
            ["ovsdb-server", f"{rundir}/conf.db", f"--remote=punix:{rundir}/db.sock",
             f"--unixctl={rundir}/ovsdb-server.ctl", f"--log-file={rundir}/ovsdb-server.log"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ovs = Ovsdb(rundir)
        for _ in range(200):  # until the socket is there, 10 s at most
            if os.path.exists(ovs.sock) or server.poll() is not None:
                break
            time.sleep(0.05)
        assert os.path.exists(ovs.sock), f"ovsdb-server did not start (see {rundir}/ovsdb-server.log)"
        ovs.vsctl("init")
        yield ovs
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        shutil.rmtree(rundir, ignore_errors=True)


@pytest.fixture
def osops_cli(clean_env, capsys):
    """``osops_cli(*argv)``: run osops in this process; (exit code, stdout, stderr)."""
    from osops.cli.app import main

    def run(*argv):
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def osops_in(ns, *argv, env=None, wrap=()):
    """Run osops inside namespace *ns* (``ip netns exec``, then *wrap*, e.g.
    setpriv) with no cloud settings; returns the CompletedProcess."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "OVS_", "LIBVIRT_"))}
    return subprocess.run(["ip", "netns", "exec", ns, *wrap, sys.executable, "-m", "osops", *argv],
                          capture_output=True, text=True, env={**clean, **(env or {})}, timeout=120)
