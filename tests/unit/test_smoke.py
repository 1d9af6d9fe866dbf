"""osops smoke and osops cleanup through the real entry point, on cassettes
recorded from the loopback cloud (tools/record-cassettes); failures are
derived from them by the edits each test documents.

Nothing here pings: every test uses the fake_pinger fixture, and cli's
waits poll without sleeping (zero_poll_waits).  No test looks at how long anything took.
"""

import copy
import os
import re
import signal
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest

from tests.unit.conftest import (
    EMPTY,
    GROUP,
    GROUP_DELETE,
    SERVER_ID,
    STEPS,
    booted,
    cassette,
    edit,
    live,
)

pytestmark = pytest.mark.usefixtures("fake_pinger")  # no test here pings; cli's waits do not sleep

SMOKE = ("smoke", "--run-id", "smokerec1")


def deletes(result):
    return [c for c in result.calls if c.startswith("DELETE ")]


def responses(interactions, method, url_end, query=None):
    return [i["response"] for i in interactions
            if i["request"]["method"] == method and i["request"]["url"].endswith(url_end)
            and (query is None or i["request"]["query"] == query)]


# -- the whole smoke, passing ------------------------------------------------

def test_smoke_passes_on_the_recorded_cloud(cli):
    r = cli("smoke", *SMOKE)
    assert r.code == 0, r.err
    lines = live(r)
    assert list(lines) == STEPS + ["cleanup"]
    assert {n for n, (status, _) in lines.items() if status != "PASS"} == {"ping", "ssh"}
    assert re.fullmatch(r"osops-smokerec1-smoke ACTIVE on private=10\.0\.0\.\d+", lines["boot"][1])
    assert lines["ping"][1].startswith("cannot ping from this host: osops-smokerec1-smoke 10.0.0.")
    assert lines["ssh"][1].startswith("cannot reach osops-smokerec1-smoke from this host: no route")
    assert re.fullmatch(r"osops-smokerec1-smoke 172\.24\.4\.\d+ -> 10\.0\.0\.\d+ \(private to public\)",
                        lines["floating_ip"][1])
    assert lines["suspend"] == ("PASS", "osops-smokerec1-smoke SUSPENDED")
    assert lines["delete"] == ("PASS", "osops-smokerec1-smoke gone")
    assert re.fullmatch(r"deleted floating IP 172\.24\.4\.\d+, security group osops-smokerec1-sg, "
                        r"keypair osops-smokerec1-key", lines["cleanup"][1])  # the server: by its step
    assert re.search(r"^PASS boot +\d+\.\d s  ", r.err, re.M)  # the live line's shape
    assert deletes(r)[0] == f"DELETE http://compute.osops.invalid/v2.1/servers/{SERVER_ID}"
    assert GROUP_DELETE in deletes(r) and len(deletes(r)) == 4  # and the floating IP and the keypair


def test_summary_block_and_timing_table_on_stdout(cli):
    r = cli("smoke", *SMOKE)
    out = r.out.splitlines()
    rule = "=" * 69
    first, last = out.index(rule), out.index(rule, out.index(rule) + 1)
    block = out[first + 1:last]
    assert block[0].startswith("SKIP ping (cannot ping from this host")  # exercise.sh: SKIP, PASS, FAILED
    assert block[1].startswith("SKIP ssh (cannot reach osops-smokerec1-smoke from this host")
    assert block[2:] == [f"PASS {n}" for n in STEPS if n not in ("ping", "ssh")] + ["PASS cleanup"]
    timing = out[out.index("osops smoke Step Timing") - 1:]
    assert timing[0] == timing[3] == "=" * 25 and timing[2] == " (times are in seconds)"
    rows = [line.split() for line in timing[4:4 + 16]]
    assert [row[0] for row in rows] == STEPS + ["cleanup"]
    assert all(re.fullmatch(r"\d+\.\d", row[1]) for row in rows)
    assert timing[20] == "-" * 25 and re.fullmatch(r"Unaccounted time +\d+\.\d", timing[21])
    assert timing[22] == "=" * 25 and re.fullmatch(r"Total runtime +\d+\.\d", timing[23])  # last, as in stack.sh
    assert out[-1] == "smoke run smokerec1: 14 PASS, 2 SKIP, 0 FAILED"
    assert not re.search(r"^PASS boot +\d", r.out, re.M)  # live lines go to stderr only


