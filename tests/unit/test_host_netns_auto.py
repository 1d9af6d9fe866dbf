"""--netns auto: which namespace a fixed address is pinged from, on the
recorded host-ping-auto session (tests/host/cloud.py) with the edits each
test names.  The namespaces "here" are given; nothing is pinged."""

import copy
import uuid

import pytest

from osops.host import targets
from osops.servers import list_servers
from osops.testing import replay
from tests.host import cloud

NET_ID = cloud.NETWORK["id"]
OTHER_ID = NET_ID[::-1]  # the id add_network_called gives the second "private"


def choose(monkeypatch, data, here):
    monkeypatch.setattr(targets.namespaces, "list_namespaces", lambda: list(here))
    with replay(data) as player:
        conn = cloud.connect(player)
        [target] = targets.server_targets(conn, list_servers(conn), "fixed", targets.AUTO)
    return target, player.calls


def calls_to(calls, path):
    return [c for c in calls if c.split("?")[0].endswith(path)]


def test_network_from_the_servers_port_even_with_two_networks_of_its_name(clean_env, monkeypatch):
    """Edit: a network list with two networks of its name is added, which
    osops must not ask for (hostrec's port names the network)."""
    data = cloud.add_network_called(cloud.recorded("host-ping-auto"), cloud.NETWORK["name"])
    target, calls = choose(monkeypatch, data, [f"qdhcp-{OTHER_ID}", f"qdhcp-{NET_ID}"])
    assert (target.netns, target.note) == (f"qdhcp-{NET_ID}", "")
    assert len(calls_to(calls, "/v2.0/ports")) == 1 and calls_to(calls, "/v2.0/networks") == []


def test_one_port_list_call_for_all_servers(clean_env, monkeypatch):
    """Edit: the server list holds hostrec twice more under new ids (and
    other MACs, so no port says their network: the name does, from the
    network list that is added)."""
    data = cloud.add_network_list(cloud.recorded("host-ping-auto"))
    listed = cloud.body(data, "/servers/detail")["servers"]
    for n in (1, 2):
        listed.append({**listed[0], "id": str(uuid.uuid4()), "name": f"hostrec-{n}",
                       "addresses": {k: [{**a, "OS-EXT-IPS-MAC:mac_addr": f"fa:16:3e:00:00:0{n}"} for a in v]
                                     for k, v in listed[0]["addresses"].items()}})
    [port_call] = [i for i in data["interactions"] if i["request"]["query"].get("device_id")]
    port_call["request"]["query"]["device_id"] = sorted(s["id"] for s in listed)
    monkeypatch.setattr(targets.namespaces, "list_namespaces", lambda: [f"qdhcp-{NET_ID}"])
    with replay(data) as player:
        conn = cloud.connect(player)
        found = targets.server_targets(conn, list_servers(conn), "fixed", targets.AUTO)
    assert [t.netns for t in found] == [f"qdhcp-{NET_ID}"] * 3
    assert len(calls_to(player.calls, "/v2.0/ports")) == 1


def test_port_lists_ask_for_100_servers_at_most(clean_env, monkeypatch):
    """Edit: the server list holds hostrec and 149 copies of it under
    new ids (their addresses say the network by name: the network list
    is added); the recorded port list by device_id is asked in two parts,
    the first 100 ids (sorted) and the other 50, the part without hostrec's
    id answering no port.  All ids in one call would exceed request-line
    limits (HTTP 414) with ~170 servers."""
    data = cloud.add_network_list(cloud.recorded("host-ping-auto"))
    listed = cloud.body(data, "/servers/detail")["servers"]
    hostrec = listed[0]
    listed += [{**hostrec, "id": str(uuid.uuid4()), "name": f"hostrec-{n}"} for n in range(149)]
    ids = sorted(s["id"] for s in listed)
    [port_call] = [i for i in data["interactions"] if i["request"]["query"].get("device_id")]
    data["interactions"].remove(port_call)
    for part in (ids[:100], ids[100:]):
        call = copy.deepcopy(port_call)
        call["request"]["query"]["device_id"] = part
        if hostrec["id"] not in part:
            call["response"]["json"]["ports"] = []
        data["interactions"].append(call)
    monkeypatch.setattr(targets.namespaces, "list_namespaces", lambda: [f"qdhcp-{NET_ID}"])
    with replay(data) as player:
        conn = cloud.connect(player)
        found = targets.server_targets(conn, list_servers(conn), "fixed", targets.AUTO)
    assert [t.netns for t in found] == [f"qdhcp-{NET_ID}"] * 150
    asked = [c for c in calls_to(player.calls, "/v2.0/ports") if "device_id" in c]
    assert [c.count("device_id=") for c in asked] == [100, 50]


@pytest.mark.parametrize("networks, expected", [
    (1, (f"qdhcp-{NET_ID}", "")),
    (2, (None, "several networks are called private and no port of hostrec says which: "
               "name the namespace with --netns")),
])
def test_without_a_port_the_network_of_its_name(clean_env, monkeypatch, networks, expected):
    """Edits: the port list by device_id answers no port (as for a server
    whose port the user may not see), and the network list is added (with
    a second "private" for two)."""
    data = cloud.recorded("host-ping-auto")
    cloud.body(data, "/v2.0/ports", cloud.PORT_QUERY)["ports"] = []
    data = cloud.add_network_list(data) if networks == 1 else cloud.add_network_called(data, "private")
    target, calls = choose(monkeypatch, data, [f"qdhcp-{NET_ID}", f"qdhcp-{OTHER_ID}"])
    assert (target.netns, target.note) == expected
    assert len(calls_to(calls, "/v2.0/networks")) == 1


# -- no --netns: the namespace by itself where this host has no route --------

def without_netns(monkeypatch, here, unrouted):
    """The fixed target with no --netns, this host's namespaces *here*, and
    its routes leading to the fixed address only by default when *unrouted*."""
    monkeypatch.setattr(targets.namespaces, "list_namespaces", lambda: list(here))
    monkeypatch.setattr(targets, "default_route_only",
                        lambda address, auto=False: "no route from this host" if unrouted else "")
    with replay(cloud.recorded("host-ping-auto")) as player:
        conn = cloud.connect(player)
        [target] = targets.server_targets(conn, list_servers(conn), "fixed", None)
    return target, player.calls


def test_an_unrouted_address_is_pinged_from_its_networks_namespace_saying_so(clean_env, monkeypatch):
    target, calls = without_netns(monkeypatch, [f"qdhcp-{NET_ID}"], unrouted=True)
    assert target.netns == f"qdhcp-{NET_ID}" and target.error == ""
    assert target.note == f"from qdhcp-{NET_ID}: this host has no route to {target.address}"
    assert len(calls_to(calls, "/v2.0/ports")) == 1


def test_no_namespace_here_keeps_the_no_route_error_and_asks_nothing(clean_env, monkeypatch):
    target, calls = without_netns(monkeypatch, ["unrelated"], unrouted=True)
    assert target.netns is None and target.error == "no route from this host"
    assert calls_to(calls, "/v2.0/ports") == []


def test_a_routed_address_is_pinged_from_here_and_asks_nothing(clean_env, monkeypatch):
    target, calls = without_netns(monkeypatch, [f"qdhcp-{NET_ID}"], unrouted=False)
    assert (target.netns, target.note, target.error) == (None, "", "")
    assert calls_to(calls, "/v2.0/ports") == []
