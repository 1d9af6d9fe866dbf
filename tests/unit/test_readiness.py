"""boot --wait-for: readiness past ACTIVE (ping, SSH, a login prompt),
its phases in the progress, its timeout saying what was reached, and the
boot's cleanup around it.  Waits run on a fake clock or replay polls at
once; nothing is pinged and no SSH port is opened."""

import itertools

import pytest

from osops import readiness
from osops.errors import Timeout, UsageError
from osops.models import Address, Server
from tests.unit.conftest import cassette
from tests.unit.deletions import with_deletes

BOOT = ("boot", "demo-1", "--flavor", "m1.tiny", "--image", "cirros-0.6")
V4 = Address("private", "10.0.0.5", 4, "fixed", "fa:16:3e:00:00:01")


def server(name="web"):
    return Server(id=f"id-{name}", name=name, status="ACTIVE", task_state=None, power_state="Running",
                  addresses=(V4,))


class FakeClock:
    """A clock that moves only when slept on."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def scripted(*answers):
    """A probe answering (reached, seen) from *answers* in turn, then the last one."""
    it = itertools.chain(answers, itertools.repeat(answers[-1]))
    return lambda conn, srv: next(it)


def test_each_phase_shows_as_a_status_change_and_the_elapsed_time_goes_on():
    clock, changes = FakeClock(), []
    probe = scripted((False, "no reply"), (False, "no reply"), (True, "answered"))
    done = readiness.wait_ready(None, [server()], "ping", 60, lambda *a: changes.append(a),
                                probes={"ping": probe}, clock=clock, sleep=clock.sleep, waited=7.0)
    assert [s.status for s in done] == ["ACTIVE"]
    assert [(sid, s.status, old) for sid, s, old, _ in changes] == [
        ("id-web", "ACTIVE, no ping yet", "ACTIVE"), ("id-web", "ANSWERS PING", "ACTIVE, no ping yet")]
    assert changes[0][3] == 7.0 and changes[1][3] == 7.0 + 0.5 + 0.75  # two pauses slept, after the ACTIVE wait


def test_a_server_not_reachable_yet_is_tried_again_then_the_wait_gives_up():
    """The network's namespace here may come after ACTIVE: the probe is
    tried again for UNREACHABLE_ROUNDS rounds, then NotReachable ends it."""
    clock, calls = FakeClock(), []

    def unreachable_twice(conn, srv):
        calls.append(clock())
        if len(calls) <= 2:
            readiness._cannot_check(srv, "no route from this host into the server's network")
        return True, "SSH-2.0-dropbear"

    done = readiness.wait_ready(None, [server()], "ssh", 300, probes={"ssh": unreachable_twice},
                                clock=clock, sleep=clock.sleep)
    assert [s.name for s in done] == ["web"] and len(calls) == 3

    def never(conn, srv):
        calls.append(clock())
        readiness._cannot_check(srv, "no route from this host into the server's network")

    calls.clear()
    with pytest.raises(readiness.NotReachable):
        readiness.wait_ready(None, [server()], "ssh", 300, probes={"ssh": never}, clock=clock, sleep=clock.sleep)
    assert len(calls) == readiness.UNREACHABLE_ROUNDS


def test_a_timeout_says_what_was_reached_and_where_to_look():
    clock = FakeClock()
    with pytest.raises(Timeout) as err:
        readiness.wait_ready(None, [server()], "ssh", 30, probes={"ssh": scripted((False, "port 22: timed out"))},
                             clock=clock, sleep=clock.sleep, waited=8.0)
    assert err.value.exit_code == 1
    assert err.value.problem == "web ACTIVE but did not answer on SSH after 38 s (last: web: port 22: timed out)"
    assert err.value.fix == "see why: osops console log web, osops diagnose web; or raise --timeout"


def test_a_timeout_of_a_boot_that_deletes_its_servers_says_to_keep_them_to_look():
    clock = FakeClock()
    with pytest.raises(Timeout) as err:
        readiness.wait_ready(None, [server(), server("db")], "login", 10, kept=False, clock=clock,
                             sleep=clock.sleep, probes={"login": scripted((False, "the console log is empty"))})
    assert err.value.problem.startswith("web, db ACTIVE but showed no login prompt on its console after 10 s")
    assert err.value.fix.startswith("boot with --keep to look at it (osops console log web")


def test_active_asks_nothing_more_and_a_bad_phase_is_a_usage_error():
    assert readiness.wait_ready(None, [server()], "active", 0, probes={}) == [server()]
    with pytest.raises(UsageError, match="--wait-for must be one of active, ping, ssh, login, not 'up'"):
        readiness.wait_ready(None, [server()], "up", 10)


def test_ping_from_where_nothing_can_be_sent_ends_the_wait_at_once(fake_pinger):
    with pytest.raises(readiness.NotReachable) as err:
        readiness.probe_ping(None, server())
    assert "web is ACTIVE but cannot be checked from this host: no route" in str(err.value)
    fake_pinger.mode = "answer"
    assert readiness.probe_ping(None, server()) == (True, "answered")
    fake_pinger.mode = "silent"
    assert readiness.probe_ping(None, server())[0] is False


class Console:
    """A connection whose compute answers console output with *text*."""

    def __init__(self, text):
        self.compute, self.text = self, text

    def get_server_console_output(self, server_id, length=None):
        return {"output": self.text}


@pytest.mark.parametrize("text, expected", [
    ("Starting network...\nweb login: ", (True, "login prompt")),
    ("web login: ssh host key: ssh-ed25519 AAAA root@web\n", (True, "login prompt")),
    ("Ubuntu 24.04 LTS web ttyS0\n\nweb login:", (True, "login prompt")),
    ("login as 'cirros' user. default password: 'gocubsgo'.\n", (False, "the console's last line: "
                                                                       "\"login as 'cirros' user. default password: "
                                                                       "'gocubsgo'.\"")),
    ("", (False, "the console log is empty")),
])
def test_a_login_prompt_on_the_console(text, expected):
    assert readiness.probe_login(Console(text), server()) == expected


def test_boot_waits_for_the_login_prompt_polling_the_console(cli):
    r = cli("boot-wait-login", "boot", "h3-login", "--flavor", "m1.tiny", "--image", "cirros-0.6",
            "--wait-for", "login")
    assert r.code == 0, r.err
    consoles = [b for c, b in zip(r.calls, r.bodies, strict=True) if c.endswith("/action")]
    assert consoles and all(b == {"os-getConsoleOutput": {"length": 40}} for b in consoles)
    assert "h3-login | ACTIVE" in r.out


def test_a_boot_that_cannot_check_readiness_is_undone(cli, fake_pinger):
    data = cassette("boot")
    sid = data["interactions"][-1]["response"]["json"]["server"]["id"]
    r = cli(with_deletes(data, [sid]), *BOOT, "--wait-for", "ping")
    assert r.code == 1
    assert r.err.startswith("demo-1 is ACTIVE but cannot be checked from this host: no route")
    assert "; deleted what this boot created: demo-1;" in r.err
    assert [c for c in r.calls if c.startswith("DELETE")]


def test_keep_leaves_it_and_no_wait_refuses_a_readiness_wait(cli, fake_pinger):
    r = cli("boot", *BOOT, "--wait-for", "ping", "--keep")
    assert r.code == 1 and not [c for c in r.calls if c.startswith("DELETE")]
    r = cli("boot", *BOOT, "--wait-for", "ssh", "--no-wait", unmatched_ok=True)
    assert (r.code, r.err) == (2, "--wait-for ssh needs the wait; leave out --no-wait\n")
    assert not [c for c in r.calls if c.startswith("POST") and c.endswith("/servers")]


def test_ctrl_c_while_waiting_for_ping_deletes_what_the_boot_created(cli, fake_pinger):
    def interrupt():
        raise KeyboardInterrupt

    fake_pinger.mode, fake_pinger.hook = "answer", interrupt
    data = cassette("boot")
    sid = data["interactions"][-1]["response"]["json"]["server"]["id"]
    r = cli(with_deletes(data, [sid]), *BOOT, "--wait-for", "ping")
    assert r.code == 130
    assert "interrupted by" in r.err and "deleted what this boot created: demo-1" in r.err
    assert [c for c in r.calls if c.startswith("DELETE")] == [f"DELETE http://compute.osops.invalid/v2.1/servers/{sid}"]


def test_the_cli_offers_the_phases_the_operations_know():
    from osops.cli.wait_for import WAIT_FOR

    assert WAIT_FOR == readiness.WAIT_FOR