def test_json_report_is_all_of_stdout(cli):
    r = cli("smoke", *SMOKE, "-f", "json")
    assert r.code == 0, r.err
    report = r.json()
    assert report["run_id"] == "smokerec1" and report["status"] == "PASS"
    assert [s["name"] for s in report["steps"]] == STEPS
    boot = report["steps"][STEPS.index("boot")]
    assert boot["status"] == "PASS" and boot["resources"] == [f"server osops-smokerec1-smoke ({SERVER_ID})"]
    ping = report["steps"][STEPS.index("ping")]
    assert ping["status"] == "SKIP" and ping["reason"].startswith("cannot ping from this host")
    assert report["cleanup"]["status"] == "PASS" and report["left"] == []
    assert report["totals"] == {"PASS": 14, "SKIP": 2, "FAIL": 0}


def test_junit_has_one_testcase_per_step(cli, tmp_path):
    path = tmp_path / "smoke.xml"
    r = cli("smoke", *SMOKE, "--junit", str(path))
    assert r.code == 0, r.err
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite.get("name") == "smoke"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("16", "0", "2")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == STEPS + ["cleanup"]
    assert {c.get("classname") for c in cases} == {"osops.smoke"}
    skipped, _ssh = [c for c in cases if c.find("skipped") is not None]
    assert (skipped.get("name"), _ssh.get("name")) == ("ping", "ssh")
    assert skipped.find("skipped").get("message").startswith("cannot ping from this host")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["run_id"] == "smokerec1"


def test_junit_that_cannot_be_written_fails_the_command(cli, tmp_path):
    path = tmp_path / "no-such-dir" / "smoke.xml"
    r = cli("smoke", *SMOKE, "--junit", str(path))
    assert r.code == 1
    assert r.err.splitlines()[-1] == f"cannot write the JUnit report {path}: No such file or directory"
    assert r.out.splitlines()[-1] == "smoke run smokerec1: 14 PASS, 2 SKIP, 0 FAILED"  # the report still printed
    assert not path.exists()


def test_junit_is_written_even_when_stdout_is_closed(cli, tmp_path, monkeypatch):
    """`osops smoke --junit FILE | head -0`: the report meets a closed pipe;
    the JUnit file used to be written after it, so it was never written."""
    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

    path = tmp_path / "smoke.xml"
    with monkeypatch.context() as patch:  # undone before capsys puts its own stdout back
        patch.setattr("sys.stdout", ClosedPipe())
        r = cli("smoke", *SMOKE, "--junit", str(path))
    assert r.code == 141 and "Broken pipe" not in r.err  # quietly, with the shell's status
    assert ET.parse(path).getroot().find("testsuite").get("tests") == "16"


def test_ping_that_answers_passes(cli, fake_pinger):
    fake_pinger.mode = "answer"
    r = cli("smoke", *SMOKE)
    assert r.code == 0, r.err
    status, detail = live(r)["ping"]
    assert status == "PASS" and re.fullmatch(r"answered: osops-smokerec1-smoke 10\.0\.0\.\d+ 3/3 0\.6 ms", detail)
    assert fake_pinger.seen == [["osops-smokerec1-smoke"]] * 2  # its first answer, then the count


# -- failures, derived from the recorded cassette -----------------------------

