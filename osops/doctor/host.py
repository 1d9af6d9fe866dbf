"""Host: run on the machine that hosts the cloud.  Open vSwitch's db.sock
exists and lets us in, the bridges Neutron needs exist, OVN where it runs
(:mod:`osops.doctor.ovn`), and the sysctls that routing and unprivileged
ping depend on.

Only the standard library is imported here, so these checks also run in a
bare interpreter (the tests run one as an unprivileged user).
"""

import grp
import ipaddress
import os
import pwd
import shutil
import socket
import stat
import struct
import subprocess
import urllib.parse
from collections.abc import Iterable

from osops.doctor.core import FAIL, OK, WARN, Check, Context, Skip, check, host_of, is_loopback, run_one

SOCKETS = ("/run/openvswitch/db.sock", "/var/run/openvswitch/db.sock")
# Files that only a cloud host has.
MARKERS = ("/etc/nova/nova.conf", "/etc/neutron/neutron.conf", "/etc/keystone/keystone.conf") + SOCKETS
SYSCTL_ROOT = "/proc/sys"
SYS_CLASS_NET = "/sys/class/net"
OVS_AGENT_TYPES = ("Open vSwitch agent", "OVN Controller agent", "OVN Controller Gateway agent")
CAP_NET_RAW = 13
START_OVS = "start it: sudo systemctl start openvswitch-switch"


@check("Host")
def host_checks(ctx: Context) -> list[Check]:
    """The host checks, when asked for and when this is a cloud host."""
    if not ctx.host:
        raise Skip("not asked for (--no-host)")
    why = cloud_host(ctx)
    if not why:
        try:
            keystone = f"Keystone's host {host_of(ctx.auth_url)} is not this machine"
        except Skip:
            keystone = "no auth URL is configured to tell where Keystone runs"
        raise Skip(f"not a cloud host: {keystone}, and there is no "
                   f"{', '.join(MARKERS[:3])} or db.sock here",
                   "run osops doctor on the controller or a compute host for these checks")
    from osops.doctor.ovn import ovn_checks

    rows = []
    for fn in (ovs_socket, bridges, ovn_checks, ip_forward, ping_group_range):
        rows.extend(run_one(fn, ctx))
    return rows


def cloud_host(ctx: Context) -> str:
    """Why this machine looks like a cloud host, or ''.  Looks at the auth
    URL's host (loopback, or an address bound here) and for files only a
    cloud host has; never resolves names."""
    try:
        host = urllib.parse.urlsplit(ctx.auth_url).hostname or ""
    except Skip:
        host = ""
    if host and is_loopback(host):
        return f"Keystone is on this machine ({host})"
    if host and _local_address(host):
        return f"Keystone's address {host} is this machine's"
    if host and host.split(".")[0] == socket.gethostname().split(".")[0]:
        return f"Keystone's host {host} is this machine"
    for path in MARKERS:
        if os.path.exists(path):
            return f"{path} exists"
    return ""


def _local_address(host):
    """True when *host* is an IP address of this machine (binding to it
    works; nothing is sent)."""
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return False
    family = socket.AF_INET6 if addr.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.bind((str(addr), 0))
    except OSError:
        return False
    return True


# -- Open vSwitch --------------------------------------------------------

def socket_paths() -> tuple[str, ...]:
    """Where Open vSwitch's db.sock may be, $OVS_RUNDIR's first."""
    rundir = os.environ.get("OVS_RUNDIR")
    return ((os.path.join(rundir, "db.sock"),) if rundir else ()) + SOCKETS


def find_socket() -> str | None:
    """The first of :func:`socket_paths` that exists, or None."""
    return next((p for p in socket_paths() if os.path.lexists(p)), None)


@check("OVS db.sock")
def ovs_socket(ctx: Context) -> Check:
    path = find_socket()
    if path:
        return socket_check(path)
    where = " or ".join(socket_paths())
    users = ovs_agents_here(ctx)
    if users:
        return Check("OVS db.sock", FAIL, f"no {where}, but {', '.join(users)} here use Open vSwitch",
                     START_OVS)
    if users is None and shutil.which("ovs-vsctl", path=_sbin_path()):
        return Check("OVS db.sock", WARN, f"ovs-vsctl is installed but ovsdb-server is not running (no {where})",
                     f"if this host's networking uses Open vSwitch, {START_OVS}")
    raise Skip(f"Open vSwitch is not running here (no {where}) and no Neutron agent here uses it")


