"""Ping addresses concurrently, from this host or from network namespaces.

ICMP goes through icmplib: unprivileged datagram sockets where
``net.ipv4.ping_group_range`` admits one of our groups, raw sockets when we
are root, and otherwise the system ``ping`` (which has the capability it
needs), so nobody has to be root just to ping.  A namespace is entered by a
child process of its own (``osops.host.netns_worker``).  A target that does
not answer gets a one-line reason.
"""

import ipaddress
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, replace

from osops.errors import OsopsError, UsageError
from osops.host import commands, netns
from osops.host.models import PingResult, Target

MAX_THREADS = 64
PING_GROUP_RANGE = "/proc/sys/net/ipv4/ping_group_range"
NO_PERMISSION = ("not permitted to send ICMP (no CAP_NET_RAW): let this user's group open ICMP datagram sockets "
                 "(sysctl net.ipv4.ping_group_range) or give ping the capability (setcap cap_net_raw+ep "
                 "\"$(command -v ping)\"); a container needs CAP_NET_RAW")
# What iputils ping says when it may not open its socket.
PING_NOT_PERMITTED = re.compile(r"socket: (Operation not permitted|Permission denied)|missing cap_net_raw")


def parse_address(text: str) -> str:
    """The IP address *text* names, in its normal form; UsageError for
    anything that is not a unicast IPv4 or IPv6 address."""
    try:
        addr = ipaddress.ip_address(text.strip() if isinstance(text, str) else text)
    except ValueError:
        raise UsageError(f"not an IP address: {text!r}",
                         "--address takes IPv4 or IPv6 addresses; name servers as SERVER") from None
    if addr.is_multicast or addr.is_unspecified or addr == ipaddress.ip_address("255.255.255.255"):
        raise UsageError(f"{addr} is not a single host's address", "give a unicast address")
    return str(addr)


def ping(targets: Iterable[Target], count: int = 3, interval: float = 1.0, timeout: float = 2.0,
         method: str | None = None, where: str = "this host") -> list[PingResult]:
    """Ping every :class:`Target` concurrently; return a :class:`PingResult`
    for each, in order.

    *method* is ``"icmp"`` (icmplib), ``"system"`` (the ping command) or
    None to choose: icmplib when this process may open ICMP sockets.
    *where* names the place pinged from, for the reasons.  Each target
    gets *count* echo requests, *interval* seconds apart, each answered
    within *timeout* seconds or lost.
    """
    targets = list(targets)
    namespaces: dict[str, list[int]] = {}
    for i, target in enumerate(targets):
        if target.netns is not None:
            namespaces.setdefault(target.netns, []).append(i)
    results: list[PingResult] = [None] * len(targets)  # type: ignore[list-item]  # each filled in below
    with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(targets) or 1)) as pool:
        jobs = {pool.submit(_ping_one, t, count, interval, timeout, method, where): [i]
                for i, t in enumerate(targets) if t.netns is None}
        jobs.update({pool.submit(_ping_in_netns, ns, [targets[i] for i in idx], count, interval,
                                 timeout, method): idx for ns, idx in namespaces.items()})
        for job, idx in jobs.items():
            done = job.result()
            for i, result in zip(idx, done if isinstance(done, list) else [done], strict=True):
                results[i] = result
    return results


def icmp_mode() -> str | None:
    """How this process may send ICMP itself: ``"datagram"`` (unprivileged
    sockets), ``"raw"`` (root), or None (use the system ping)."""
    try:
        with open(PING_GROUP_RANGE) as f:
            low, high = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        low, high = 1, 0
    if any(low <= gid <= high for gid in {os.getegid(), *os.getgroups()}):
        return "datagram"
    return "raw" if os.geteuid() == 0 else None


