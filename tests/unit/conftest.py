"""What the unit tests share: the cassettes and what they booted, the
real osops entry point run in-process against them (``cli``), reading a
scenario run's live lines, and fixtures each test asks for by name:
``zero_poll_waits`` (changes polling), ``fake_pinger`` (nothing is
pinged), ``closed_port``, ``no_dns``, ``fake_ssh`` (ssh and ip are fakes)."""

import copy
import itertools
import json
import os
import re
import shutil
from dataclasses import dataclass

import pytest

from osops.cli.app import main
from osops.host.models import PingResult, Target
from osops.recordings import cassette_path
from osops.testing import replay


def cassette(name):
    """A recorded cassette from tests/cassettes (declared in
    osops/recordings.py), loaded for editing."""
    return json.loads(cassette_path(name).read_text())


def edit(name, change):
    """A copy of a recorded cassette, changed by *change(interactions)*."""
    data = copy.deepcopy(cassette(name))
    change(data["interactions"])
    return data


def list_of_all(interactions):
    """Edit: a list of all servers, answered as the recorded list by exact
    name.  A scenario step resolves its servers from one list of all
    (``StepContext.find_servers``); the commands recorded ask Nova for the
    exact name, so their recordings have no such list."""
    [named] = [i for i in interactions if i["request"]["url"].endswith("/servers/detail")]
    interactions.append({**named, "request": {**named["request"], "query": {}}})


EMPTY = {"osops_cassette": 1, "command": "", "interactions": []}  # a cassette that answers nothing


def reservation_lists(name):
    """The ``GET /servers/detail?reservation_id=`` calls of the recorded
    session *name*, in order: its boot's list, then the wait's polls of
    several servers."""
    return [i for i in cassette(name)["interactions"] if "reservation_id" in (i["request"]["query"] or {})]


def booted(name):
    """{server name: id} of what the recorded session *name* booted (its
    boot's list by the reservation id names them)."""
    return {s["name"]: s["id"] for s in reservation_lists(name)[0]["response"]["json"]["servers"]}


def reservation(name):
    """The reservation id the boot of the recorded session *name* got."""
    [rid] = {i["request"]["query"]["reservation_id"][0] for i in reservation_lists(name)}
    return rid


SERVER_ID = booted("smoke")["osops-smokerec1-smoke"]  # the server the smoke cassette boots


def group_id(name):
    """The id of the security group the recorded session *name* made (its run's own)."""
    [made] = [i for i in cassette(name)["interactions"] if i["request"]["method"] == "POST"
              and i["request"]["url"].endswith("/v2.0/security-groups")]
    return made["response"]["json"]["security_group"]["id"]


GROUP_ID = group_id("smoke")  # the smoke's own security group
GROUP = f"security group osops-smokerec1-sg ({GROUP_ID})"  # as a report lists it when left
GROUP_DELETE = f"DELETE http://network.osops.invalid/v2.0/security-groups/{GROUP_ID}"
STEPS = ["token", "catalog", "compute-services", "image", "flavor", "network", "keypair", "boot", "address",
         "floating_ip", "ping", "ssh", "suspend", "resume", "delete"]  # the smoke's steps, in order


def live(result):
    """Step name -> (status, detail) from a scenario run's live lines on stderr."""
    lines = {}
    for line in result.err.splitlines():
        m = re.match(r"^(PASS|FAIL|SKIP) (\S+) +\d+\.\d s(?:  (.*))?$", line)
        if m:
            lines[m[2]] = (m[1], m[3] or "")
    return lines


@dataclass
class Result:
    code: int
    out: str
    err: str
    calls: list
    bodies: list

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def zero_poll_waits(monkeypatch):
    """Changes polling: every wait (osops.wait) polls again at once, never
    sleeping, so a replay answers its recorded polls in order at once.  A
    test that drives its own clock must not use it: its waits would spin."""
    monkeypatch.setattr("osops.wait.intervals", lambda *a, **k: itertools.repeat(0.0))


class FakePinger:
    """Stands in for osops.scenario.reach.HostPinger (see ``fake_pinger``).

    *mode*: "unreachable" (nothing sent, as from this host to a fake-virt
    server), "answer" for ACTIVE servers and silence for others, or
    "silent" (sent, never answered).  *hook* runs first (to send signals);
    *seen* lists the server names of each ping.
    """

    mode = "unreachable"
    hook = None
    seen = []

    def ping(self, conn, servers, addresses=(), count=3, netns="auto"):
        FakePinger.seen.append([s.name for s in servers])
        if FakePinger.hook:
            FakePinger.hook()
        out = []
        for s in servers:
            t = Target(address=s.ips()[0] if s.ips() else "-", server=s.name)
            if self.mode == "unreachable":
                out.append(PingResult(t, 0, 0, reason="no route from this host into the server's network"))
            elif self.mode == "answer" and s.status == "ACTIVE":
                out.append(PingResult(t, count, count, 0.5, 0.6, 0.7))
            else:
                out.append(PingResult(t, count, 0, reason="no reply in 2 s"))
        return out


