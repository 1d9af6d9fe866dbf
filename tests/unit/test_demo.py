"""The offline demo cloud: the commands issue 4 names work with no cloud,
on the recordings in osops/demo (made by tools/record-cassettes with the
uec images hidden, as on today's devstack)."""

import json
import re

import pytest
import yaml

from osops import demo, recordings
from osops.cli.app import main
from osops.host.targets import REPLAYED
from osops.scenario.steps import REPLAYED_BRIDGES
from osops.testing.scrub import walk
from tests.unit.conftest import STEPS, live

NOTICE = "osops demo cloud: replaying osops/demo/{}.json recorded from a real cloud; nothing leaves this machine"


def recorded(name):
    return json.loads(recordings.demo_path(name).read_text())


# demo-1 as the demo's server list recorded it
[DEMO_1] = [s for i in recorded("server-list")["interactions"] if i["request"]["url"].endswith("/servers/detail")
            for s in i["response"]["json"]["servers"]]
[ADDRESS] = [a["addr"] for a in DEMO_1["addresses"]["private"]]


def address_of(data, name):
    """The fixed address the recorded session *data* shows for server *name*."""
    found = {a["addr"] for _k, v in walk(data) if isinstance(v, dict) and v.get("name") == name
             for a in v.get("addresses", {}).get("private", []) if a.get("OS-EXT-IPS:type", "fixed") == "fixed"}
    [address] = found
    return address


class Stderr:
    """What conftest.live reads: a run's stderr."""

    def __init__(self, err):
        self.err = err


