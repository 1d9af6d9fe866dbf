"""osops scenario run|validate|list through the real entry point, and the
engine's Python API, on cassettes recorded from the loopback cloud."""

import contextlib
import os
import re
import signal
import textwrap
import threading
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from osops.cloud import connect
from osops.errors import UsageError
from osops.host.models import Bridge, BridgePort
from osops.scenario import Engine, bundled, engine, junit, load_file, load_text, select, text
from osops.scenario.signals import Guard
from osops.scenario.steps import ACTIONS
from osops.testing import replay
from tests.unit.conftest import (
    EMPTY,
    GROUP,
    GROUP_DELETE,
    SERVER_ID,
    FakePinger,
    booted,
    cassette,
    edit,
    live,
    reservation,
    reservation_lists,
)

pytestmark = pytest.mark.usefixtures("fake_pinger")  # no test here pings

LAB = ("scenario", "run", "lab-demo", "--run-id", "labrec1")
LAB_1 = booted("lab-demo")["osops-labrec1-lab-1"]  # the server the lab demo suspends
SMOKE_FIP = next(i["response"]["json"]["floatingip"] for i in cassette("smoke")["interactions"]
                 if i["request"]["method"] == "POST" and i["request"]["url"].endswith("/v2.0/floatingips"))
SMOKE_DELETED = (f"deleted osops-smokerec1-smoke, floating IP {SMOKE_FIP['floating_ip_address']}, "
                 "security group osops-smokerec1-sg, keypair osops-smokerec1-key")  # the smoke's cleanup, all of it


@pytest.fixture
def bridges(monkeypatch):
    """The host's bridges, as the bridge step sees them (no ip command run)."""
    found = [Bridge(name="br100", type="linux", bridge_id="8000.0017a447a8a9",
                    ports=(BridgePort("eth0"), BridgePort(f"tap{LAB_1[:11]}", owner="osops-labrec1-lab-1")))]
    monkeypatch.setattr("osops.host.bridges.list_bridges", lambda conn=None, **kw: list(found))
    return found


@contextlib.contextmanager
def replayed(data):
    """A connection answered by a cassette (name or dict), and the replay."""
    with replay(cassette(data) if isinstance(data, str) else data) as player:
        yield connect(auth_url=player.auth_url, username="admin", password="x", project_name="admin",
                      user_domain_id="default", project_domain_id="default"), player


# -- the lab demo ---------------------------------------------------------------

def test_lab_demo_boots_three_in_one_request_and_polls_lists(cli, fake_pinger, bridges):
    fake_pinger.mode = "answer"  # ACTIVE servers answer, the suspended one does not
    r = cli("lab-demo", *LAB)
    assert r.code == 0, r.err
    lines = live(r)
    assert lines["boot"] == ("PASS", "3 servers ACTIVE: osops-labrec1-lab-1, osops-labrec1-lab-2, "
                                     "osops-labrec1-lab-3")
    assert lines["ping"][0] == "PASS" and lines["ping"][1].count("3/3") == 3
    assert lines["ping-suspended"][0] == "PASS"
    assert lines["ping-suspended"][1].startswith("no answer, as expected: osops-labrec1-lab-1 10.0.0.")
    assert lines["bridge"] == ("PASS", "br100: 2 port(s)")
    assert "    | br100         | 8000.0017a447a8a9 | no            | eth0" in r.err
    assert re.search(r"^== Their addresses: 10\.0\.0\.\d+, 10\.0\.0\.\d+, 10\.0\.0\.\d+; now ping them all$",
                     r.err, re.M)
    assert "== Suspending osops-labrec1-lab-1: it should stop answering" in r.err
    assert fake_pinger.seen == [["osops-labrec1-lab-1", "osops-labrec1-lab-2", "osops-labrec1-lab-3"]] * 2 + [
        ["osops-labrec1-lab-1"]]  # each one's first answer, the count, then the suspended one (no waiting)
    posts = [c for c in r.calls if c.startswith("POST") and c.endswith("/v2.1/servers")]
    assert len(posts) == 1  # Nova multi-create: one request for three servers
    # the boot's wait lists only its reservation: the boot's list is its first round, then one per round
    after_post = r.calls[r.calls.index(posts[0]) + 1:]
    rounds = len(reservation_lists("lab-demo"))
    assert after_post[:rounds + 1] == [
        f"GET http://compute.osops.invalid/v2.1/servers/detail?reservation_id={reservation('lab-demo')}"] * rounds + [
        "GET http://compute.osops.invalid/v2.1/servers/detail"]  # the servers step
    single = {c.rsplit("/", 1)[1] for c in r.calls if re.match(r"GET .*/servers/[0-9a-f-]{36}$", c)}
    assert single == {LAB_1}  # only the one suspended alone
    assert len([c for c in r.calls if c.startswith("DELETE")]) == 5  # the three, their group, the keypair
    assert "narration" not in r.out and "say" not in r.out  # narration stays out of the summary