def parse_ping_output(text: str) -> tuple[int, int, tuple[float, float, float] | None, str]:
    """(sent, received, (min, avg, max) or None, error) from iputils ping's
    output in the C locale; *error* is the last complaint it printed
    (:data:`NO_PERMISSION` when it could not open its socket)."""
    sent = received = 0
    rtt = None
    error = ""
    denied = False
    for line in text.splitlines():
        line = line.strip()
        if m := re.match(r"(\d+) packets transmitted, (\d+) received", line):
            sent, received = int(m[1]), int(m[2])
        elif m := re.match(r"rtt min/avg/max/mdev = ([\d.]+)/([\d.]+)/([\d.]+)/", line):
            rtt = (float(m[1]), float(m[2]), float(m[3]))
        elif m := re.match(r"From (\S+?):? icmp_seq=\d+ (.+)", line):
            error = f"{m[2]} (reported by {m[1]})"
        elif line.startswith("ping: "):
            error = line.split(": ")[-1]
            denied = denied or bool(PING_NOT_PERMITTED.search(line))
    return sent, received, rtt, NO_PERMISSION if denied else error


def _ping_one(target, count, interval, timeout, method, where):
    if target.error:
        return PingResult(target, 0, 0, reason=_with_note(target.error, target))
    reason = route_error(target.address, where)
    if reason:
        return PingResult(target, 0, 0, reason=_with_note(reason, target))
    if method is None:
        method = "icmp" if icmp_mode() else "system"
    outcome = _icmplib(target.address, count, interval, timeout) if method == "icmp" else None
    if outcome is None:  # the system ping, also when no ICMP socket could be opened
        outcome = _system(target.address, count, interval, timeout)
    sent, received, rtt, error = outcome
    if received:
        return PingResult(target, sent, received, *rtt)
    reason = (neighbour_failure(target.address, where) or error
              or f"no reply in {timeout:g} s: the host is down or drops ICMP "
                 "(a security group without an ICMP rule?)")
    return PingResult(target, sent, 0, reason=_with_note(reason, target))


def _ping_in_netns(name, targets, count, interval, timeout, method):
    """Ping *targets* from namespace *name* in a child process."""
    def failed(reason):
        return [PingResult(t, 0, 0, reason=_with_note(reason, t)) for t in targets]

    if not netns.exists(name):
        return failed(netns.missing(name))
    job = {"netns": name, "count": count, "interval": interval, "timeout": timeout,
           "method": method, "targets": [asdict(replace(t, netns=None)) for t in targets]}
    limit = count * (interval + timeout) + 30
    try:
        done = subprocess.run([sys.executable, "-m", "osops.host.netns_worker"], input=json.dumps(job),
                              capture_output=True, text=True, timeout=limit, check=False)
        answer = json.loads(done.stdout)
    except subprocess.TimeoutExpired:
        return failed(f"pinging from namespace {name} did not finish in {limit:g} s")
    except ValueError:
        return failed(f"pinging from namespace {name} failed: "
                      f"{commands.last_line(done.stderr) or f'exit {done.returncode}'}")
    if "error" in answer:
        return failed(answer["error"])
    return [PingResult(**dict(r, target=t)) for r, t in zip(answer["results"], targets, strict=True)]


def _with_note(reason, target):
    return f"{reason}; {target.note}" if target.note else reason