@pytest.fixture
def fake_pinger(monkeypatch):
    """Scenario ping steps ping nothing: a :class:`FakePinger` answers,
    "unreachable" until the test sets its mode; returns the class."""
    monkeypatch.setattr("osops.scenario.reach.HostPinger", lambda *a, **k: FakePinger())
    monkeypatch.setattr(FakePinger, "mode", "unreachable")
    monkeypatch.setattr(FakePinger, "hook", None)
    monkeypatch.setattr(FakePinger, "seen", [])
    return FakePinger


@pytest.fixture
def cli(clean_env, zero_poll_waits, monkeypatch, capsys):
    """``cli(cassette, *argv)``: run osops against a cassette (a name in
    tests/cassettes or a dict); returns code, stdout, stderr and the calls.
    Its waits poll without sleeping (it asks for ``zero_poll_waits``).

    A request the cassette has no recording for fails the test (osops
    would turn it into exit 1, and an exit-1 test could pass without
    reaching the response it edited), unless the test is about exactly
    that and says ``unmatched_ok=True``.  ``clock_skew=S`` replays a cloud
    whose clock is S seconds ahead of this host's (its tokens' times)."""

    def run(recorded, *argv, env=None, unmatched_ok=False, clock_skew=0):
        data = cassette(recorded) if isinstance(recorded, str) else recorded
        with replay(data, clock_skew=clock_skew) as player:
            settings = {"OS_AUTH_URL": player.auth_url, "OS_USERNAME": "admin",
                        "OS_PASSWORD": "secret-pw", "OS_PROJECT_NAME": "admin",
                        "OS_USER_DOMAIN_ID": "default", "OS_PROJECT_DOMAIN_ID": "default",
                        "OS_IDENTITY_API_VERSION": "3"}
            settings.update(env or {})
            for k, v in settings.items():
                if v is None:
                    monkeypatch.delenv(k, raising=False)
                else:
                    monkeypatch.setenv(k, v)
            capsys.readouterr()
            try:
                code = main(list(argv))
            except SystemExit as exc:
                code = exc.code
        out, err = capsys.readouterr()
        assert unmatched_ok or not player.unmatched, f"unrecorded requests: {player.unmatched}\nstderr: {err}"
        return Result(code, out, err, player.calls, player.bodies)

    return run


@pytest.fixture
def closed_port():
    """A TCP port on 127.0.0.1 that refuses connections, as when Keystone is
    down: bound, so nothing else takes it, but not listening."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


@pytest.fixture
def no_dns(monkeypatch):
    """Names under .invalid do not resolve, as for a mistyped host; asked
    of no DNS server (the lookup fails before any is asked)."""
    import socket

    lookup = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def fake_ssh(tmp_path, monkeypatch):
    """A fake ``ssh`` (and ``ip``, which runs what follows ``ip netns exec NS``)
    first on PATH: it logs its arguments, says hi and exits with
    $FAKE_SSH_EXIT (255: after ssh's complaint on stderr)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "argv"
    (bin_dir / "ssh").write_text(
        f'#!/bin/sh\necho "$@" >> {log}\necho "fake says hi"\n'
        '[ "$FAKE_SSH_EXIT" = 255 ] && echo "Permission denied (publickey)." >&2\nexit ${FAKE_SSH_EXIT:-0}\n')
    real_ip = shutil.which("ip") or "false"  # any other ip command is the real one's
    (bin_dir / "ip").write_text(f'#!/bin/sh\n[ "$1 $2" = "netns exec" ] || exec {real_ip} "$@"\n'
                                f'echo "ip $1 $2 $3" >> {log}\nshift 3\nexec "$@"\n')
    for tool in ("ssh", "ip"):
        (bin_dir / tool).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return log


@pytest.fixture(autouse=True)
def no_namespaces_of_this_host(monkeypatch, tmp_path):
    """This host's network namespaces stay out of replayed runs: a recorded
    network's ovnmeta-/qdhcp- namespace may exist here (the loopback cloud
    runs beside the tests), and a step would ping or SSH into it.  A test
    about namespaces patches ``list_namespaces`` itself."""
    monkeypatch.setattr("osops.host.netns.NETNS_DIR", str(tmp_path / "no-netns"))