# The lab demo's first two steps (lab-demo.json is their recording): the image, three servers booted.
LAB_BOOT = textwrap.dedent("""\
    steps:
      - image:
        save: cirros
      - boot: {name: lab, image: "{{ cirros }}", flavor: m1.tiny}
        count: 3
    """)


def test_lab_demo_failed_boot_stops_and_cleanup_deletes_all_three(cli, bridges):
    def lab_1_error(interactions):
        # Derived: in the boot's list polls (of its reservation), lab-1 goes to ERROR where it went ACTIVE.
        for i in interactions:
            if "reservation_id" in (i["request"]["query"] or {}):
                for s in i["response"]["json"]["servers"]:
                    if s["name"] == "osops-labrec1-lab-1" and s["status"] == "ACTIVE":
                        s.update(status="ERROR", fault={"code": 500, "message": "Build of instance aborted"})
                        return

    r = cli(edit("lab-demo", lab_1_error), *LAB)
    assert r.code == 1
    lines = live(r)
    assert lines["boot"][0] == "FAIL" and lines["boot"][1].endswith("went to ERROR: Build of instance aborted")
    assert lines["servers"] == ("SKIP", "not run: step boot FAILED (on_failure: stop)")
    assert lines["cleanup"] == ("PASS", "deleted osops-labrec1-lab-1, osops-labrec1-lab-2, osops-labrec1-lab-3, "
                                "security group osops-labrec1-sg, keypair osops-labrec1-lab")
    assert len([c for c in r.calls if c.startswith("DELETE")]) == 5


def test_address_of_several_servers_polls_one_list_per_round(clean_env, zero_poll_waits):
    def active_before_addresses(interactions):
        # Derived: the boot's list poll (of its reservation) where all three lab servers are
        # first ACTIVE shows them without addresses yet (Nova may say ACTIVE before the port is bound).
        for i in interactions:
            if "reservation_id" in (i["request"]["query"] or {}):
                lab = [s for s in i["response"]["json"]["servers"] if s["name"].startswith("osops-labrec1-")]
                if all(s["status"] == "ACTIVE" for s in lab):
                    for s in lab:
                        s["addresses"] = {}
                    return

    scenario = load_text(LAB_BOOT + "    save: lab\n  - address: lab\n", "lab.yaml")
    marks = {}
    with replayed(edit("lab-demo", active_before_addresses)) as (conn, player):
        report = Engine(conn, scenario, run_id="labrec1",
                        on_result=lambda r: marks.setdefault(r.name, len(player.calls))).run()
    address = report.steps[2]
    assert address.status == "PASS", address.detail
    assert address.detail.count("private=10.0.0.") == 3
    during = player.calls[marks["boot"]:marks["address"]]
    # one list a round, no GET per server: a wait on saved servers (not the boot's own wait on its
    # reservation) lists them filtered by the servers' common name prefix
    prefix = urlencode({"name": r"^osops\-labrec1\-lab\-"})
    assert [c.split("/v2.1")[1] for c in during] == [f"/servers/detail?{prefix}"]