def route_error(address: str, where: str = "this host") -> str:
    """'' when the kernel has a route to *address*, else why not (from *where*)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect((address, 7))  # a route lookup: UDP sends nothing on connect
        except OSError as exc:
            return f"no route from {where} to {address} ({exc.strerror})"
    return ""


def default_route_only(address: str, auto: bool = False) -> str:
    """Why this host should not ping a server's fixed *address*, or ''.

    When the most specific route to it is the default route, packets would
    leave this host toward the default gateway instead of into the cloud's
    network: that is a guess, never the path to a tenant network, so nothing
    is sent.  Without ``ip`` the route cannot be checked, and nothing is sent
    either.  *auto*: ``--netns auto`` was given and found no namespace, so
    it is not suggested."""
    if not commands.have("ip"):
        return f"cannot check how this host reaches {address} (no ip command), so it is not pinged"
    family = "-6" if ":" in address else "-4"
    routes = _ip_json([family, "route", "show", "table", "all", "match", address])
    specific = [r for r in routes if r.get("dst") not in ("default", None)]
    if specific:
        return ""
    where = ("the host with its qdhcp-/ovnmeta-/qrouter- namespace (the network node)" if auto
             else "its qdhcp-/ovnmeta-/qrouter- namespace (--netns auto)")
    how = f": {address} would leave through the default route" if routes else f" (none to {address} at all)"
    return f"no route from this host into the server's network{how}; ping from {where} or from a host on that network"


def neighbour_failure(address: str, where: str = "this host") -> str:
    """Why *address* cannot be reached on its link: the neighbour (ARP or
    ND) entry for it, or for the gateway on the way, failed (*where* names
    the place it was tried from).  '' when the kernel knows of no such failure."""
    if not commands.have("ip"):
        return ""
    family = "-6" if ":" in address else "-4"
    route = _ip_json([family, "route", "get", address])
    if not route:
        return ""
    dev, gateway = route[0].get("dev", "?"), route[0].get("gateway")
    neigh = _ip_json([family, "neigh", "show", "to", gateway or address, "dev", dev])
    if not {s for n in neigh for s in n.get("state", [])} & {"FAILED", "INCOMPLETE"}:
        return ""
    asked = "ARP" if family == "-4" else "neighbour discovery"
    if gateway:
        return f"the gateway {gateway} on {dev} does not answer {asked} (from {where})"
    return f"nothing answers {asked} for {address} on {dev}: the address is unused or its host is down"


def _ip_json(args):
    try:
        done = commands.run(["ip", "-j", *args], timeout=10, check=False)
        return json.loads(done.stdout) if done.returncode == 0 and done.stdout.strip() else []
    except (ValueError, OSError):
        return []


def _icmplib(address, count, interval, timeout):
    """(sent, received, (min, avg, max), last error) through icmplib; None
    when no ICMP socket could be opened."""
    import icmplib
    from icmplib import exceptions as icmp_errors

    sock_class = icmplib.ICMPv6Socket if ":" in address else icmplib.ICMPv4Socket
    ident = icmplib.utils.unique_identifier()
    sent, rtts, error = 0, [], ""
    try:
        sock = sock_class(privileged=icmp_mode() == "raw")
    except icmp_errors.SocketPermissionError:
        return None
    with sock:
        for seq in range(count):
            if seq:
                time.sleep(interval)
            request = icmplib.ICMPRequest(destination=address, id=ident, sequence=seq)
            try:
                sock.send(request)
                sent += 1
                reply = sock.receive(request, timeout)
                reply.raise_for_status()
                rtts.append((reply.time - request.time) * 1000)
            except icmp_errors.ICMPError as exc:
                error = f"{exc} (reported by {exc.reply.source})"
            except icmp_errors.TimeoutExceeded:
                pass
            except icmp_errors.ICMPSocketError as exc:
                error = re.sub(r"^\[Errno \d+\] ", "", str(exc))
    rtt = (min(rtts), sum(rtts) / len(rtts), max(rtts)) if rtts else (None, None, None)
    return sent, len(rtts), rtt, error


def _system(address, count, interval, timeout):
    """(sent, received, (min, avg, max), last error) through the system ping."""
    if not commands.have("ping"):
        return 0, 0, (None, None, None), (
            f"cannot ping: no ICMP socket for this user ({PING_GROUP_RANGE} leaves it out) "
            "and no ping command (install iputils-ping)")
    argv = ["ping", "-n", "-c", str(count), "-i", f"{interval:g}", "-W", f"{timeout:g}", address]
    try:
        done = commands.run(argv, timeout=count * (interval + timeout) + 10, check=False)
    except OsopsError as exc:  # refused to start: root without CAP_NET_RAW, ping has cap_net_raw=ep
        return 0, 0, (None, None, None), NO_PERMISSION if isinstance(exc.__cause__, PermissionError) else str(exc)
    sent, received, rtt, error = parse_ping_output(done.stdout + "\n" + done.stderr)
    return sent, received, rtt or (None, None, None), error
