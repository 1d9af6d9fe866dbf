"""Fault injection: each fault the proxy knows, at each kind of request of
list, boot --count 3, suspend/resume/delete --wait, smoke and a scenario.

Each case asserts the outcome (a retried success, or one line on stderr
and exit 1; smoke and the scenario report a FAIL) and that no server is
left behind: what the replayed cloud created and nobody deleted is either
what a successful boot returned, or nothing.
"""

import json

import pytest

from tests.faults.proxy import Fault
from tests.unit.conftest import cassette

JSON = {"Content-Type": "application/json"}
FAULTS = {
    "503-retry-after": dict(kind="status", status=503, headers={**JSON, "Retry-After": "1"},
                            body=json.dumps({"message": "The server is currently unavailable.", "code": 503})),
    "503": dict(kind="status", status=503, headers=JSON, body=json.dumps({"message": "busy", "code": 503})),
    "429": dict(kind="status", status=429, headers={**JSON, "Retry-After": "2"},
                body=json.dumps({"message": "Rate limit exceeded", "code": 429})),
    "502-html": dict(kind="status", status=502, headers={"Content-Type": "text/html"},
                     body="<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"),
    "reset-before": dict(kind="reset"),
    "reset-after": dict(kind="reset-after"),
    "truncated": dict(kind="truncate"),
    "hang": dict(kind="hang"),
}
# Faults after which the service has done what was asked though the client never heard.
DONE_ANYWAY = ("reset-after", "truncated")
BOOT = ("boot", "lab", "--count", "3", "--flavor", "1", "--image", "cirros-0.6", "--timeout", "30")
# the server suspend, resume and delete act on: the one delete.json deletes (recorded on the same cloud)
[DEMO_1] = [i["request"]["url"].rsplit("/", 1)[1] for i in cassette("delete")["interactions"]
            if i["request"]["method"] == "DELETE"]
SERVER = rf"/servers/{DEMO_1}"
SMOKE = ("smoke", "--run-id", "smokerec1", "--timeout", "60")
LAB = ("scenario", "run", "lab-demo", "--run-id", "labrec1", "--timeout", "60")

SOME = ("503-retry-after", "reset-before", "truncated")  # one of each family, where every fault costs too much

# (case, cassette, argv, method, URL pattern, what a retried success leaves created and alive, faults tried)
RETRIED = [
    ("list", "server-list", ("server", "list"), "GET", r"/servers/detail$", [], tuple(FAULTS)),
    ("boot-list", "boot-count", BOOT, "GET", r"reservation_id=", ["lab-1", "lab-2", "lab-3"], tuple(FAULTS)),
    ("suspend-poll", "suspend", ("suspend", "demo-1", "--wait"), "GET", SERVER + "$", [], SOME + ("hang",)),
    ("resume-poll", "resume", ("resume", "demo-1", "--wait"), "GET", SERVER + "$", [], SOME),
    ("delete", "delete", ("delete", "demo-1", "--wait"), "DELETE", SERVER + "$", [], SOME + ("reset-after",)),
    ("delete-poll", "delete", ("delete", "demo-1", "--wait"), "GET", SERVER + "$", [], SOME),
    ("smoke-poll", "smoke", SMOKE, "GET", r"/servers/[0-9a-f-]{36}$", [], SOME),
    ("scenario-list", "lab-demo", LAB, "GET", r"reservation_id=", [], SOME),
]
RETRIED_CASES = [pytest.param(*case[1:-1], fault, id=f"{case[0]}-{fault}") for case in RETRIED for fault in case[-1]]


def one_line(result):
    assert "Traceback" not in result.err, result.err
    lines = [line for line in result.err.splitlines() if line]
    assert len(lines) == 1, result.err
    return lines[0]


@pytest.mark.parametrize("recorded, argv, method, url, alive, fault", RETRIED_CASES)
def test_an_idempotent_request_is_retried(faulty, recorded, argv, method, url, alive, fault):
    cloud = faulty(recorded, Fault(method, url, **FAULTS[fault]))
    r = cloud.call(*argv)
    assert r.code == 0, r.err
    assert "Traceback" not in r.err
    assert [f for _m, _u, f in cloud.proxy.seen if f] != [], "the fault was never injected"
    assert cloud.left() == alive
    if argv[0] == "delete":
        assert cloud.player.deleted == [DEMO_1]


@pytest.mark.parametrize("fault", FAULTS)
def test_the_create_call_is_sent_once_and_a_lost_answer_looked_up(faulty, fault):
    cloud = faulty("boot-count", Fault("POST", r"/v2\.1/servers$", **FAULTS[fault]))
    r = cloud.call(*BOOT)
    assert [m for m, u, _f in cloud.proxy.seen if u.endswith("/v2.1/servers")] == ["POST"]
    if fault in DONE_ANYWAY:  # Nova made them: the boot goes on with them
        assert r.code == 0, r.err
        assert cloud.left() == ["lab-1", "lab-2", "lab-3"]
        assert "the answer to the create call was lost; Nova made the 3 server(s) it asked for" in r.err
    else:
        assert r.code == 1
        line = one_line(r)
        assert "(the create call; 0 of its 3 server(s) found by their tag osops-boot=" in line
        assert line.endswith("no server of this boot was left") or "; " in line
        assert cloud.left() == []


@pytest.mark.parametrize("fault", ["503", "502-html", "reset-before", "hang"])
@pytest.mark.parametrize("action", ["suspend", "resume"])
def test_a_server_action_is_not_repeated_and_fails_in_one_line(faulty, action, fault):
    cloud = faulty(action, Fault("POST", SERVER + "/action$", **FAULTS[fault]))
    r = cloud.call(action, "demo-1", "--wait")
    assert r.code == 1
    one_line(r)
    assert len([u for m, u, _f in cloud.proxy.seen if u.endswith("/action")]) == 1


@pytest.mark.parametrize("fault", ["503", "reset-before"])
@pytest.mark.parametrize("recorded, argv", [("smoke", SMOKE), ("lab-demo", LAB)], ids=["smoke", "scenario"])
def test_a_run_whose_create_fails_reports_it_and_leaves_nothing(faulty, recorded, argv, fault):
    cloud = faulty(recorded, Fault("POST", r"/v2\.1/servers$", **FAULTS[fault]))
    r = cloud.call(*argv)
    assert r.code == 1
    assert "Traceback" not in r.err
    assert cloud.left() == []


@pytest.mark.parametrize("recorded, argv", [("smoke", SMOKE), ("lab-demo", LAB)], ids=["smoke", "scenario"])
def test_a_run_whose_create_answer_is_lost_goes_on_or_cleans_up(faulty, recorded, argv):
    cloud = faulty(recorded, Fault("POST", r"/v2\.1/servers$", kind="reset-after"))
    r = cloud.call(*argv)
    assert "Traceback" not in r.err
    assert cloud.left() == []


@pytest.mark.parametrize("fault", ["503", "reset-before"])
def test_a_poll_that_fails_past_the_retries_is_a_slow_one(faulty, fault):
    times = 2 + 3  # more than one try and keystoneauth's retries (the policy's 3)
    cloud = faulty("suspend", Fault("GET", SERVER + "$", times=times, **FAULTS[fault]))
    r = cloud.call("suspend", "demo-1", "--wait", "-f", "value", "-c", "Status")
    assert (r.code, r.out.strip()) == (0, "SUSPENDED"), r.err
    assert len([f for _m, _u, f in cloud.proxy.seen if f]) == times