def test_boot_resolves_each_name_with_one_list_call(clean_env, zero_poll_waits):
    """The boot step left name lookups to the boot; with no usable network
    it used to list the networks twice (its own copy, then the boot's)."""
    def no_networks(interactions):
        # Derived: the network list shows none, so the servers boot without a network.
        (listing,) = [i for i in interactions if i["request"]["url"] == "{network}/v2.0/networks"]
        listing["response"]["json"]["networks"] = []

    scenario = load_text(LAB_BOOT, "lab.yaml")
    marks = {}
    with replayed(edit("lab-demo", no_networks)) as (conn, player):
        report = Engine(conn, scenario, run_id="labrec1",
                        on_result=lambda r: marks.setdefault(r.name, len(player.calls))).run()
    assert report.steps[1].status == "PASS", report.steps[1].detail
    (post,) = [b for b in player.bodies if b and "server" in b]
    assert post["server"]["networks"] == "none"
    before = [c.split("?")[0].split(".invalid")[1] for c in player.calls[marks["image"]:marks["boot"]]]
    assert before[:before.index("/v2.1/servers")] == [
        "/v2.0/security-groups", "/v2.0/security-group-rules",  # the run's own group, its rules in one request
        "/v2.1", "/v2.1/flavors/detail", "/v2.0/networks"]
    assert report.cleanup.detail.count("osops-labrec1-lab-") == 3


def test_dry_run_fills_variables_and_sends_nothing(cli):
    r = cli(EMPTY, "scenario", "run", "lab-demo", "--dry-run", "--var", "count=2", "--var", "flavor=m1.nano")
    assert r.code == 0, r.err
    assert r.calls == []
    out = r.out.splitlines()
    assert out[0] == ("lab-demo: Boot three cirros servers with a keypair, read a console, run a command "
                      "over SSH, ping them all, suspend one, show the bridge, clean up.")
    assert "vars: image='', flavor=m1.nano, count=2" in out
    assert any(re.match(r"\s+4\. boot\s+name=osops-<run>-lab image=<cirros> flavor=m1.nano key_name=<key\.name> "
                        r"count=2; save lab; "
                        r"expect status=ACTIVE servers=2; on_failure stop$", line) for line in out)
    assert any("say-4" in line and "'Their addresses: <lab.addresses>; now ping them all'" in line for line in out)
    assert any(re.match(r"\s+13\. suspend\s+servers=<lab\.0> wait=true; save sleeper", line) for line in out)  # YAML's
    assert out[-1] == "dry run: nothing was sent to the cloud"
    j = cli(EMPTY, "scenario", "run", "lab-demo", "--dry-run", "-f", "json", "--only", "ping")
    assert j.calls == [] and j.code == 0
    plan = {s["name"]: s for s in j.json()["steps"]}
    assert "left_out" not in plan["boot"] and "left_out" not in plan["image"]  # ping needs them
    assert plan["bridge"]["left_out"] == "not selected (--only)"


def test_validate_and_run_agree_on_a_var_with_braces(cli, bridges):
    """Validation said valid; the run used to read the value again and FAIL
    with a KeyError text ('x')."""
    r = cli(EMPTY, "scenario", "validate", "lab-demo", "--var", "image={{ x }}")
    assert r.code == 0 and r.out.endswith("valid: lab-demo, 19 steps\n")
    r = cli("lab-demo", *LAB, "--var", "image={{ x }}")
    assert r.code == 1
    status, detail = live(r)["image"]
    assert status == "FAIL" and detail.startswith("no image '{{ x }}' (kernel, ramdisk and inactive images")
    assert live(r)["cleanup"][0] == "PASS" and live(r)["cleanup"][1].endswith("keypair osops-labrec1-lab")
    r = cli(EMPTY, "scenario", "run", "lab-demo", "--dry-run", "--var", "image={{ x }}")
    assert re.search(r"^\s+1\. image\s+name='\{\{ x \}\}'; save cirros$", r.out, re.M)  # not <x>


