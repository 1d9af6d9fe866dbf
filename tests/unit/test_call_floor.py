"""The call floor: how many requests each command makes, on replayed
cassettes recorded from the loopback cloud.

A cold run (empty cache) authenticates and discovers; a warm run (the
cache seeded by a first replayed run in the same test) makes only the
calls the command itself needs: one per page of a list, one list call per
name to resolve, one request per poll round however many servers.
"""

import itertools
import re
import urllib.parse
from dataclasses import dataclass

import pytest

from osops import recordings, wait
from tests.unit.conftest import booted, cassette, reservation

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
COLD = ["GET identity /", "POST identity /v3/auth/tokens"]


def shape(calls):
    """``GET compute /v2.1/servers/{id}`` for each call; queries left out."""
    out = []
    for call in calls:
        method, url = call.split(" ", 1)
        split = urllib.parse.urlsplit(url)
        service = split.hostname.split(".")[0]
        out.append(f"{method} {service} {UUID.sub('{id}', split.path or '/')}")
    return out


def polls(calls, fragment):
    """How many of the calls from the first poll on are *fragment*."""
    return sum(1 for c in shape(calls) if c == fragment)


@dataclass(frozen=True)
class Floor:
    """What one command asks, stated per command: *discovery* is what only
    a cold run asks (the cache keeps it; empty for a service osops asks
    no version discovery of), *calls* what every run asks."""

    discovery: tuple
    calls: tuple


# Recorded cassette (its command line is declared in osops/recordings.py) -> its floor.
LIST = {
    "image-list": Floor(("GET image /",), ("GET image /v2/images",)),
    "flavor-list": Floor(("GET compute /v2.1",), ("GET compute /v2.1/flavors/detail",)),
    "server-list": Floor(("GET compute /v2.1",), ("GET compute /v2.1/servers/detail",)),
    "server-show": Floor(("GET compute /v2.1", "GET image /"),
                         ("GET compute /v2.1/servers/detail", "GET image /v2/images/{id}")),  # its image by name
    "keypair-list": Floor(("GET compute /v2.1",), ("GET compute /v2.1/os-keypairs",)),
    "security-group-list": Floor((), ("GET network /v2.0/security-groups",)),
    "security-group-show": Floor((), ("GET network /v2.0/security-groups",)),
    "floating-ip-list": Floor(("GET compute /v2.1",), ("GET compute /v2.1/servers/detail",
                                                      "GET network /v2.0/floatingips", "GET network /v2.0/networks")),
}


@pytest.mark.parametrize("name", LIST)
def test_list_commands_cold_then_warm(cli, name):
    argv, floor = recordings.find(name).argv, LIST[name]
    first = cli(name, *argv)
    assert first.code == 0, first.err
    cold = shape(first.calls)  # each service's discovery before its first call
    assert cold[:2] == COLD and [c for c in cold[2:] if c not in floor.discovery] == list(floor.calls)
    assert sorted(c for c in cold if c in floor.discovery) == sorted(floor.discovery)
    second = cli(name, *argv)
    assert second.code == 0, second.err
    assert shape(second.calls) == list(floor.calls)  # no auth, no discovery


def test_list_rows_need_no_per_row_lookups(cli):
    # Derived: the recorded server list with 30 servers in it.
    data = cassette("server-list")
    for item in data["interactions"]:
        if item["request"]["url"].endswith("/servers/detail"):
            servers = item["response"]["json"]["servers"]
            template = servers[0]
            servers[:] = [{**template, "id": f"00000000-0000-4000-8000-{i:012d}", "name": f"s{i}"}
                          for i in range(30)]
    cli("server-list", "server", "list")
    r = cli(data, "server", "list", "-f", "json")
    assert r.code == 0, r.err
    assert len(r.json()) == 30
    assert shape(r.calls) == ["GET compute /v2.1/servers/detail"]