def test_no_bootable_image(cli):
    def only_kernels(interactions):
        # Derived: every image in the image list becomes a kernel image (aki).
        for resp in responses(interactions, "GET", "/v2/images"):
            for image in resp["json"]["images"]:
                image["disk_format"] = image["container_format"] = "aki"

    r = cli(edit("smoke", only_kernels), *SMOKE)
    assert r.code == 1
    lines = live(r)
    assert lines["image"] == ("FAIL", "no bootable image among 4 image(s) (kernel, ramdisk and inactive "
                                      "images are left out); upload one (cirros is the usual choice) or "
                                      "pass --image")
    assert lines["flavor"] == ("SKIP", "needs boot_image from step image, which FAILED")
    assert lines["boot"][0] == lines["ping"][0] == lines["delete"][0] == "SKIP"
    assert lines["cleanup"] == ("PASS", "deleted security group osops-smokerec1-sg, keypair osops-smokerec1-key")
    assert not [c for c in r.calls if c.startswith("POST") and c.endswith("/servers")]
    assert "FAILED image (no bootable image among 4 image(s)" in r.out


def test_boot_error_fails_with_novas_fault_and_is_cleaned_up(cli):
    fault = "No valid host was found. There are not enough hosts available."

    def error_instead_of_active(interactions):
        # Derived: the first poll that saw ACTIVE sees ERROR with Nova's fault.
        polls = responses(interactions, "GET", f"/servers/{SERVER_ID}")
        first = next(p for p in polls if p["json"]["server"]["status"] == "ACTIVE")
        first["json"]["server"].update(status="ERROR", fault={"code": 500, "message": fault})

    r = cli(edit("smoke", error_instead_of_active), *SMOKE)
    assert r.code == 1
    lines = live(r)
    assert lines["boot"] == ("FAIL", f"server osops-smokerec1-smoke ({SERVER_ID}) went to ERROR: {fault}")
    for step in ("address", "floating_ip", "ping", "ssh", "suspend", "resume", "delete"):
        assert lines[step] == ("SKIP", "needs server from step boot, which FAILED")
    assert lines["cleanup"] == ("PASS", "deleted osops-smokerec1-smoke, security group osops-smokerec1-sg, "
                                        "keypair osops-smokerec1-key")
    assert deletes(r) == [f"DELETE http://compute.osops.invalid/v2.1/servers/{SERVER_ID}", GROUP_DELETE,
                          "DELETE http://compute.osops.invalid/v2.1/os-keypairs/osops-smokerec1-key"]
    assert f"FAILED boot (server osops-smokerec1-smoke ({SERVER_ID}) went to ERROR: No valid host" in r.out


def test_ping_without_answer_fails(cli, fake_pinger):
    fake_pinger.mode = "silent"
    r = cli("smoke", *SMOKE)
    assert r.code == 1
    lines = live(r)
    assert re.fullmatch(r"no reply from osops-smokerec1-smoke 10\.0\.0\.\d+: no reply in 2 s", lines["ping"][1])
    assert lines["ping"][0] == "FAIL"
    assert lines["suspend"][0] == lines["resume"][0] == lines["delete"][0] == "PASS"  # on_failure: continue
    assert lines["ssh"][0] == "SKIP"  # this host has no route for SSH either
    assert r.out.splitlines()[-1] == "smoke run smokerec1: 14 PASS, 1 SKIP, 1 FAILED"  # cleanup counts


def test_endpoint_down(cli):
    def placement_down(interactions):
        # Derived: the placement endpoint refuses connections.
        for i in interactions:
            if i["request"]["url"] == "{placement}/":
                i["response"] = {"raise": "ConnectionError"}

    r = cli(edit("smoke", placement_down), *SMOKE)
    assert r.code == 1
    status, detail = live(r)["catalog"]
    assert status == "FAIL"
    [token] = [i["response"]["json"]["token"] for i in cassette("smoke")["interactions"]
               if i["request"]["url"].endswith("/v3/auth/tokens")]
    [placement] = [s for s in token["catalog"] if s["type"] == "placement"]
    interfaces = "/".join(e["interface"] for e in placement["endpoints"])  # in the catalog's order
    assert detail.startswith(f"placement http://placement.osops.invalid ({interfaces}) does not answer: ")
    assert all(s == "PASS" for n, (s, _) in live(r).items() if n not in ("catalog", "ping", "ssh"))