VARS = """\
vars: {note: hi, n: 1}
steps:
  - bridge:
    save: br
  - say: "{{ note }} on {{ br.0.name }}"
  - say: "{{ note }}"
  - sleep: "{{ n }}"
"""
VAR_TEXT = st.one_of(st.text(max_size=12), st.text(alphabet="{} .xbr0n", max_size=12),
                     st.sampled_from(["{{ x }}", "{{ br }}", "{{ br.0.name }}", "{{ n }}", "{{", "}}", "1"]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=VAR_TEXT, n=VAR_TEXT)
@example(note="{{ x }}", n="1").via("read again: KeyError 'x'")
@example(note="{{ br.0.name }}", n="1").via("read again: the saved result pulled in")
def test_a_var_validation_accepts_runs_as_given(bridges, note, n):
    """--var values are text: validation refuses only what the run would
    refuse (here: a sleep that is not a number), and what it accepts runs,
    with the value shown as given."""
    try:
        scenario = load_text(VARS, "vars.yaml", {"note": note, "n": n})
    except UsageError as exc:
        assert str(exc).startswith("vars.yaml:7: sleep seconds: ") and "\n" not in str(exc)
        return
    report = Engine(None, scenario, handle_signals=False, sleep=lambda seconds: None).run()
    assert [r.status for r in report.steps] == ["PASS"] * 4, [r.detail for r in report.steps]
    assert [r.detail for r in report.steps[1:3]] == [f"{note} on br100", note]


def test_validate_reports_every_problem_with_file_and_line(cli, tmp_path):
    bad = tmp_path / "lab.yaml"
    bad.write_text(textwrap.dedent("""\
        name: broken
        steps:
          - boot: {image: cirros, flavour: m1.tiny}
          - pign: web
          - suspend: web
            expect: {stauts: SUSPENDED}
        """))
    r = cli(EMPTY, "scenario", "validate", str(bad), "lab-demo")
    assert r.code == 2
    assert r.calls == []
    errors = r.err.strip().splitlines()
    assert errors == [
        f"{bad}:3: boot has no argument 'flavour' (did you mean 'flavor'?); it takes name, image, flavor, "
        "network, networks, key_name, security_groups, user_data, availability_zone, config_drive, wait_for",
        f"{bad}:3: boot needs flavor",
        f"{bad}:4: unknown action 'pign' (did you mean 'ping'?); actions: " + ", ".join(
            ACTIONS),
        f"{bad}:6: suspend cannot expect 'stauts' (did you mean 'status'?); it can expect status, servers"]
    assert r.out.strip() == f"{bundled.path('lab-demo')}: valid: lab-demo, 19 steps"
    r = cli(EMPTY, "scenario", "run", str(bad))
    assert r.code == 2 and f"{bad}:4: unknown action 'pign'" in r.err and r.calls == []


def test_list_shows_the_bundled_scenarios(cli):
    r = cli(EMPTY, "scenario", "list", "-f", "json")
    assert r.code == 0, r.err
    rows = {row["Name"]: row for row in r.json()}
    assert set(rows) >= {"smoke", "lab-demo"}
    assert rows["smoke"]["Steps"] == 15
    assert rows["lab-demo"]["Description"].startswith("Boot three cirros servers")


def test_list_actions_shows_what_a_step_can_do(cli):
    r = cli(EMPTY, "scenario", "list", "--actions", "-f", "json")
    assert r.code == 0, r.err
    assert r.calls == []
    rows = {row["Action"]: row for row in r.json()}
    assert list(rows) == list(ACTIONS)
    boot = rows["boot"]
    assert boot["Arguments"].splitlines() == [
        "name = server: names become osops-<run>-NAME", "image (required): name, id or a saved image",
        "flavor (required): name, id or a saved flavor",
        "network: name, id or a saved network; empty: the only usable one",
        "networks: more networks (names or ids), one NIC on each", "key_name: a keypair to inject",
        "security_groups: groups to boot in; empty: the run's own, which lets ping and SSH in",
        "user_data: the user data itself (a cloud-init script or #cloud-config)",
        "availability_zone: ZONE or ZONE:HOST (a host: admins only)",
        "config_drive: true: give the servers a config drive",
        "wait_for: ping, ssh or login: wait past ACTIVE until they answer ping, SSH, or show a login prompt; "
        "empty: ACTIVE",
        "count: N (a step key): N servers in one request"]
    assert (boot["Expect"], boot["Saves"], boot["Description"]) == (
        "status, servers", "list of Server", "boot servers and wait until ACTIVE")
    assert rows["ping"]["Arguments"].splitlines()[:2] == [
        "servers (required, the bare value): server names or ids, or a saved result", "packets = 3 (1 to 100)"]
    assert rows["image"]["Saves"] == "Image" and rows["token"]["Saves"] == "user, project, project_id, roles"
    assert rows["say"]["Saves"] == "" and rows["say"]["Description"] == "a narration line for demos"
    r = cli(EMPTY, "scenario", "list", "--help")
    assert "--actions" in r.out


def test_unknown_scenario_and_bad_var(cli):
    r = cli(EMPTY, "scenario", "run", "nosuch")
    assert r.code == 2 and "no scenario file nosuch (bundled scenarios: lab-demo, smoke" in r.err
    r = cli(EMPTY, "scenario", "run", "lab-demo", "--var", "cuont=2", "--dry-run")
    assert r.code == 2 and "--var cuont: the scenario has no variable cuont (did you mean 'count'?)" in r.err


def test_smoke_yaml_runs_as_a_scenario_too(cli):
    r = cli("smoke", "scenario", "run", "smoke", "--run-id", "smokerec1")
    assert r.code == 0, r.err
    assert live(r)["boot"][0] == "PASS"


# -- the Python API ----------------------------------------------------------------

def test_engine_names_and_tags_what_it_boots(clean_env, zero_poll_waits):
    scenario = load_file(bundled.path("smoke"))
    with replayed("smoke") as (conn, player):
        report = Engine(conn, scenario, run_id="smokerec1", pinger=FakePinger()).run()
    assert report.exit_code == 0
    (body,) = [b for c, b in zip(player.calls, player.bodies, strict=True) if c.endswith("/v2.1/servers")]
    server = body["server"]
    assert server["name"] == "osops-smokerec1-smoke"
    assert server["metadata"] == {"osops-run": "smokerec1"}
    assert server["min_count"] == server["max_count"] == 1
    assert report.to_dict()["steps"][7]["resources"] == [f"server osops-smokerec1-smoke ({SERVER_ID})"]


def test_run_time_limit_stops_and_cleanup_runs(clean_env, zero_poll_waits):
    """A clock that jumps past the limit while ping runs (no real time passes)."""
    now = [0.0]

    class SlowPinger(FakePinger):
        def ping(self, *args, **kwargs):
            now[0] += 10_000
            return super().ping(*args, **kwargs)

    scenario = load_file(bundled.path("smoke"))
    with replayed("smoke") as (conn, player):
        report = Engine(conn, scenario, run_id="smokerec1", pinger=SlowPinger(), timeout=600,
                        clock=lambda: now[0]).run()
    by_name = {r.name: r for r in report.steps}
    assert report.interrupted == "timeout" and report.exit_code == 1
    assert by_name["ping"].status == "SKIP"
    assert (by_name["ssh"].status, by_name["ssh"].detail) == ("FAIL", "the run's time limit (600 s) ran out")
    assert by_name["suspend"].detail == "not run: the run's time limit (600 s) ran out"
    assert report.cleanup.status == "PASS"
    assert report.cleanup.detail == SMOKE_DELETED
    deleted = [c for c in player.calls if c.startswith("DELETE")]
    assert f"DELETE http://compute.osops.invalid/v2.1/servers/{SERVER_ID}" in deleted and GROUP_DELETE in deleted
    assert len(deleted) == 4


def test_a_failed_say_is_a_failed_step_not_narration(clean_env):
    """A say whose reference fails at run time (a list index past the end)
    is a FAIL like any step: it used to be shown as narration ('== ...'),
    left out of the summary, the totals and JUnit, while the exit code was 1."""
    scenario = load_text(textwrap.dedent("""\
        steps:
          - say: listing
          - servers:
            save: found
          - say: "first: {{ found.5.name }}"
        """), "lab.yaml")
    with replayed("server-list") as (conn, _):
        report = Engine(conn, scenario, handle_signals=False).run()
    say = report.steps[2]
    assert say.status == "FAIL" and report.exit_code == 1
    assert text.live_lines(say, 8) == [f"FAIL say-2      0.0 s  {say.detail}"]
    assert say.detail.startswith("lab.yaml:5: say text: found has ")
    assert text.live_lines(report.steps[0]) == ["== listing"]  # a say that passed stays narration
    rendered = text.render(report)
    assert f"FAILED say-2 ({say.detail})" in rendered
    assert rendered[-1].endswith(": 1 PASS, 1 SKIP, 1 FAILED")
    cases = ET.fromstring(junit.to_xml(report)).find("testsuite").findall("testcase")
    assert [c.get("name") for c in cases] == ["servers", "say-2", "cleanup"]
    assert cases[1].find("failure").get("message") == say.detail


def test_only_keeps_what_the_chosen_steps_need():
    scenario = load_file(bundled.path("smoke"))
    chosen = {n for n, why in select(scenario, only=["ping"]).items() if not why}
    assert chosen == {"image", "flavor", "network", "keypair", "boot", "ping"}
    left = select(scenario, skip=["ping"])
    assert left["ping"] == "left out (--skip)" and not left["boot"]


def test_signal_guard_does_nothing_outside_the_main_thread():
    seen = []
    thread = threading.Thread(target=lambda: seen.append(Guard().__enter__().enabled))
    thread.start()
    thread.join()
    assert seen == [False]


def test_cleanup_runs_even_when_reporting_breaks(clean_env, zero_poll_waits):
    """A broken output stream (or a bug) after boot still gets the server deleted."""
    def on_result(result):
        if result.name == "address":
            raise BrokenPipeError("stdout closed")

    scenario = load_file(bundled.path("smoke"))
    with replayed("smoke") as (conn, player):
        with pytest.raises(BrokenPipeError):
            Engine(conn, scenario, run_id="smokerec1", pinger=FakePinger(), on_result=on_result).run()
    assert [c for c in player.calls if c.startswith("DELETE")] == [
        f"DELETE http://compute.osops.invalid/v2.1/servers/{SERVER_ID}", GROUP_DELETE,
        "DELETE http://compute.osops.invalid/v2.1/os-keypairs/osops-smokerec1-key"]


def test_keyboard_interrupt_without_signal_handling_still_cleans_up(clean_env, zero_poll_waits):
    class CtrlC(FakePinger):
        def ping(self, *args, **kwargs):
            raise KeyboardInterrupt

    scenario = load_file(bundled.path("smoke"))
    with replayed("smoke") as (conn, player):
        report = Engine(conn, scenario, run_id="smokerec1", pinger=CtrlC(), handle_signals=False).run()
    assert report.interrupted == "SIGINT" and report.exit_code == 130
    assert report.cleanup.detail == SMOKE_DELETED
    assert len([c for c in player.calls if c.startswith("DELETE")]) == 4


# -- signals and time limits around cleanup ------------------------------------------
# Signals are sent with os.kill from inside the run (no timers wait); an armed
# alarm is read with getitimer, never waited for.

FIP = "floating IP {floating_ip_address} ({id})".format(**SMOKE_FIP)  # the smoke's, as a report lists it


def _kill(signum=signal.SIGINT):
    os.kill(os.getpid(), signum)


def test_second_signal_before_cleanup_begins_leaves_the_servers(clean_env, zero_poll_waits):
    class CtrlC(FakePinger):
        def ping(self, *args, **kwargs):
            _kill()  # the first Ctrl-C, while ping runs

    def on_result(result):
        if result.name == "ping":
            _kill()  # the second, before cleanup began

    scenario = load_file(bundled.path("smoke"))
    with replayed("smoke") as (conn, player):
        report = Engine(conn, scenario, run_id="smokerec1", pinger=CtrlC(), on_result=on_result).run()
    assert report.exit_code == 130
    assert report.cleanup.status == "FAIL"
    assert report.cleanup.detail.startswith(f"stopped before cleanup began; left osops-smokerec1-smoke ({SERVER_ID}), "
                                            f"{GROUP}, {FIP}, keypair osops-smokerec1-key, private keys in ")
    assert report.cleanup_command == "osops cleanup --run smokerec1"
    assert [c for c in player.calls if c.startswith("DELETE")] == []


def test_second_signal_while_the_cleanup_line_prints_is_only_counted():
    """A second signal while the cleanup line is being reported (after a
    first one during the steps) is only counted: Stop used to escape run()
    from on_result(cleanup)."""
    scenario = load_text("steps:\n  - say: hi\n  - sleep: 1\n  - say: bye\n", "x.yaml")

    def on_result(result):
        if result.name == "cleanup":
            _kill()

    report = Engine(None, scenario, on_result=on_result, sleep=lambda s: _kill()).run()
    assert report.exit_code == 130
    assert report.cleanup.detail == "nothing was created"


def test_run_time_limit_backstop_alarm_stops_a_hung_step():
    armed = []

    def hung(seconds):
        armed.append(signal.getitimer(signal.ITIMER_REAL)[0])
        _kill(signal.SIGALRM)  # what the armed alarm does when a step hangs past the limit

    scenario = load_text("steps:\n  - sleep: 5\n  - say: after\n", "x.yaml")
    report = Engine(None, scenario, timeout=600, sleep=hung).run()
    assert 600 < armed[0] <= 600 + engine.GRACE  # the limit, plus a grace for the clock check
    sleep, after = report.steps
    assert (sleep.status, sleep.detail) == ("FAIL", "the run's time limit (600 s) ran out")
    assert after.detail == "not run: the run's time limit (600 s) ran out"
    assert report.interrupted == "timeout" and report.exit_code == 1
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_cleanup_time_limit_stops_cleanup_and_says_what_is_left(clean_env, zero_poll_waits, monkeypatch):
    armed = []

    def stuck_remove(*args, **kwargs):
        armed.append((signal.getitimer(signal.ITIMER_REAL)[0], args[3]))
        _kill(signal.SIGALRM)  # cleanup runs past its limit

    monkeypatch.setattr("osops.scenario.cleanup.remove", stuck_remove)
    scenario = load_file(bundled.path("smoke"))
    with replayed(edit("smoke", _error_at_boot)) as (conn, _):
        report = Engine(conn, scenario, run_id="smokerec1", pinger=FakePinger(), timeout=900).run()
    (alarm, wait), = armed
    assert engine.CLEANUP_TIMEOUT < alarm <= engine.CLEANUP_TIMEOUT + engine.GRACE  # not the steps' 900 s
    assert wait == engine.CLEANUP_TIMEOUT
    assert report.cleanup.status == "FAIL"
    assert report.cleanup.detail.startswith(f"cleanup did not finish in {engine.CLEANUP_TIMEOUT} s; left "
                                            f"osops-smokerec1-smoke ({SERVER_ID}), {GROUP}, keypair "
                                            "osops-smokerec1-key, private keys in ")
    assert report.cleanup_command == "osops cleanup --run smokerec1"
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_signals_during_the_keep_path_still_report_what_was_kept(clean_env, zero_poll_waits, monkeypatch):
    """The steps' alarm is off once they are over; a signal or an alarm then is counted."""
    seen = []
    real_alive = Engine._alive

    def alive(self):
        seen.append(signal.getitimer(signal.ITIMER_REAL)[0])
        _kill()  # a second Ctrl-C
        _kill(signal.SIGALRM)  # the steps' alarm, had it been left armed
        return real_alive(self)

    monkeypatch.setattr(Engine, "_alive", alive)

    class CtrlC(FakePinger):
        def ping(self, *args, **kwargs):
            _kill()

    scenario = load_file(bundled.path("smoke"))
    with replayed("smoke") as (conn, player):
        report = Engine(conn, scenario, run_id="smokerec1", pinger=CtrlC(), keep=True).run()
    assert seen == [0.0]
    assert report.exit_code == 130 and report.kept
    assert report.cleanup.detail.startswith(f"--keep: kept osops-smokerec1-smoke ({SERVER_ID}), {GROUP}, "
                                            f"{FIP}, keypair osops-smokerec1-key, private keys in ")
    assert report.cleanup_command == "osops cleanup --run smokerec1"
    assert [c for c in player.calls if c.startswith("DELETE")] == []


def _error_at_boot(interactions):
    # Derived: the server goes to ERROR where it went ACTIVE, so cleanup has something to delete.
    for i in interactions:
        if i["request"]["method"] == "GET" and i["request"]["url"].endswith(f"/servers/{SERVER_ID}"):
            server = i["response"]["json"]["server"]
            if server["status"] == "ACTIVE":
                server["status"] = "ERROR"
                return


# -- saved results: the shapes validation checks against are what runs save ---------

EVERY_SAVE = """\
steps:
  - token:
    save: tok
  - catalog:
    save: cat
  - compute-services:
    save: services
  - image:
    save: img
  - flavor: {image: "{{ img }}"}
    save: fl
  - network:
    save: net
  - boot: {name: smoke, image: "{{ img }}", flavor: "{{ fl }}", network: "{{ net }}"}
    save: srv
  - address: srv
    save: addr
  - ping: srv
    save: pings
  - suspend: srv
    save: asleep
  - resume: srv
    save: awake
  - bridge:
    save: br
  - delete: srv
    save: gone
"""


def test_references_validation_accepts_are_those_a_run_can_read(clean_env, zero_poll_waits, fake_pinger, bridges):
    """On every result a run saves (the smoke cassette, one save per action
    that gives one): validation refuses a reference exactly when the run
    could not read it, in the same words; list lengths are only known then."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from osops.scenario import template
    from osops.scenario.template import Ref

    fake_pinger.mode = "answer"
    scenario = load_text(EVERY_SAVE, "every.yaml")
    run = Engine(conn=None, scenario=scenario, run_id="smokerec1")
    with replayed("smoke") as (conn, _):
        run.conn = conn
        report = run.run()
    assert report.exit_code == 0, [(r.name, r.detail) for r in report.steps if r.status == "FAIL"]
    assert set(run.saved) == {s.save for s in scenario.steps}
    shapes = {s.save: s.spec.gives for s in scenario.steps}
    names = sorted({n for value in run.saved.values() for n in _names_in(value)} - {"metadata"})  # keys unknown

    @settings(max_examples=400, deadline=None)
    @given(st.sampled_from(sorted(run.saved)),
           st.lists(st.sampled_from(names + ["count", "0", "1", "nmae", "x"]), max_size=4))
    def agree(root, parts):
        ref = Ref(root, tuple(parts), "{{ %s }}" % ".".join((root, *parts)))
        problem = template.check(ref, shapes[root])
        try:
            template.resolve(ref, run.saved[root])
        except template.TemplateError as exc:
            if "item(s): there is no" not in str(exc):
                assert problem, f"{ref}: the run fails ({exc}), validation let it through"
                if "single value" not in problem:
                    assert problem == str(exc)
        else:
            vacuous = any(template.resolve(Ref(root, tuple(parts[:n]), ""), run.saved[root]) == []
                          for n in range(len(parts)))  # a field of no items is no items
            assert vacuous or not problem, f"{ref}: the run reads it, validation says {problem}"

    agree()


def _names_in(value):
    """Every mapping key and dataclass field reachable in *value*."""
    import dataclasses

    if isinstance(value, dict):
        return set(value) | {n for v in value.values() for n in _names_in(v)}
    if isinstance(value, (list, tuple)):
        return {n for v in value for n in _names_in(v)}
    if dataclasses.is_dataclass(value):
        from osops.scenario.template import EXTRAS

        return {f.name for f in dataclasses.fields(value)} | set(EXTRAS.get(type(value).__name__, {})) | {
            n for f in dataclasses.fields(value) for n in _names_in(getattr(value, f.name))}
    return set()


class WakingPinger(FakePinger):
    """Servers that answer from their *wakes*-th ping on (a guest still
    booting is silent first); every ping's server names and count."""

    def __init__(self, wakes):
        self.wakes, self.calls = wakes, []

    def ping(self, conn, servers, addresses=(), count=3, netns="auto"):
        self.calls.append(([s.name for s in servers], count))
        self.mode = "answer" if len(self.calls) >= self.wakes else "silent"
        return super().ping(conn, servers, addresses, count, netns)


@pytest.mark.parametrize("wakes, wait, status, calls", [
    (3, 60, "PASS", 4),  # silent twice, answers the third one-packet ping, then the count
    (9, 2, "FAIL", 3),   # still silent after its two tries: the count fails
])
def test_ping_waits_for_a_first_answer_from_a_booting_guest(clean_env, zero_poll_waits, wakes, wait, status, calls):
    scenario = load_text(LAB_BOOT + f"    save: lab\n  - ping: {{servers: lab, within: {wait}}}\n", "lab.yaml")
    pinger = WakingPinger(wakes)
    with replayed("lab-demo") as (conn, _):
        report = Engine(conn, scenario, run_id="labrec1", pinger=pinger).run()
    ping = next(r for r in report.steps if r.name == "ping")
    assert ping.status == status, ping.detail
    assert len(pinger.calls) == calls and [c for _, c in pinger.calls] == [1] * (calls - 1) + [3]