@pytest.fixture
def run(clean_env, zero_poll_waits, capsys):
    """``run(*argv)``: osops --os-cloud demo ARGV -> (exit status, stdout,
    stderr); its waits poll without sleeping (zero_poll_waits)."""

    def start(*argv, cloud=("--os-cloud", "demo")):
        code = main([*cloud, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return start


def notice_first(err, name):
    assert err.splitlines()[0] == NOTICE.format(name)
    return err.splitlines()[1:]


def test_image_list_has_the_one_cirros_of_todays_devstack(run):
    code, out, err = run("image", "list", "-f", "json")
    assert code == 0 and notice_first(err, "image-list") == []
    assert [(i["Name"], i["Bootable"]) for i in json.loads(out)] == [("cirros-0.6.2-x86_64-disk", True)]


def test_flavor_list(run):
    code, out, err = run("flavor", "list", "-f", "json")
    assert code == 0 and notice_first(err, "flavor-list") == []
    flavors = {f["Name"]: f for f in json.loads(out)}
    assert {"m1.nano", "m1.micro", "m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"} == set(flavors)
    assert (flavors["m1.tiny"]["ID"], flavors["m1.tiny"]["Memory_MB"], flavors["m1.tiny"]["VCPUs"]) == ("1", 512, 1)


def test_boot_by_the_names_issue_4_gives(run):
    code, out, err = run("boot", "--flavor", "m1.tiny", "--image", "cirros", "-f", "json")
    assert code == 0 and notice_first(err, "boot") == []
    [server] = json.loads(out)
    # its own recording's demo-1 (recorded again apart from the server list since boot looks its name up)
    address = address_of(recorded("boot"), "demo-1")
    assert (server["Name"], server["Status"], server["Networks"]) == ("demo-1", "ACTIVE", {"private": [address]})


def test_server_list(run):
    code, out, err = run("server", "list", "-f", "json")
    assert code == 0 and notice_first(err, "server-list") == []
    assert json.loads(out) == [{"ID": DEMO_1["id"], "Name": "demo-1", "Status": "ACTIVE", "Task State": None,
                                "Power State": "Running", "Networks": {"private": [ADDRESS]}}]


@pytest.mark.parametrize("argv,cassette,status", [
    (["suspend", "demo-1", "--wait"], "suspend", "SUSPENDED"),
    (["resume", "demo-1", "--wait"], "resume", "ACTIVE"),
    (["delete", "demo-1", "--wait"], "delete", "DELETED"),
    (["server", "suspend", "demo-1", "--wait"], "suspend", "SUSPENDED"),
])
def test_server_actions(run, argv, cassette, status):
    code, out, err = run(*argv, "-f", "json")
    assert code == 0 and notice_first(err, cassette) == []
    assert [(s["ID"], s["Name"], s["Status"]) for s in json.loads(out)] == [(DEMO_1["id"], "demo-1", status)]


def test_ping_sends_nothing_and_the_row_says_why(run, monkeypatch):
    for sender in ("_icmplib", "_system"):
        monkeypatch.setattr(f"osops.host.ping.{sender}", lambda *a, **k: pytest.fail("the demo pinged"))
    code, out, err = run("ping", "demo-1", "-f", "json")
    assert code == 1 and notice_first(err, "ping") == []
    [row] = json.loads(out)
    assert (row["Server"], row["Address"], row["Sent"], row["Received"]) == ("demo-1", ADDRESS, 0, 0)
    assert row["Result"] == f"FAIL: {REPLAYED}"


def test_ping_netns_auto_asks_the_recording_for_no_ports(run):
    """The demo recorded no port or router list: --netns auto must not ask."""
    code, out, err = run("ping", "demo-1", "--netns", "auto", "-f", "json")
    assert code == 1 and notice_first(err, "ping") == []
    [row] = json.loads(out)
    assert (row["Server"], row["Address"], row["Namespace"]) == ("demo-1", ADDRESS, "-")
    assert row["Result"] == f"FAIL: {REPLAYED}"


def test_address_targets_with_netns_auto_is_a_usage_error_even_beside_a_server(run):
    code, _, err = run("ping", "demo-1", "--address", "10.0.0.1", "--netns", "auto")
    assert code == 2  # before the recording is opened: no notice
    assert err == "--address targets cannot use --netns auto; name a namespace with --netns NS\n"


def test_smoke_prints_live_lines_summary_and_timing(run):
    code, out, err = run("smoke")
    assert code == 0, err
    lines = notice_first(err, "smoke")
    assert lines[0] == "smoke: run demosmoke (servers osops-demosmoke-..., tagged osops-run=demosmoke)"
    steps = live(Stderr(err))
    assert list(steps) == STEPS + ["cleanup"]
    assert {n for n, (status, _) in steps.items() if status != "PASS"} == {"ping", "ssh"}
    address = address_of(recorded("smoke"), "osops-demosmoke-smoke")
    assert steps["boot"][1] == f"osops-demosmoke-smoke ACTIVE on private={address}"
    assert steps["ping"] == ("SKIP", f"cannot ping from this host: osops-demosmoke-smoke {address}: {REPLAYED}")
    assert steps["image"][1].startswith("cirros-0.6.2-x86_64-disk (")
    assert "osops smoke Step Timing" in out and re.search(r"^boot +\d+\.\d$", out, re.M)
    assert steps["ssh"][0] == "SKIP" and "replayed cloud" in steps["ssh"][1]
    assert out.rstrip().splitlines()[-1] == "smoke run demosmoke: 14 PASS, 2 SKIP, 0 FAILED"


def test_smoke_json_report(run):
    code, out, err = run("smoke", "-f", "json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["run_id"], report["status"], report["totals"]) == ("demosmoke", "PASS",
                                                                      {"PASS": 14, "FAIL": 0, "SKIP": 2})
    assert [(s["name"], s["status"]) for s in report["steps"]] == [(n, "SKIP" if n in ("ping", "ssh") else "PASS")
                                                                     for n in STEPS]


def test_lab_demo_scenario_run(run):
    code, out, err = run("scenario", "run", "lab-demo")
    assert code == 0, err
    lines = notice_first(err, "lab-demo")
    assert lines[0] == "lab-demo: run demolab (servers osops-demolab-..., tagged osops-run=demolab)"
    steps = live(Stderr(err))
    assert steps["boot"] == ("PASS", "3 servers ACTIVE: osops-demolab-lab-1, osops-demolab-lab-2, "
                                     "osops-demolab-lab-3")
    assert steps["ping"][0] == steps["ping-suspended"][0] == "SKIP" and REPLAYED in steps["ping-suspended"][1]
    assert steps["suspend"] == ("PASS", "osops-demolab-lab-1 SUSPENDED")
    assert steps["bridge"] == ("SKIP", REPLAYED_BRIDGES)
    assert steps["ssh"] == ("SKIP", "a replayed cloud (demo): its servers are not this host's to log in to")
    assert steps["delete"][0] == steps["cleanup"][0] == "PASS"
    assert out.rstrip().splitlines()[-1] == "lab-demo run demolab: 9 PASS, 4 SKIP, 0 FAILED"


@pytest.mark.parametrize("scenario", ["run", "scenario", "smoke", "lab"])
def test_a_run_of_another_scenario_than_the_recorded_one_is_refused(scenario):
    from types import SimpleNamespace

    from osops.errors import UsageError

    conn = SimpleNamespace(osops_recorded="scenario run lab-demo --run-id demolab --skip bridge")
    assert demo.run_id(conn, "lab-demo", None) == "demolab"
    refused = f"^the demo cloud has recorded 'scenario run lab-demo', not a run of {scenario}$"
    with pytest.raises(UsageError, match=refused):
        demo.run_id(conn, scenario, None)
    assert demo.run_id(SimpleNamespace(osops_recorded="smoke --run-id demosmoke"), "smoke", None) == "demosmoke"


def test_a_run_with_another_run_id_is_a_usage_error(run):
    code, out, err = run("smoke", "--run-id", "mine1")
    assert (code, out) == (2, "")
    line = "the demo cloud recorded this run with --run-id demosmoke; leave --run-id out"
    assert notice_first(err, "smoke") == [line]


@pytest.mark.parametrize("argv,recorded,differs", [
    (["boot", "foo", "--count", "2", "--flavor", "m1.small", "--image", "cirros"],
     "boot demo-1 --flavor m1.tiny --image cirros", "NAME, --flavor, --count"),
    (["server", "list", "--status", "ERROR"], "server list", "--status"),
    (["server", "list", "--all-projects", "-f", "json"], "server list", "--all-projects"),
    (["ping", "demo-2"], "ping demo-1", "SERVER"),  # how it would ping is free: nothing is sent
    (["doctor", "--no-host"], "doctor", "--no-host"),  # not a Config row: the command line is wrong
    (["smoke", "--keep"], "smoke --run-id demosmoke", "--keep"),
    (["scenario", "run", "smoke"], "scenario run lab-demo --run-id demolab --skip bridge", "FILE"),
])
def test_a_command_line_the_demo_did_not_record_is_refused_in_one_line(run, argv, recorded, differs):
    # Before: boot printed the recorded demo-1 and exited 0; server list --status failed on an
    # unrecorded request.  Nothing is replayed now, so not even the demo's notice is printed.
    code, out, err = run(*argv)
    assert (code, out) == (2, "")
    assert err == (f"the demo cloud recorded only '{recorded}' (yours differs in {differs}); "
                   f"run: osops --os-cloud demo {recorded}\n")


@pytest.mark.parametrize("argv,cassette,out", [
    (["boot", "--image", "cirros", "--flavor=m1.tiny", "-f", "value", "-c", "Name"], "boot", "demo-1"),
    (["boot", "demo-1", "--flavor", "m1.tiny", "--image", "cirros", "--no-wait", "--timeout", "9", "-f", "value",
      "-c", "Name"], "boot", "demo-1"),
    (["delete", "demo-1", "--no-wait", "-f", "value", "-c", "Status"], "delete", "DELETING"),
    (["server", "list", "-f", "csv", "--quote", "none", "-c", "Name", "--sort-column", "Name"], "server-list",
     "Name\ndemo-1"),
])
def test_output_and_wait_options_and_left_out_ones_replay_the_recording(run, argv, cassette, out):
    code, stdout, err = run(*argv)
    assert code == 0 and notice_first(err, cassette) == [], err
    assert stdout.strip() == out


def test_os_cloud_variable_selects_the_demo_even_with_a_clouds_yaml_and_openrc(run, clean_env, monkeypatch):
    path = clean_env / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"lab": {"auth": {"auth_url": "http://127.0.0.1:9/v3"}}}}))
    for k, v in {"OS_CLIENT_CONFIG_FILE": str(path), "OS_CLOUD": "demo", "OS_AUTH_URL": "http://127.0.0.1:9/v3",
                 "OS_PASSWORD": "not-read", "OS_REGION_NAME": "Elsewhere"}.items():
        monkeypatch.setenv(k, v)
    code, out, err = run("flavor", "list", "-f", "value", "-c", "Name", cloud=())
    assert code == 0, err
    assert "m1.tiny" in out.split("\n") and notice_first(err, "flavor-list") == []