def test_auth_failure_stops_the_run(cli):
    def refused(interactions):
        # Derived: Keystone refuses the password.
        for i in interactions:
            if i["request"]["url"].endswith("/v3/auth/tokens"):
                i["response"] = {"status": 401, "headers": {"Content-Type": "application/json"},
                                 "json": {"error": {"code": 401, "message": "The request you have made "
                                                    "requires authentication.", "title": "Unauthorized"}}}

    r = cli(edit("smoke", refused), *SMOKE)
    assert r.code == 1
    lines = live(r)
    assert lines["token"][0] == "FAIL" and "authentication failed for user admin" in lines["token"][1]
    assert {s for n, (s, _) in lines.items() if n not in ("token", "cleanup")} == {"SKIP"}
    assert lines["catalog"] == ("SKIP", "not run: step token FAILED (on_failure: stop)")


def test_without_admin_compute_services_skip(cli):
    r = cli("smoke-nonadmin", "smoke", "--only", "compute-services", "--run-id", "nonadmin1")
    assert r.code == 0, r.err
    lines = live(r)
    assert lines["compute-services"] == ("SKIP", "needs admin: the compute service list is admin-only "
                                                 "(run with an admin cloud, e.g. --os-cloud devstack-admin)")
    assert lines["token"] == ("SKIP", "not selected (--only)")
    assert "osops smoke Step Timing" in r.out
    timing = r.out[r.out.index("Step Timing"):]
    assert "compute-services" in timing and "token" not in timing  # steps that did not run have no time


# -- cleanup always runs --------------------------------------------------------

@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_run_and_cleanup_deletes_the_server(cli, fake_pinger, signum, code):
    fake_pinger.hook = lambda: os.kill(os.getpid(), signum)
    r = cli("smoke", *SMOKE)
    name = signal.Signals(signum).name
    assert r.code == code
    assert f"{name}: stopping; cleaning up what this run created" in r.err
    lines = live(r)
    assert lines["ping"] == ("FAIL", f"interrupted by {name}")
    assert lines["suspend"] == ("SKIP", f"not run: interrupted by {name}")
    assert re.fullmatch(r"deleted osops-smokerec1-smoke, floating IP 172\.24\.4\.\d+, security group "
                        r"osops-smokerec1-sg, keypair osops-smokerec1-key", lines["cleanup"][1])
    assert lines["cleanup"][0] == "PASS"
    assert f"DELETE http://compute.osops.invalid/v2.1/servers/{SERVER_ID}" in deletes(r)
    assert GROUP_DELETE in deletes(r) and len(deletes(r)) == 4  # and the floating IP and the keypair
    assert signal.getsignal(signal.SIGINT) is not None  # handlers were put back
    assert r.out.splitlines()[-1].endswith(f"({name})")


