"""osops ping's targets and rows: servers to addresses, what is pinged when
a server has no such address, and exit codes (pinging 127.0.0.1 only)."""

import json
import pathlib

import pytest

from osops.cli.app import main
from osops.host import ping, targets
from osops.models import Address, Server
from osops.testing import replay
from tests.host import cloud

FAST = ("--count", "1", "--interval", "0.2", "--timeout", "1")


def server(name, *addresses):
    return Server(id=f"id-{name}", name=name, status="ACTIVE", task_state=None, power_state="Running",
                  addresses=tuple(addresses))


V6 = Address("private", "fd00::5", 6, "fixed", "fa:16:3e:00:00:01")
V4 = Address("private", "10.0.0.5", 4, "fixed", "fa:16:3e:00:00:01")
FIP = Address("private", "172.24.4.9", 4, "floating", "fa:16:3e:00:00:01")


@pytest.mark.parametrize("kind, expected", [
    ("any", ["10.0.0.5", "172.24.4.9", "fd00::5"]),
    ("fixed", ["10.0.0.5", "fd00::5"]),
    ("floating", ["172.24.4.9"]),
])
def test_server_targets_ipv4_first_of_the_type_asked(kind, expected):
    got = targets.server_targets(None, [server("vm1", V6, V4, FIP)], kind)
    assert [t.address for t in got] == expected and {t.server for t in got} == {"vm1"}


def test_server_without_such_an_address_is_a_failed_target():
    [t] = targets.server_targets(None, [server("vm2", V4)], "floating")
    assert t.error == "vm2 has no floating address (ACTIVE)"


def test_a_server_that_is_not_active_says_so_when_silent():
    from dataclasses import replace

    [t] = targets.server_targets(None, [replace(server("vm3", V4), status="SUSPENDED")], "fixed", "qdhcp-x")
    assert (t.netns, t.error, t.note) == ("qdhcp-x", "", "vm3 is SUSPENDED")
    [active] = targets.server_targets(None, [server("vm4", V4)], "fixed", "qdhcp-x")
    assert active.note == ""


def run(monkeypatch, capsys, player, *argv):
    for k, v in cloud.env(player).items():
        monkeypatch.setenv(k, v)
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_all_active_servers_without_floating_addresses_fail_with_the_reason(clean_env, monkeypatch, capsys):
    with replay(cloud.recorded("host-ping-all")) as player:  # hostrec, ACTIVE, one fixed address
        code, out, err = run(monkeypatch, capsys, player, "ping", "--all", "--address-type", "floating",
                             "--address", "127.0.0.1", *FAST, "-f", "json")
    assert code == 1, err
    rows = json.loads(out)
    assert [(r["Server"], r["Address"], r["Sent"]) for r in rows] == [("hostrec", "-", 0), ("-", "127.0.0.1", 1)]
    assert rows[0]["Result"] == "FAIL: hostrec has no floating address (ACTIVE)"
    assert rows[1]["Result"] == "ok" and rows[1]["Loss %"] == 0.0


def test_loopback_answers_and_expect_fail_turns_it_into_a_failure(clean_env, capsys):
    assert main(["ping", "--address", "127.0.0.1", *FAST]) == 0
    assert main(["ping", "--address", "127.0.0.1", *FAST, "--expect-fail"]) == 1


def test_columns_chosen_with_c(clean_env, capsys):
    capsys.readouterr()
    assert main(["ping", "--address", "127.0.0.1", *FAST, "-f", "csv", "-c", "Result", "-c", "Address"]) == 0
    assert capsys.readouterr().out.splitlines() == ['"Address","Result"', '"127.0.0.1","ok"']


@pytest.mark.parametrize("argv, message", [
    ((), "nothing to ping"),
    (("--address", "10.0.0.300"), "not an IP address"),
    (("--address", "127.0.0.1", "--netns", "a/b"), "not a network namespace name"),
])
def test_usage_errors(clean_env, capsys, argv, message):
    assert main(["ping", *argv]) == 2
    assert message in capsys.readouterr().err


def test_netns_auto_without_a_namespace_keeps_its_note(clean_env, monkeypatch, capsys):
    """--netns auto on a host with neither namespace, whose only route to
    the fixed address is the default one (recorded routes): nothing is
    sent, and the row says both why and that no namespace was found,
    without telling the user to use the --netns auto they gave."""
    recorded_routes = json.loads((pathlib.Path(__file__).parent.parent / "host" / "data"
                                  / "ip-route-match-default-only.json").read_text())
    monkeypatch.setattr(ping, "_ip_json", lambda args: recorded_routes)
    monkeypatch.setattr(targets.namespaces, "list_namespaces", lambda: [])
    monkeypatch.setattr(ping, "_icmplib", None)  # nothing may be sent
    monkeypatch.setattr(ping, "_system", None)
    with replay(cloud.asked_by_name(cloud.recorded("host-ping-auto"), "hostrec")) as player:
        code, out, err = run(monkeypatch, capsys, player, "ping", "hostrec", "--netns", "auto", *FAST,
                             "-f", "json")
    assert code == 1, err
    [row] = json.loads(out)
    assert (row["Namespace"], row["Sent"]) == ("-", 0)
    assert row["Result"].startswith("FAIL: no route from this host into the server's network: ")
    assert row["Result"].endswith(f"; no qdhcp-, ovnmeta- or qrouter- namespace for network "
                                  f"{cloud.NETWORK['name']} on this host")
    assert "--netns auto" not in row["Result"]
