"""The fault-injection fixture: osops through :class:`~tests.faults.proxy.FaultProxy`
in front of a recorded session served on 127.0.0.1 (see
:mod:`tests.faults.replayed_cloud`).  Waits poll without sleeping, the
pinger and the host's bridges are fakes, retries do not back off, and a
request may take 1 s (so a hang costs a second)."""

import os
import subprocess
import sys
from dataclasses import dataclass

import pytest

from osops.cli.app import main
from tests.faults.proxy import FaultProxy
from tests.faults.replayed_cloud import ReplayServer
from tests.unit.conftest import cassette, no_namespaces_of_this_host  # noqa: F401  (autouse here too)

API_TIMEOUT = "1"


@dataclass
class Result:
    code: int
    out: str
    err: str


class Cloud:
    """A replayed cloud behind the fault proxy: :meth:`run` osops in this
    process, :meth:`spawn` it as a subprocess; :meth:`left` what it left."""

    def __init__(self, server, proxy, env):
        self.server, self.proxy, self.env = server, proxy, env
        self.player = server.player

    def left(self):
        return self.player.left()

    def run(self, *argv):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
        return code

    def spawn(self, *argv):
        return subprocess.Popen([sys.executable, "-m", "osops", *argv], env={**os.environ, **self.env},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class FakePinger:
    """Nothing is pinged: every address is unreachable from this host."""

    def ping(self, conn, servers, addresses=(), count=3, netns="auto"):
        from osops.host.models import PingResult, Target

        return [PingResult(Target(address=(s.ips() or ["-"])[0], server=s.name), 0, 0,
                           reason="no route from this host into the server's network") for s in servers]


@pytest.fixture
def faulty(clean_env, monkeypatch, capsys):
    """``faulty(cassette, *faults)``: a :class:`Cloud` serving *cassette* (a
    name in tests/cassettes, or a dict) behind a proxy injecting *faults*;
    ``cloud.call(*argv)`` runs osops and returns a :class:`Result`."""
    monkeypatch.setattr("osops.wait.intervals", lambda *args, **kwargs: iter(lambda: 0.0, None))
    monkeypatch.setattr("osops.scenario.reach.HostPinger", FakePinger)
    monkeypatch.setattr("osops.host.bridges.list_bridges", lambda conn=None, **kw: [])
    opened = []

    def make(recorded, *faults):
        data = cassette(recorded) if isinstance(recorded, str) else recorded
        server = ReplayServer(data).__enter__()
        opened.append(server)
        host, port = server.address
        proxy = FaultProxy(lambda h, p: (host, port), faults).__enter__()
        opened.append(proxy)
        env = {"OS_AUTH_URL": server.player.auth_url, "OS_USERNAME": "admin", "OS_PASSWORD": "secret-pw",
               "OS_PROJECT_NAME": "admin", "OS_USER_DOMAIN_ID": "default", "OS_PROJECT_DOMAIN_ID": "default",
               "OS_IDENTITY_API_VERSION": "3", "http_proxy": proxy.url, "OSOPS_API_TIMEOUT": API_TIMEOUT}
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        cloud = Cloud(server, proxy, env)

        def call(*argv):
            capsys.readouterr()
            code = cloud.run(*argv)
            out, err = capsys.readouterr()
            return Result(code, out, err)

        cloud.call = call
        return cloud

    yield make
    for thing in reversed(opened):
        thing.__exit__(None, None, None)