def test_second_ctrl_c_stops_cleanup_and_says_what_is_left(cli, fake_pinger, monkeypatch):
    from osops.scenario import cleanup

    real_remove = cleanup.remove

    def interrupted_remove(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # the second Ctrl-C, as cleanup starts deleting
        return real_remove(*args, **kwargs)

    monkeypatch.setattr(cleanup, "remove", interrupted_remove)
    fake_pinger.hook = lambda: os.kill(os.getpid(), signal.SIGINT)
    r = cli("smoke", *SMOKE, "-f", "json")
    assert r.code == 130
    report = r.json()
    assert report["cleanup"]["status"] == "FAIL"
    assert report["cleanup"]["detail"].startswith("cleanup interrupted by SIGINT; left osops-smokerec1-smoke")
    assert report["left"][:2] == [f"osops-smokerec1-smoke ({SERVER_ID})", GROUP]
    assert "keypair osops-smokerec1-key" in report["left"]
    assert report["cleanup_command"] == "osops cleanup --run smokerec1"
    (released,) = deletes(r)  # the floating IP goes first, before the remove Ctrl-C stopped
    assert "/v2.0/floatingips/" in released


def test_first_signal_during_cleanup_only_warns(cli, monkeypatch):
    from osops.scenario import cleanup

    real_remove = cleanup.remove

    def remove(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        return real_remove(*args, **kwargs)

    def error_at_boot(interactions):
        # Derived: the server goes to ERROR, so cleanup has something to delete.
        polls = responses(interactions, "GET", f"/servers/{SERVER_ID}")
        next(p for p in polls if p["json"]["server"]["status"] == "ACTIVE")["json"]["server"]["status"] = "ERROR"

    monkeypatch.setattr(cleanup, "remove", remove)
    r = cli(edit("smoke", error_at_boot), *SMOKE)
    assert "SIGINT: cleanup is running (Ctrl-C again to stop it" in r.err
    assert live(r)["cleanup"] == ("PASS", "deleted osops-smokerec1-smoke, security group osops-smokerec1-sg, "
                                          "keypair osops-smokerec1-key")
    assert len(deletes(r)) == 3 and r.code == 1  # the server, its group, the keypair


def test_second_ctrl_c_on_the_keep_path_still_prints_how_to_remove(cli, fake_pinger, monkeypatch):
    from osops.scenario.engine import Engine

    real_alive = Engine._alive

    def alive(self):
        os.kill(os.getpid(), signal.SIGINT)  # the second Ctrl-C, as --keep lists what it keeps
        return real_alive(self)

    monkeypatch.setattr(Engine, "_alive", alive)
    fake_pinger.hook = lambda: os.kill(os.getpid(), signal.SIGINT)
    r = cli("smoke", *SMOKE, "--keep")
    assert r.code == 130
    assert "Traceback" not in r.err
    assert live(r)["cleanup"][1].startswith(f"--keep: kept osops-smokerec1-smoke ({SERVER_ID}), {GROUP}, "
                                            "floating IP 172.24.4.")
    assert live(r)["cleanup"][0] == "SKIP" and "keypair osops-smokerec1-key" in live(r)["cleanup"][1]
    assert r.out.splitlines()[-1] == "remove with: osops cleanup --run smokerec1"
    assert deletes(r) == []


def test_keep_leaves_the_server_and_cleanup_removes_it(cli):
    r = cli("smoke-keep", "smoke", "--keep", "--only", "boot", "--run-id", "keeprec1")
    assert r.code == 0, r.err
    assert deletes(r) == []
    lines = live(r)
    assert [n for n, (s, _) in lines.items() if s == "PASS"] == ["image", "flavor", "network", "keypair", "boot"]
    assert lines["cleanup"][1].startswith("--keep: kept osops-keeprec1-smoke (")
    tail = r.out.splitlines()[-2:]
    assert tail[0].startswith("kept: osops-keeprec1-smoke (")
    assert tail[1] == "remove with: osops cleanup --run keeprec1"

    c = cli(_cleanup(), "cleanup", "--run", "keeprec1", "-f", "json")
    assert c.code == 0, c.err
    (row, group, key) = c.json()
    assert (row["Name"], row["Run"], row["Status"]) == ("osops-keeprec1-smoke", "keeprec1", "DELETED")
    assert (group["Name"], group["Run"], group["Status"]) == ("osops-keeprec1-sg", "keeprec1", "DELETED")
    assert (key["Name"], key["Run"], key["Status"]) == ("osops-keeprec1-key", "keeprec1", "DELETED")
    assert deletes(c) == [f"DELETE http://compute.osops.invalid/v2.1/servers/{row['ID']}",
                          f"DELETE http://network.osops.invalid/v2.0/security-groups/{group['ID']}",
                          "DELETE http://compute.osops.invalid/v2.1/os-keypairs/osops-keeprec1-key"]
    assert len([x for x in c.calls if x.split("?")[0].endswith("/servers/detail")]) == 1  # one list


def test_cleanup_needs_a_run_or_all(cli):
    r = cli("cleanup", "cleanup")
    assert r.code == 2
    assert "say which run: --run ID" in r.err
    # checked before connecting: it used to say "no credentials" (exit 1) or "no recording" (demo)
    r = cli(EMPTY, "cleanup", env={"OS_AUTH_URL": None})
    assert (r.code, r.err) == (2, "say which run: --run ID (the id a smoke, scenario or boot run printed), --all "
                                  "(every smoke and scenario run) or --boots (every osops boot)\n")
    r = cli(EMPTY, "cleanup", "--os-cloud", "demo", "--run", "Not-An-Id")
    assert (r.code, r.err) == (2, "a run id is 4 to 20 lower-case letters and digits, not 'Not-An-Id'\n")
    r = cli(_cleanup(_no_group_named("osops-nosuchrun-sg")), "cleanup", "--run", "nosuchrun")
    assert r.code == 0 and deletes(r) == []
    assert ("nothing to clean up: no server is tagged by run nosuchrun, and no security group, keypair or "
            "floating IP is its") in r.err


def _cleanup(change=None):
    """cleanup.json, changed by *change(interactions)*."""
    data = cassette("cleanup")
    if change:
        change(data["interactions"])
    return data


def _no_group_named(name):
    """Derived from cleanup.json: the group list by *name* finds none."""
    def change(interactions):
        (listed,) = [i for i in interactions if i["request"]["url"].endswith("/v2.0/security-groups")]
        asked = copy.deepcopy(listed)
        asked["request"]["query"] = {"name": [name]}
        asked["response"]["json"]["security_groups"] = []
        interactions.append(asked)
    return change


[KEPT_ID] = [s["id"] for r in responses(cassette("cleanup")["interactions"], "GET", "/servers/detail")
             for s in r["json"]["servers"]]  # the one server cleanup.json lists and deletes


POLL_FILTER = r"^osops\-"  # osops-keeprec1-smoke's and osops-otherrun1-lab-1's common name prefix, as Nova's regex


def _more_runs(interactions):
    """Derived from cleanup.json: the list also shows a server of another run
    (the recorded one, with the id lab-demo recorded for its lab-1, that name
    and run tag) and a server no run tagged (with the id boot.json recorded
    for demo-1); the second run's DELETE is the recorded one with its id; the
    poll after the deletes lists the two runs' servers by their common name
    prefix (``POLL_FILTER``) and finds none: web, the one server left, does
    not match it."""
    listing = responses(interactions, "GET", "/servers/detail")[0]
    recorded = listing["json"]["servers"][0]
    other = copy.deepcopy(recorded)
    other.update(id=booted("lab-demo")["osops-labrec1-lab-1"], name="osops-otherrun1-lab-1",
                 metadata={"osops-run": "otherrun1"})
    untagged = copy.deepcopy(recorded)
    untagged.update(id=booted("boot")["demo-1"], name="web", metadata={})
    listing["json"]["servers"] += [other, untagged]
    (delete,) = [i for i in interactions if i["request"]["method"] == "DELETE" and "/servers/" in i["request"]["url"]]
    second = copy.deepcopy(delete)
    second["request"]["url"] = second["request"]["url"].replace(KEPT_ID, other["id"])
    after = copy.deepcopy(next(i for i in interactions if i["request"]["url"].endswith("/servers/detail")))
    after["request"]["query"] = {"name": [POLL_FILTER]}
    after["response"]["json"]["servers"] = []
    # every group (cleanup --all looks at all): keeprec1's, and a default group no run made
    (named,) = [i for i in interactions if i["request"]["url"].endswith("/v2.0/security-groups")]
    everyone = copy.deepcopy(named)
    everyone["request"]["query"] = {}
    mine = everyone["response"]["json"]["security_groups"][0]
    everyone["response"]["json"]["security_groups"].append(
        {**mine, "id": mine["id"][::-1], "name": "default", "description": "Default security group"})
    interactions += [second, after, everyone]


def test_cleanup_all_removes_every_runs_servers_and_nothing_else(cli):
    r = cli(_cleanup(_more_runs), "cleanup", "--all", "-f", "json")
    assert r.code == 0, r.err
    rows = {row["Name"]: row for row in r.json()}
    # not the untagged web, nor the default group
    assert set(rows) == {"osops-keeprec1-smoke", "osops-otherrun1-lab-1", "osops-keeprec1-sg", "osops-keeprec1-key"}
    assert {row["Run"] for row in rows.values()} == {"keeprec1", "otherrun1"}
    assert {row["Status"] for row in rows.values()} == {"DELETED"}
    group = rows.pop("osops-keeprec1-sg")
    rows.pop("osops-keeprec1-key")
    assert sorted(deletes(r)) == sorted([f"DELETE http://compute.osops.invalid/v2.1/servers/{row['ID']}"
                                         for row in rows.values()] +
                                        [f"DELETE http://network.osops.invalid/v2.0/security-groups/{group['ID']}",
                                         "DELETE http://compute.osops.invalid/v2.1/os-keypairs/osops-keeprec1-key"])
    lists = [c for c in r.calls if c.split("?")[0].endswith("/servers/detail")]
    # one to find them, one poll round for both, filtered by the servers' common name prefix
    assert lists == ["GET http://compute.osops.invalid/v2.1/servers/detail",
                     "GET http://compute.osops.invalid/v2.1/servers/detail?" + urlencode({"name": POLL_FILTER})]


def test_cleanup_all_dry_run_deletes_nothing(cli):
    r = cli(_cleanup(_more_runs), "cleanup", "--all", "--dry-run", "-f", "json")
    assert r.code == 0, r.err
    assert {row["Status"] for row in r.json()} == {"would delete"} and len(r.json()) == 4  # 2 servers, a group, a key
    assert deletes(r) == []


def test_cleanup_all_projects_lists_every_project(cli):
    def other_project(interactions):
        # Derived: the listing is asked for every project (the query osops sends with
        # --all-projects) and the kept server belongs to another project (the demo
        # user's, as smoke-nonadmin's token recorded it).
        [token] = responses(cassette("smoke-nonadmin")["interactions"], "POST", "/v3/auth/tokens")
        for i in interactions:
            if i["request"]["url"].endswith("/servers/detail"):
                i["request"]["query"] = {"all_tenants": ["True"]}
                for s in i["response"]["json"]["servers"]:
                    s["tenant_id"] = token["json"]["token"]["project"]["id"]

    r = cli(_cleanup(other_project), "cleanup", "--run", "keeprec1", "--all-projects", "-f", "json")
    assert r.code == 0, r.err
    (row, group, key) = r.json()
    assert (row["ID"], row["Status"], group["Status"], key["Status"]) == (KEPT_ID, "DELETED", "DELETED", "DELETED")
    assert deletes(r) == [f"DELETE http://compute.osops.invalid/v2.1/servers/{KEPT_ID}",
                          f"DELETE http://network.osops.invalid/v2.0/security-groups/{group['ID']}",
                          "DELETE http://compute.osops.invalid/v2.1/os-keypairs/osops-keeprec1-key"]
    (listing,) = [c for c in r.calls if "/servers/detail" in c]
    assert listing.endswith("/servers/detail?all_tenants=True")
    r = cli("cleanup", "cleanup", "--run", "keeprec1", "--all", "-f", "json")
    assert r.code == 2 and "not allowed with argument" in r.err


def test_only_and_skip_name_steps(cli):
    r = cli("smoke", "smoke", "--only", "bot")
    assert r.code == 2
    assert "no step 'bot' in smoke (did you mean 'boot'?)" in r.err
    assert r.calls == []
    r = cli("smoke", *SMOKE, "--skip", "ping,compute-services")
    assert r.code == 0, r.err
    assert live(r)["ping"] == ("SKIP", "left out (--skip)")
    assert not any(c.endswith("/os-services") for c in r.calls)


def test_bad_run_id_is_a_usage_error(cli):
    r = cli("smoke", "smoke", "--run-id", "Not Valid")
    assert r.code == 2 and "a run id is 4 to 20 lower-case letters and digits" in r.err
