"""osops console log|url through the real entry point, on cassettes
recorded from the loopback cloud (a real guest, h2-fip; the cloud runs no
console proxy), and the log's follow logic on its own."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from osops import console, recordings
from tests.unit.conftest import cassette, edit
from tests.unit.test_cli_floating_ip import one_line, responses

SERVER = recordings.FIP_SERVER
LOG = ("console", "log", SERVER, "--lines", "20")


def recorded_log():
    [body] = responses(cassette("console-log")["interactions"], "POST", "/action")
    return body["output"]


def test_log_prints_the_last_lines_nova_sends(cli):
    r = cli("console-log", *LOG)
    assert (r.code, r.err) == (0, "")
    assert r.out == recorded_log() and "login:" in r.out and "Lease of 10.0.0." in r.out
    assert r.bodies[-1] == {"os-getConsoleOutput": {"length": 20}}


@pytest.mark.parametrize("lines", ["0", "-3", "x", "1.5"])
def test_lines_must_be_a_whole_number_of_one_or_more(cli, lines):
    r = cli("console-log", "console", "log", SERVER, "--lines", lines, unmatched_ok=True)
    assert r.code == 2 and one_line(r.err) and "--lines" in r.err, r.err
    assert r.calls == []


@pytest.mark.parametrize(("status", "fix"), [("SUSPENDED", f"osops resume {SERVER}"),
                                             ("SHUTOFF", f"openstack server start {SERVER}")])
def test_a_server_that_is_not_running_says_so_without_asking_for_its_log(cli, status, fix):
    # Derived: the server listed with another status.
    data = edit("console-log", lambda it: responses(it, "GET", "/servers/detail")[0]["servers"][0].update(
        status=status))
    r = cli(data, *LOG)
    assert r.code == 1 and one_line(r.err), r.err
    assert f"server {SERVER} is {status}, not running" in r.err and fix in r.err
    assert not [c for c in r.calls if c.endswith("/action")]


def test_follow_prints_only_what_is_new_and_ends_quietly_on_ctrl_c(cli, monkeypatch):
    # Derived: the console answers with the recorded log without its last two lines, then all of it
    # (the last answer repeats, as the replay does for polls).
    full = recorded_log()
    cut = full[:full.rstrip("\n").rfind("\n", 0, full.rstrip("\n").rfind("\n")) + 1]

    def growing(it):
        action = next(i for i in it if i["request"]["url"].endswith("/action"))
        action["request"]["body"] = {"os-getConsoleOutput": {}}
        first = {**action, "response": {**action["response"], "json": {"output": cut}}}
        it.insert(it.index(action), first)

    naps = []

    def sleep(seconds):
        naps.append(seconds)
        if len(naps) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(console.time, "sleep", sleep)
    r = cli(edit("console-log", growing), "console", "log", SERVER, "--follow")
    assert r.code == 130 and r.err == ""
    assert r.out == full  # the start once, then the two new lines once
    assert naps == [console.FOLLOW_INTERVAL] * 3


def test_url_on_a_cloud_without_a_console_proxy_is_one_line(cli):
    r = cli("console-url", "console", "url", SERVER)
    assert r.code == 1 and one_line(r.err), r.err
    assert r.err.startswith(f"the cloud has no novnc console for server {SERVER}")
    assert f"osops console log {SERVER}" in r.err


def test_url_shows_the_console_proxys_url(cli):
    # Derived: Nova answers the remote console request as a cloud with a noVNC proxy does.
    url = "http://127.0.0.1:6080/vnc_auto.html?path=%3Ftoken%3Dabc"

    def proxied(it):
        made = next(i for i in it if i["request"]["url"].endswith("/remote-consoles"))
        made["response"] = {**made["response"], "status": 200,
                            "json": {"remote_console": {"protocol": "vnc", "type": "novnc", "url": url}}}

    r = cli(edit("console-url", proxied), "console", "url", SERVER, "-f", "json")
    assert r.code == 0, r.err
    assert r.json() == {"type": "novnc", "url": url}


def test_url_type_is_checked_before_any_call(cli):
    r = cli("console-url", "console", "url", SERVER, "--type", "rdp", unmatched_ok=True)
    assert r.code == 2 and one_line(r.err) and "--type" in r.err, r.err
    assert r.calls == []


@given(st.text(), st.text())
def test_new_text_is_what_was_added(before, added):
    assert console.new_text(before, before + added) == added


@given(st.text(), st.integers(0, 50), st.text())
def test_new_text_after_the_start_was_cut_off_is_at_most_what_was_added(before, cut, added):
    found = console.new_text(before, before[cut:] + added)
    assert added.endswith(found)  # never a line twice; the added part may itself repeat before's end


def test_new_text_of_a_log_cut_at_its_start_and_grown():
    before = "".join(f"line {i}\n" for i in range(100))
    assert console.new_text(before, before[300:] + "login: ") == "login: "
    assert console.new_text("0" * 401, "0" * 399) == ""
    assert console.new_text("old log\n", "a new one\n") == "a new one\n"  # nothing kept: all of it


@given(st.lists(st.text(alphabet="ab \t", max_size=5), max_size=10), st.integers(1, 20))
def test_last_lines_keeps_at_most_n_whole_lines_from_the_end(lines, n):
    text = "\n".join(lines)
    kept = console.last_lines(text, n)
    assert text.endswith(kept) and len(kept.splitlines()) <= n