def _two_pages(data, path, key, next_link):
    """*data* with the *key* list answering GET *path* split in two pages."""
    for i, item in enumerate(data["interactions"]):
        req = item["request"]
        if req["method"] == "GET" and req["url"].endswith(path):
            body = item["response"]["json"]
            rows = body[key]
            assert len(rows) >= 2, f"too few {key} to page"
            half = len(rows) // 2
            marker = rows[half - 1]["id"]
            first = {**item, "response": {**item["response"], "json": {**body, key: rows[:half], **next_link(marker)}}}
            second = {"request": {**req, "query": {**(req.get("query") or {}), "marker": [marker]}},
                      "response": {**item["response"], "json": {**body, key: rows[half:]}}}
            data["interactions"][i:i + 1] = [first, second]
            return data, len(rows)
    raise AssertionError(f"no GET {path}")


def test_image_list_is_one_request_per_page(cli):
    data, total = _two_pages(cassette("image-list"), "/v2/images", "images",
                             lambda m: {"next": f"/v2/images?limit=1000&marker={m}"})  # Glance's own shape
    cli("image-list", "image", "list")
    r = cli(data, "image", "list", "-f", "json")
    assert r.code == 0, r.err
    assert len(r.json()) == total
    assert shape(r.calls) == ["GET image /v2/images"] * 2


def test_server_list_is_one_request_per_page(cli):
    data = cassette("server-list")
    for item in data["interactions"]:
        if item["request"]["url"].endswith("/servers/detail"):
            servers = item["response"]["json"]["servers"]
            servers[:] = [{**servers[0], "id": f"00000000-0000-4000-8000-{i:012d}", "name": f"s{i}"}
                          for i in range(4)]
    data, total = _two_pages(data, "/servers/detail", "servers",
                                  lambda m: {"servers_links": [{"rel": "next", "href":
                                             "{compute}/v2.1/servers/detail?marker=" + m}]})
    cli("server-list", "server", "list")
    r = cli(data, "server", "list", "-f", "json")
    assert r.code == 0, r.err
    assert len(r.json()) == total == 4
    assert shape(r.calls) == ["GET compute /v2.1/servers/detail"] * 2


BOOT = ["boot", "demo-1", "--flavor", "m1.tiny", "--image", "cirros-0.6", "--network", "private"]
BOOT_CALLS = [
    "GET image /v2/images",              # image by its exact name (Glance's filter): cirros-0.6 is a prefix,
    "GET image /v2/images",              # so one list call and the prefix rule
    "GET compute /v2.1/flavors/detail",  # flavor by name: one list call
    "GET network /v2.0/networks",        # network by name: one list call
    "GET compute /v2.1/servers/detail",  # the servers already called that name: one list call
    "POST compute /v2.1/servers",
    "GET compute /v2.1/servers/detail",  # the reservation's servers: the wait's first round
]


def _statuses(data, path_end):
    """The status each recorded GET ending in *path_end* answered, in order."""
    out = []
    for item in data["interactions"]:
        if item["request"]["method"] == "GET" and item["request"]["url"].endswith(path_end):
            body = item["response"]["json"]
            out.append([s["status"] for s in body["servers"]] if "servers" in body else [body["server"]["status"]])
    return out


def test_boot_by_names_warm(cli):
    cold = cli("boot", *BOOT)
    assert cold.code == 0, cold.err
    assert shape(cold.calls)[:2] == COLD
    r = cli("boot", *BOOT)
    assert r.code == 0, r.err
    [sid] = booted("boot").values()
    recorded = _statuses(cassette("boot"), f"/servers/{sid}")
    rounds = 1 + next(i for i, s in enumerate(recorded) if s == ["ACTIVE"])  # polls until ACTIVE is seen
    assert shape(r.calls) == BOOT_CALLS + ["GET compute /v2.1/servers/{id}"] * rounds