def test_doctor_finds_the_recorded_cloud_healthy_and_this_host_no_cloud_host(run):
    code, out, err = run("doctor", "-f", "json")
    assert code == 0 and notice_first(err, "doctor") == []
    rows = {r["Check"]: r for r in json.loads(out)}
    assert {c for c, r in rows.items() if r["Result"] not in ("OK", "SKIP")} == set()
    assert rows["Images"]["Found"] == "1 bootable of 1: cirros-0.6.2-x86_64-disk"
    assert rows["Host"]["Result"] == "SKIP" and "is not this machine" in rows["Host"]["Found"]


@pytest.mark.parametrize("option", [["--record", "{}"], ["--scrub-names"], ["--record", "{}", "--scrub-names"]])
@pytest.mark.parametrize("command", [["image", "list"], ["doctor"]])  # doctor: not a Config row
def test_recording_the_demo_is_refused_in_one_line(run, tmp_path, option, command):
    target = tmp_path / "x.json"
    code, out, err = run(*[o.format(target) for o in option], *command)
    assert (code, out) == (2, "") and not target.exists()
    assert err == f"{option[0]}: the demo cloud only replays; record against a real cloud\n"


def what_the_demo_has(run):
    """The list the demo gives with a command it has not recorded."""
    code, _, err = run("cleanup", "--run", "abcd")
    assert code == 2
    head, _, listed = err.strip().partition("; it has: ")
    assert head == "the demo cloud has no recording of 'cleanup'"
    return listed.split(", ")


