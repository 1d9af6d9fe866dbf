"""osops floating ip list|add|remove|delete through the real entry point, on
cassettes recorded from the loopback cloud (h2-fip on private, router1
between private and public); failures derived from them by the edits
each test states."""

import copy
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from osops import recordings
from tests.unit.conftest import cassette, edit
from tests.unit.test_call_floor import shape

SERVER = recordings.FIP_SERVER
ADD = ("floating", "ip", "add", SERVER)
PUBLIC = next(n["id"] for i in cassette("floating-ip-add")["interactions"]  # the external network, as recorded
              if i["request"]["url"].endswith("/v2.0/networks")
              for n in i["response"]["json"]["networks"] if n["name"] == "public")


def answer(name, method, path_end, query_key=None):
    """The recorded response body of the first *method* request of *name*
    whose URL ends with *path_end* (and whose query has *query_key*)."""
    for item in cassette(name)["interactions"]:
        req = item["request"]
        if req["method"] == method and req["url"].endswith(path_end) and (
                query_key is None or query_key in (req.get("query") or {})):
            return item["response"]["json"]
    raise AssertionError(f"no {method} ...{path_end} in {name}")


def responses(interactions, method, path_end):
    """The response bodies of *interactions* answering *method* ...*path_end*."""
    return [i["response"]["json"] for i in interactions
            if i["request"]["method"] == method and i["request"]["url"].endswith(path_end)]


def one_line(err):
    lines = [line for line in err.splitlines() if line.strip()]
    return len(lines) == 1 and "Traceback" not in err


def made():
    """The floating IP the add cassette allocated (Neutron's answer to its create call)."""
    return answer("floating-ip-add", "POST", "/v2.0/floatingips")["floatingip"]


def test_add_allocates_one_on_the_only_external_network_and_shows_what_it_maps_to(cli):
    r = cli("floating-ip-add", *ADD, "-f", "json")
    assert r.code == 0, r.err
    fip = made()
    assert r.json() == {"server": SERVER, "floating_ip_address": fip["floating_ip_address"],
                        "fixed_ip_address": fip["fixed_ip_address"], "port": fip["port_id"], "network": "private",
                        "floating_network": "public", "result": "allocated"}
    assert r.bodies[-1] == {"floatingip": {"floating_network_id": PUBLIC, "port_id": fip["port_id"],
                                           "fixed_ip_address": fip["fixed_ip_address"]}}
    assert r.err == ""  # one port: nothing to say about which


def test_add_asks_one_list_per_thing_it_checks_then_creates(cli):
    cli("floating-ip-add", *ADD)
    r = cli("floating-ip-add", *ADD)
    assert r.code == 0, r.err
    assert shape(r.calls) == ["GET compute /v2.1/servers/detail", "GET network /v2.0/networks",
                              "GET network /v2.0/ports", "GET network /v2.0/routers", "GET network /v2.0/ports",
                              "GET network /v2.0/floatingips", "POST network /v2.0/floatingips"]


def test_add_reuses_a_free_floating_ip_of_the_project(cli):
    r = cli("floating-ip-reuse", *ADD, "-f", "json")
    assert r.code == 0, r.err
    [free] = answer("floating-ip-reuse", "GET", "/v2.0/floatingips")["floatingips"]
    assert free["port_id"] is None
    assert (r.json()["floating_ip_address"], r.json()["result"]) == (free["floating_ip_address"],
                                                                     "reused a free floating IP of the project")
    assert [c.split(" ")[0] for c in r.calls if "/floatingips" in c] == ["GET", "PUT"]  # nothing allocated