def socket_check(path: str, name: str = "OVS db.sock") -> Check:
    """Connect to the unix socket *path* as this process's user."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return Check(name, FAIL, f"{path} does not exist", START_OVS)
    except PermissionError:
        return Check(name, FAIL, f"permission denied looking up {path} (its folder is closed to {_user()})",
                     "run with sudo")
    described = f"{stat.filemode(st.st_mode)} {_owner(st)}"
    if not stat.S_ISSOCK(st.st_mode):
        return Check(name, FAIL, f"{path} is not a socket ({described})", START_OVS)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect(path)
    except PermissionError:
        return Check(name, FAIL, f"permission denied on {path} ({described}) for {_user()}: ovs-vsctl says "
                     "\"database connection failed (Permission denied)\"", access_fix(path, st))
    except ConnectionRefusedError:
        return Check(name, FAIL, f"nothing listens on {path} ({described}): ovsdb-server is not running",
                     START_OVS)
    except OSError as exc:
        return Check(name, FAIL, f"{path}: {exc.strerror or exc}", START_OVS)
    finally:
        s.close()
    return Check(name, OK, f"{path} lets {_user()} in ({described})")


def access_fix(path: str, st: os.stat_result) -> str:
    """What to do about a socket that refuses us: sudo, or its group when
    joining it would help (connecting to a unix socket needs write
    permission on it)."""
    group = _group(st.st_gid)
    groups = {os.getegid(), *os.getgroups()}
    if st.st_gid == 0:
        return (f"run with sudo: the socket's group is {group} (ls -l {path} shows it), "
                "and its mode is right as it is")
    if st.st_gid in groups or not st.st_mode & stat.S_IWGRP:
        why = (f"you are in its group {group} already" if st.st_gid in groups else
               f"its group {group} may not write to it ({stat.filemode(st.st_mode)}), and connecting needs that")
        return (f"run with sudo; joining a group will not help: {why}. To let a group in without sudo, have "
                "ovsdb-server run as that group: Open vSwitch makes db.sock srwxrwx--- for the user:group it "
                "runs as (ovs-ctl --ovs-user=USER:GROUP, set by OVS_USER_ID in /etc/sysconfig/openvswitch or "
                "OVS_CTL_OPTS in /etc/default/openvswitch-switch), then restart it")
    return (f"run with sudo, or join the socket's group {group} (ls -l {path} shows it): "
            f"sudo usermod -aG {group} $USER, then log in again")


def ovs_agents_here(ctx: Context) -> list[str] | None:
    """Neutron agents on this host that use Open vSwitch (as "TYPE@HOST"),
    [] when Neutron names none, None when we cannot ask (no admin, no token)."""
    try:
        agents = ctx.agents()
    except Exception:
        return None
    if not agents and not ctx.is_admin:
        return None  # Neutron shows agents to admins only
    names = _host_names()
    return [f"{a.agent_type}@{a.host}" for a in agents
            if a.agent_type in OVS_AGENT_TYPES and (a.host or "").split(".")[0] in names]


def _host_names():
    name = socket.gethostname()
    return {name, name.split(".")[0]}


@check("OVS bridges")
def bridges(ctx: Context) -> Check:
    expected = expected_bridges(ctx)
    if not expected:
        raise Skip("no bridge expected: Neutron with Open vSwitch is not in use on this host")
    present, source = present_bridges()
    missing = [b for b in expected if b not in present]
    wanted = "; ".join(f"{b} ({why})" for b, why in expected.items())
    if missing:
        return Check("OVS bridges", FAIL, f"missing {', '.join(missing)}; expected {wanted}; "
                     f"present by {source}: {', '.join(sorted(present)) or 'none'}",
                     "br-int is made by neutron-openvswitch-agent or ovn-controller when it starts, so "
                     "check that it runs; a mapped bridge is made by hand: sudo ovs-vsctl add-br BRIDGE")
    return Check("OVS bridges", OK, f"{', '.join(expected)} present (by {source})")


def expected_bridges(ctx: Context) -> dict[str, str]:
    """{bridge: why} that Neutron with Open vSwitch implies on this host."""
    try:
        if "network" not in ctx.service_types():
            return {}
    except Skip:
        return {}
    agents = ovs_agents_here(ctx) or []
    if not agents and not find_socket():
        return {}
    why = f"Neutron's {agents[0]}" if agents else "Neutron in the catalog and Open vSwitch running here"
    expected = {"br-int": why}
    try:
        found = ctx.agents()
    except Exception:
        found = []
    names = _host_names()
    for agent in found:
        if agent.agent_type in OVS_AGENT_TYPES and (agent.host or "").split(".")[0] in names:
            for physnet, bridge, key in agent_mappings(agent.configuration or {}):
                expected.setdefault(bridge, f"{key} {physnet}:{bridge} of the agent")
    return expected


def agent_mappings(configuration: dict) -> list[tuple[str, str, str]]:
    """[(physnet, bridge, key)] in a Neutron agent's configuration: the
    Open vSwitch agent's ``bridge_mappings`` {physnet: bridge}, or OVN's
    ``bridge-mappings`` text "physnet:br,physnet2:br2"."""
    found = []
    mapped = configuration.get("bridge_mappings")
    if isinstance(mapped, dict):
        found += [(str(p), str(b), "bridge_mappings") for p, b in mapped.items() if p and b]
    text = configuration.get("bridge-mappings")
    if isinstance(text, str):
        for item in text.split(","):
            physnet, _, bridge = (part.strip() for part in item.partition(":"))
            if physnet and bridge and ":" not in bridge:
                found.append((physnet, bridge, "bridge-mappings"))
    return found


def present_bridges() -> tuple[set[str], str]:
    """(bridge names, how they were found): ovs-vsctl list-br when it can
    read the database, else the kernel's interfaces (each OVS bridge has
    an internal port of its own name)."""
    tool = shutil.which("ovs-vsctl", path=_sbin_path())
    note = "ovs-vsctl is not installed"
    if tool:
        try:
            done = subprocess.run([tool, "--timeout=5", "list-br"], capture_output=True, text=True,
                                  timeout=15, env=dict(os.environ, LC_ALL="C"))
        except (OSError, subprocess.TimeoutExpired) as exc:
            note = f"ovs-vsctl failed: {exc}"
        else:
            if done.returncode == 0:
                return {line.strip() for line in done.stdout.splitlines() if line.strip()}, "ovs-vsctl list-br"
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            note = f"ovs-vsctl: {lines[-1].strip() if lines else 'exit %d' % done.returncode}"
    try:
        names = set(os.listdir(SYS_CLASS_NET))
    except OSError:
        names = set()
    return names, f"{SYS_CLASS_NET} ({note})"


def _sbin_path():
    return os.environ.get("PATH", os.defpath) + ":/usr/local/sbin:/usr/sbin:/sbin"


# -- sysctls -------------------------------------------------------------

def read_sysctl(name: str, root: str | None = None) -> str:
    """The value of sysctl *name* (net.ipv4.ip_forward) as text."""
    path = os.path.join(root or SYSCTL_ROOT, *name.split("."))
    with open(path, encoding="ascii") as f:
        return " ".join(f.read().split())


@check("net.ipv4.ip_forward")
def ip_forward(ctx: Context, root: str | None = None) -> Check:
    """Does this host route (needed for floating IPs and NAT through its bridges)?"""
    value = read_sysctl("net.ipv4.ip_forward", root)
    if value == "1":
        return Check("net.ipv4.ip_forward", OK, "1: this host routes between its interfaces")
    return Check("net.ipv4.ip_forward", WARN,
                 f"{value}: this host does not route, so traffic between servers and the outside through "
                 "its bridges (br-ex, floating IPs, NAT) stops here",
                 "sudo sysctl -w net.ipv4.ip_forward=1 (and put net.ipv4.ip_forward=1 in /etc/sysctl.d/ "
                 "to keep it)")


@check("net.ipv4.ping_group_range")
def ping_group_range(ctx: Context, root: str | None = None, euid: int | None = None,
                     groups: Iterable[int] | None = None, ping: str | None = None) -> Check:
    """May this user send ICMP without root (datagram sockets), or may the system ping?"""
    name = "net.ipv4.ping_group_range"
    value = read_sysctl(name, root)
    low, high = (int(x) for x in value.split())
    euid = os.geteuid() if euid is None else euid
    groups = {os.getegid(), *os.getgroups()} if groups is None else set(groups)
    admitted = sorted(g for g in groups if low <= g <= high)
    ping = shutil.which("ping", path=_sbin_path()) if ping is None else ping
    capable = bool(ping) and _can_raw(ping)
    span = "no group" if high < low else f"groups {low} to {high}"
    if admitted:
        return Check(name, OK, f"{value} ({span}) admits your group {_group(admitted[0])}: unprivileged "
                     "ping works through ICMP datagram sockets")
    command = (f"{ping} has cap_net_raw, so the ping command works for everyone" if capable
               else f"{ping or 'ping'} has neither cap_net_raw nor setuid")
    if euid == 0:
        return Check(name, OK, f"{value} ({span}); running as root, so raw ICMP sockets work; other users "
                     f"need their group in the range or a ping command that may open raw sockets ({command})")
    if capable:
        return Check(name, OK, f"{value} ({span}) admits none of your groups, but {command}; unprivileged "
                     "ICMP sockets (icmplib) need the range")
    return Check(name, WARN, f"{value} ({span}) admits none of your groups and {command}: "
                 "unprivileged ping cannot work",
                 "sudo sysctl -w net.ipv4.ping_group_range='0 2147483647' (keep it in /etc/sysctl.d/), "
                 "or give ping the capability: sudo setcap cap_net_raw+ep " + (ping or "/usr/bin/ping"))


def _can_raw(path):
    """True when *path* is setuid root or has cap_net_raw in its file capabilities."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    if st.st_mode & stat.S_ISUID and st.st_uid == 0:
        return True
    try:
        data = os.getxattr(path, "security.capability")
    except OSError:
        return False
    if len(data) < 8:
        return False
    permitted = struct.unpack_from("<I", data, 4)[0]
    return bool(permitted & (1 << CAP_NET_RAW))


def _user():
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return f"uid {os.geteuid()}"


def _group(gid):
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _owner(st):
    try:
        user = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        user = str(st.st_uid)
    return f"{user}:{_group(st.st_gid)}"