def test_a_command_the_demo_has_not_recorded_says_what_it_has(run):
    have = what_the_demo_has(run)
    assert have == sorted(have) and len(have) == len(recordings.for_demo())
    assert {"image list", "server show", "boot", "scenario run lab-demo"} <= set(have)  # the scenario run with its name


@pytest.mark.parametrize("rec", recordings.for_demo(), ids=lambda r: r.name)
def test_every_declared_demo_recording_replays_its_command_line(run, rec):
    """What osops/recordings.py says the demo replays, it replays: the
    declared command line, from its own file, with the recorded exit status."""
    code, _, err = run(*rec.demo_argv)
    assert code == rec.exit, err
    assert err.splitlines()[0] == NOTICE.format(rec.name)
    assert demo.shown(rec) in what_the_demo_has(run)


def test_a_clouds_yaml_cloud_named_demo_wins(run, clean_env, monkeypatch, closed_port):
    # osops connects to that cloud: a port on 127.0.0.1 that refuses, as a Keystone that is down
    path = clean_env / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"demo": {"auth": {"auth_url": f"http://127.0.0.1:{closed_port}/v3",
                    "username": "u", "password": "p", "project_name": "p", "user_domain_id": "default",
                    "project_domain_id": "default"}}}}))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    code, _, err = run("image", "list")
    assert code == 1
    assert "demo cloud" not in err and f"cannot reach Keystone at http://127.0.0.1:{closed_port}/v3" in err


def test_a_plain_install_brings_what_the_demo_replays_through():
    # The README's first command is `pip install .` (no [test] extra) and then the demo.
    import configparser

    setup = configparser.ConfigParser()
    setup.read(recordings.DEMO_DIR.parent.parent / "setup.cfg")
    required = {re.split(r"[<>=!\s]", line.strip())[0].lower() for line in
                setup["options"]["install_requires"].splitlines() if line.strip() and not line.strip().startswith("#")}
    assert "requests-mock" in required
