"""boot tags what it creates and, unless --keep, deletes it when the boot
fails.  Failures are derived from recorded cassettes by the edits each
test names."""

import re

import pytest

from tests.unit.conftest import cassette

BOOT = ("boot", "--flavor", "m1.tiny", "--image", "cirros-0.6")


def erroring_boot():
    """boot.json where the last poll shows the server in ERROR; and its id."""
    data = cassette("boot")
    polls = [i for i in data["interactions"] if "/servers/" in i["request"]["url"] and i["request"]["method"] == "GET"]
    polls[-1]["response"]["json"]["server"].update(status="ERROR", fault={"code": 500, "message": "No valid host"})
    return data, polls[-1]["response"]["json"]["server"]["id"]


def test_every_server_carries_the_boots_run_tag(cli):
    r = cli("boot", *BOOT)
    assert r.code == 0, r.err
    [body] = [b for c, b in zip(r.calls, r.bodies, strict=True) if c.startswith("POST") and c.endswith("/v2.1/servers")]
    [(key, run)] = body["server"]["metadata"].items()
    assert key == "osops-boot" and re.fullmatch(r"[0-9a-f]{8}", run)
    assert body["server"]["name"] == f"osops-{run}"


def test_keep_leaves_a_failed_boots_servers_and_the_error_as_it_is(cli):
    data, sid = erroring_boot()
    r = cli(data, *BOOT, "--keep")
    assert r.code == 1
    assert r.err == f"server demo-1 ({sid}) went to ERROR: No valid host\n"
    assert not [c for c in r.calls if c.startswith("DELETE")]  # without --keep: test_cli_servers deletes it



def test_the_undo_deletes_once_more_a_server_that_shows_error_while_it_goes(monkeypatch):
    """Deleted while Nova still built it, a guest can show ERROR for a moment
    ("deleted during build"): the undo deletes it again; a second ERROR stands."""
    from osops import booting
    from osops.errors import ServerFailed

    calls = []

    def delete(conn, servers, wait, timeout):
        calls.append(list(servers))
        if len(calls) <= failures:
            raise ServerFailed("server lab-1 (s1) went to ERROR: Build of instance s1 aborted")

    monkeypatch.setattr(booting.ops, "delete", delete)
    failures = 1
    booting._delete(None, ["s1"])
    assert calls == [["s1"], ["s1"]]
    calls.clear()
    failures = 2
    with pytest.raises(ServerFailed):
        booting._delete(None, ["s1"])
    assert len(calls) == 2