def test_add_to_a_server_that_has_one_changes_nothing(cli):
    # Derived: the add cassette's floating IP list answered with the IP the add made, on the server's port.
    data = edit("floating-ip-add", lambda it: responses(it, "GET", "/v2.0/floatingips")[0].update(
        floatingips=[made()]))
    r = cli(data, *ADD, "-f", "value", "-c", "floating_ip_address", "-c", "result")
    assert (r.code, r.out) == (0, f"{made()['floating_ip_address']}\nhad it already\n"), r.err
    assert not [c for c in r.calls if c.startswith("POST") and "floatingips" in c]


def test_add_with_no_external_network_says_so_and_what_to_do(cli):
    # Derived: public listed as not external.
    def internal(it):
        for net in responses(it, "GET", "/v2.0/networks")[0]["networks"]:
            net["router:external"] = False

    r = cli(edit("floating-ip-add", internal), *ADD)
    assert r.code == 1 and one_line(r.err), r.err
    assert "no external network" in r.err and "openstack network create --external" in r.err
    assert not [c for c in r.calls if "floatingips" in c]


def test_several_external_networks_are_a_usage_error_listing_them(cli):
    # Derived: a second external network, public2, next to public.
    def second(it):
        listed = responses(it, "GET", "/v2.0/networks")[0]["networks"]
        public = next(n for n in listed if n["name"] == "public")
        listed.append({**public, "id": "00000000-0000-4000-8000-000000000002", "name": "public2"})

    r = cli(edit("floating-ip-add", second), *ADD)
    assert r.code == 2 and one_line(r.err), r.err
    assert f"public ({PUBLIC})" in r.err and "public2 (00000000-0000-4000-8000-000000000002)" in r.err
    assert "--network" in r.err


def test_with_no_router_to_the_external_network_it_names_both_networks_and_the_fix(cli):
    # Derived: no router listed.
    data = edit("floating-ip-add", lambda it: responses(it, "GET", "/v2.0/routers")[0].update(routers=[]))
    r = cli(data, *ADD)
    assert r.code == 1 and one_line(r.err), r.err
    assert f"no router connects private (server {SERVER}) to the external network public" in r.err
    assert "openstack router add subnet" in r.err and "--external-gateway public" in r.err


def test_a_server_with_several_ports_gets_it_on_the_routed_one_and_says_which(cli):
    # Derived: the server's port list with a port on an unrouted network first.
    def two_ports(it):
        ports = responses(it, "GET", "/v2.0/ports")[0]["ports"]
        ports.insert(0, {**ports[0], "id": "00000000-0000-4000-8000-0000000000aa",
                         "network_id": "00000000-0000-4000-8000-0000000000bb",
                         "fixed_ips": [{"ip_address": "192.168.7.5",
                                        "subnet_id": "00000000-0000-4000-8000-0000000000cc"}]})

    r = cli(edit("floating-ip-add", two_ports), *ADD, "-f", "json")
    assert r.code == 0, r.err
    assert r.json()["port"] == made()["port_id"]
    assert f"{SERVER} has 2 ports: the floating IP maps to the one on private ({made()['fixed_ip_address']})" in r.err


@pytest.mark.parametrize(("network", "code", "words"), [
    ("private", 2, "network private is not external"),
    ("nope", 1, "no network 'nope'"),
])
def test_network_must_name_an_external_network(cli, network, code, words):
    r = cli("floating-ip-add", *ADD, "--network", network)
    assert r.code == code and one_line(r.err) and words in r.err, r.err


def test_an_ambiguous_server_name_lists_the_candidates(cli):
    # Derived: two servers, h2-fip-1 and h2-fip-2, both matching "h2-fip" by prefix: the exact-name
    # list (Nova's name filter) finds neither, the list of all shows both.
    def two(it):
        [named] = [i for i in it if i["request"]["url"].endswith("/servers/detail")]
        every = copy.deepcopy(named)
        every["request"]["query"] = {}
        listed = every["response"]["json"]["servers"]
        listed[:] = [{**listed[0], "id": f"00000000-0000-4000-8000-00000000000{i}", "name": f"{SERVER}-{i}"}
                     for i in (1, 2)]
        named["response"]["json"]["servers"] = []
        it.append(every)

    r = cli(edit("floating-ip-add", two), *ADD)
    assert r.code == 1 and one_line(r.err), r.err
    assert f"server '{SERVER}' is ambiguous" in r.err and f"{SERVER}-1" in r.err and f"{SERVER}-2" in r.err


