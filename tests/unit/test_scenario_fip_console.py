"""The floating_ip and console scenario actions in a run recorded from the
loopback cloud (tests/scenarios/fip-console.yaml: boot, floating_ip, say,
console waiting for "login:", delete), osops cleanup of a run's floating
IPs, and the actions' schema checks; failures derived by stated edits."""

import pathlib

import pytest

from osops.errors import UsageError
from osops.scenario import load_text
from osops.scenario.steps import ACTIONS
from tests.unit.conftest import booted, cassette, edit, live
from tests.unit.test_cli_floating_ip import responses

pytestmark = pytest.mark.usefixtures("fake_pinger")  # nothing here pings

SCENARIO = pathlib.Path(__file__).resolve().parents[1] / "scenarios" / "fip-console.yaml"
RUN = ("scenario", "run", str(SCENARIO), "--run-id", "h2fiprec1")  # the tests run elsewhere than the checkout
WEB = "osops-h2fiprec1-web"


def allocated():
    """The floating IP the run allocated (Neutron's answer to its create call)."""
    [body] = responses(cassette("fip-console")["interactions"], "POST", "/v2.0/floatingips")
    return body["floatingip"]


def fip_deletes(r):
    return [c for c in r.calls if c.startswith("DELETE") and "/floatingips/" in c]


def test_the_run_gives_its_server_a_floating_ip_reads_its_login_prompt_and_releases_the_ip(cli):
    r = cli("fip-console", *RUN, "-f", "json")
    assert r.code == 0, r.err
    fip = allocated()
    lines = live(r)
    assert lines["floating_ip"] == ("PASS", f"{WEB} {fip['floating_ip_address']} -> {fip['fixed_ip_address']} "
                                            "(private to public)")
    assert lines["console"][0] == "PASS" and lines["console"][1].startswith(f"'login:' on {WEB}'s console")
    report = r.json()
    console_step = next(s for s in report["steps"] if s["name"] == "console")
    assert len(console_step["output"]) == 10 and "login:" in console_step["output"][-1]  # the narrated tail
    assert fip["description"] == f"osops run h2fiprec1: floating IP of {WEB}"
    assert report["cleanup"]["status"] == "PASS"
    assert f"floating IP {fip['floating_ip_address']}" in report["cleanup"]["detail"]
    assert fip_deletes(r) == [f"DELETE http://network.osops.invalid/v2.0/floatingips/{fip['id']}"]
    assert report["left"] == []


def test_a_console_without_the_text_fails_the_step_and_the_ip_is_still_released(cli):
    # Derived: every console answer without its login prompt.
    def no_login(it):
        for body in responses(it, "POST", "/action"):
            body["output"] = body["output"].replace("login:", "logn")

    r = cli(edit("fip-console", no_login), *RUN, "-f", "json")
    assert r.code == 1
    status, detail = live(r)["console"]
    assert status == "FAIL" and detail.startswith(f"no 'login:' on {WEB}'s console within 120 s; its last line:")
    assert r.json()["cleanup"]["status"] == "PASS" and len(fip_deletes(r)) == 1


def test_keep_leaves_the_floating_ip_and_lists_it(cli):
    r = cli("fip-console", *RUN, "--keep", "-f", "json")
    fip = allocated()
    assert f"floating IP {fip['floating_ip_address']} ({fip['id']})" in r.json()["left"]
    assert fip_deletes(r) == []


def test_a_floating_ip_whose_create_answer_was_lost_is_found_by_its_description_and_released(cli):
    # Derived: Neutron's answer to the create call lost (502, which a create is never retried on).
    def lost(it):
        made = next(i for i in it if i["request"]["method"] == "POST" and i["request"]["url"].endswith("/floatingips"))
        made["response"] = {"status": 502, "headers": {"Content-Type": "text/plain"}, "text": "Bad Gateway"}

    r = cli(edit("fip-console", lost), *RUN, "-f", "json")
    assert live(r)["floating_ip"][0] == "FAIL"
    assert fip_deletes(r) == [f"DELETE http://network.osops.invalid/v2.0/floatingips/{allocated()['id']}"]
    assert r.json()["cleanup"]["status"] == "PASS"


def test_osops_cleanup_releases_the_floating_ip_of_a_run_server(cli):
    # Derived: the cleanup session's run server listed with a floating address, then the floating IP
    # list of the fip-console run answering for it (its floating IP on that server) and its delete.
    [server_id] = booted("smoke-keep").values()
    fip = allocated()
    listed = next(i for i in cassette("fip-console")["interactions"]
                  if i["request"]["method"] == "GET" and i["request"]["url"].endswith("/v2.0/floatingips")
                  and not i["request"].get("query"))
    dropped = next(i for i in cassette("fip-console")["interactions"] if i["request"]["method"] == "DELETE"
                   and "/floatingips/" in i["request"]["url"])

    def with_fip(it):
        server = responses(it, "GET", "/servers/detail")[0]["servers"][0]
        server["addresses"] = {"private": [*server["addresses"]["private"], {
            "addr": fip["floating_ip_address"], "version": 4, "OS-EXT-IPS:type": "floating"}]}
        listed["response"]["json"] = {"floatingips": [{
            **fip, "description": "", "port_details": {**fip["port_details"], "device_id": server_id}}]}
        at = next(n for n, i in enumerate(it) if i["request"]["method"] == "GET"
                  and i["request"]["url"].endswith("/v2.0/security-groups"))
        it[at + 1:at + 1] = [listed, dropped]

    data = cassette("cleanup")
    with_fip(data["interactions"])
    r = cli(data, "cleanup", "--run", "keeprec1", "-f", "json")
    assert r.code == 0, r.err
    row = next(x for x in r.json() if x["Name"] == f"floating IP {fip['floating_ip_address']}")
    assert (row["Run"], row["Status"]) == ("keeprec1", "DELETED")
    assert len(fip_deletes(r)) == 1


def test_osops_cleanup_asks_for_no_floating_ip_when_no_run_server_has_one(cli):
    r = cli(cassette("cleanup"), "cleanup", "--run", "keeprec1", "-f", "json")
    assert r.code == 0, r.err
    assert not [c for c in r.calls if "floatingips" in c]


@pytest.mark.parametrize(("text", "words"), [
    ("- floating_ips: web", "did you mean 'floating_ip'"),
    ("- console: {server: web, within: -1}", "within"),
    ("- console: {server: web, lines: 0}", "lines"),
    ("- console: {contains: 'login:'}", "server"),
])
def test_the_actions_are_checked_like_the_others(text, words):
    with pytest.raises(UsageError, match=words):
        load_text(f"name: t\nsteps:\n  {text}\n")


def test_the_actions_are_in_the_table():
    assert ACTIONS["floating_ip"].positional == "servers" and ACTIONS["console"].positional == "server"