def test_boot_polls_nothing_when_the_reservation_list_shows_active(cli):
    # Derived: the reservation list answered with the recorded ACTIVE server.
    data = cassette("boot")
    [sid] = booted("boot").values()
    active = next(i["response"]["json"]["server"] for i in data["interactions"]
                  if i["request"]["method"] == "GET" and i["request"]["url"].endswith(f"/servers/{sid}")
                  and i["response"]["json"]["server"]["status"] == "ACTIVE")
    for item in data["interactions"]:
        if "reservation_id" in (item["request"].get("query") or {}):
            item["response"]["json"]["servers"] = [active]
    cli("boot", *BOOT)
    r = cli(data, *BOOT, "-f", "value", "-c", "Status")
    assert (r.code, r.out) == (0, "ACTIVE\n"), r.err
    assert shape(r.calls) == BOOT_CALLS  # the list is the first round: no poll at all


def test_boot_ten_waits_with_one_list_call_per_round(cli):
    # Derived: the recorded 3-server boot (its polls list the reservation), scaled to 10 servers.
    data = cassette("boot-count")
    for item in data["interactions"]:
        body = item["response"].get("json") or {}
        if "servers" in body and body["servers"]:
            template = body["servers"][0]
            body["servers"] = [{**template, "id": f"00000000-0000-4000-8000-{i:012d}", "name": f"lab-{i}"}
                               for i in range(1, 11)]
    cli("boot-count", "boot", "lab", "--count", "3", "--flavor", "1", "--image", "cirros-0.6")
    r = cli(data, "boot", "lab", "--count", "10", "--flavor", "1", "--image", "cirros-0.6", "-f", "json")
    assert r.code == 0, r.err
    assert len(r.json()) == 10
    calls = shape(r.calls)
    assert calls[:len(BOOT_CALLS)] == BOOT_CALLS
    recorded = _statuses(data, "/servers/detail")  # the name's list, the reservation list, then the polls
    rounds = next(i for i, s in enumerate(recorded[1:]) if set(s) == {"ACTIVE"})
    assert calls[len(BOOT_CALLS):] == ["GET compute /v2.1/servers/detail"] * rounds  # one list call per round
    assert all(c.endswith(f"?reservation_id={reservation('boot-count')}") for c in r.calls
               if "/servers/detail" in c and "?name=" not in c)


@pytest.mark.parametrize(("name", "argv", "acts", "poll"), [
    ("suspend", ["suspend", "demo-1", "--wait"], ["POST compute /v2.1/servers/{id}/action"],
     "GET compute /v2.1/servers/{id}"),
    ("resume", ["resume", "demo-1", "--wait"], ["POST compute /v2.1/servers/{id}/action"],
     "GET compute /v2.1/servers/{id}"),
    ("delete", ["delete", "demo-1", "--wait"], ["DELETE compute /v2.1/servers/{id}"],
     "GET compute /v2.1/servers/{id}"),
    ("delete-count", ["delete", "lab-1", "lab-2", "lab-3", "--wait"], ["DELETE compute /v2.1/servers/{id}"] * 3,
     "GET compute /v2.1/servers/detail"),
])
def test_actions_warm(cli, name, argv, acts, poll):
    assert cli(name, *argv).code == 0
    r = cli(name, *argv)
    assert r.code == 0, r.err
    calls = shape(r.calls)
    assert calls[:1 + len(acts)] == ["GET compute /v2.1/servers/detail"] + acts  # one list resolves every name
    rounds = calls[1 + len(acts):]
    assert rounds and set(rounds) == {poll}


def test_wait_polls_early_then_backs_off():
    delays = list(itertools.islice(wait.intervals(), 30))
    assert delays[0] <= 0.5
    assert sum(delays[:3]) <= 1.5  # a change is seen within the first seconds
    assert delays == sorted(delays)
    assert delays[-1] == wait.CAP and wait.CAP <= 5


def test_wait_is_one_fetch_per_round():
    rounds = []
    state = iter(["BUILD", "BUILD", "ACTIVE"])

    class S:
        def __init__(self, sid, status):
            self.id, self.status, self.name, self.fault = sid, status, sid, None

    def fetch():
        status = next(state)
        rounds.append(status)
        return {sid: S(sid, status) for sid in ("a", "b", "c")}

    wait.wait(fetch, ["a", "b", "c"], lambda s: s.status == "ACTIVE", 60, sleep=lambda s: None)
    assert len(rounds) == 3