def test_list_shows_the_server_and_the_external_network_by_name(cli):
    r = cli("floating-ip-list", "floating", "ip", "list", "-f", "json")
    assert r.code == 0, r.err
    [row] = [x for x in r.json() if x["Server"] == SERVER]
    assert row["Floating Network"] == "public" and row["Fixed IP Address"].startswith("10.0.0.")
    assert re.fullmatch(r"172\.24\.4\.\d+", row["Floating IP Address"])


def test_remove_keeps_the_floating_ip_allocated_and_says_so(cli):
    r = cli("floating-ip-remove", "floating", "ip", "remove", SERVER, "-f", "json")
    assert r.code == 0, r.err
    [row] = r.json()
    address = row["Floating IP Address"]
    assert row["Server"] == SERVER and row["Status"] == "removed, kept allocated"
    assert r.err.startswith(f"{address} stays allocated to the project")
    assert f"'osops floating ip delete {address}' releases it" in r.err
    assert r.bodies[-1] == {"floatingip": {"port_id": None}}
    assert not [c for c in r.calls if c.startswith("DELETE")]


def test_remove_from_a_server_without_one_is_an_error(cli):
    # Derived: the floating IP list answered empty.
    data = edit("floating-ip-remove", lambda it: responses(it, "GET", "/v2.0/floatingips")[0].update(floatingips=[]))
    r = cli(data, "floating", "ip", "remove", SERVER)
    assert r.code == 1 and one_line(r.err), r.err
    assert f"server {SERVER} has no floating IP: nothing to remove" in r.err


def deleted():
    """The address the delete cassette deleted (its recorded command line's last word), and its id."""
    address = cassette("floating-ip-delete")["command"].split()[-1]
    [fip] = [f for f in answer("floating-ip-delete", "GET", "/v2.0/floatingips")["floatingips"]
             if f["floating_ip_address"] == address]
    return address, fip["id"]


@pytest.mark.parametrize("by", ["address", "id"])
def test_delete_releases_it_by_address_or_id(cli, by):
    address, fip_id = deleted()
    r = cli("floating-ip-delete", "floating", "ip", "delete", address if by == "address" else fip_id, "-f", "json")
    assert r.code == 0, r.err
    assert r.json() == [{"ID": fip_id, "Floating IP Address": address, "Status": "DELETED"}]
    assert [c for c in r.calls if c.startswith("DELETE")] == [
        f"DELETE http://network.osops.invalid/v2.0/floatingips/{fip_id}"]


@pytest.mark.parametrize(("word", "code", "words"), [
    ("foo", 2, "foo is not an IP address or a floating IP id"),
    ("10.0.0.300", 2, "10.0.0.300 is not an IP address"),
    ("172.24.4.254", 1, "no floating IP 172.24.4.254"),
])
def test_delete_refuses_what_it_cannot_find_before_deleting_anything(cli, word, code, words):
    address, _ = deleted()
    r = cli("floating-ip-delete", "floating", "ip", "delete", address, word)
    assert r.code == code and one_line(r.err) and words in r.err, r.err
    assert not [c for c in r.calls if c.startswith("DELETE")]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(word=st.text(min_size=1, max_size=40).filter(lambda w: not w.startswith("-") and "\x00" not in w))
def test_delete_takes_any_word_to_a_result_or_one_clean_line(cli, word):
    r = cli("floating-ip-delete", "floating", "ip", "delete", word)
    assert r.code in (0, 1, 2) and "Traceback" not in r.err
    if r.code:
        assert one_line(r.err), r.err
