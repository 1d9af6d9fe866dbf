"""The Python API on its own, without cliff, against recorded sessions."""

import dataclasses
import json

import pytest

import osops
from osops import flavors, images, keypairs, networks, security_groups, servers
from osops.errors import Ambiguous, NotFound
from osops.models import Server
from osops.testing import UnmatchedRequest


@pytest.fixture
def connect(clean_env, osops_replay, zero_poll_waits):
    """``connect(cassette)``: a connection under its replay, and the replay;
    its waits poll without sleeping (zero_poll_waits)."""

    def start(name):
        """Connect under a replay of cassette *name* (or of a loaded dict)."""
        from tests.unit.conftest import cassette

        player = osops_replay(cassette(name) if isinstance(name, str) else name)
        conn = osops.connect(auth_url=player.auth_url, username="admin", password="pw", project_name="admin",
                             user_domain_id="default", project_domain_id="default")
        return conn, player

    return start


def test_lists_return_plain_objects(connect):
    conn, _ = connect("image-list")
    found = images.list_images(conn)
    assert {i.name for i in found if not i.bootable} == {"cirros-0.3.4-x86_64-uec-kernel",
                                                          "cirros-0.3.4-x86_64-uec-ramdisk"}
    assert images.find_image(conn, "cirros-0.3.4", found).name == "cirros-0.3.4-x86_64-uec"


def test_flavor_by_id_or_name_and_smallest(connect):
    conn, _ = connect("flavor-list")
    every = flavors.list_flavors(conn)
    assert flavors.find_flavor(conn, "1", every) == flavors.find_flavor(conn, "m1.tiny", every)
    assert flavors.smallest_flavor(every, min_disk=1).name == "m1.tiny"
    assert flavors.smallest_flavor(every).name == "m1.nano"
    with pytest.raises(NotFound):
        flavors.find_flavor(conn, "m9", every)


def test_boot_reports_status_changes_to_a_callback(connect):
    conn, player = connect("boot")
    seen = []
    (server,) = servers.boot(conn, "demo-1", image="cirros-0.6", flavor="m1.tiny",
                             on_change=lambda sid, s, old, t: seen.append((old, s.status)))
    assert isinstance(server, Server) and server.status == "ACTIVE"
    assert seen[0][0] is None and seen[-1] == ("BUILD", "ACTIVE")


def test_boot_of_several_polls_only_their_reservation(connect):
    from tests.unit.conftest import reservation, reservation_lists

    conn, player = connect("boot-count")
    booted = servers.boot(conn, "lab", image="cirros-0.6", flavor="1", count=3)
    assert [(s.name, s.status) for s in booted] == [("lab-1", "ACTIVE"), ("lab-2", "ACTIVE"), ("lab-3", "ACTIVE")]
    lists = [c for c in player.calls if "/servers/detail" in c]
    # the boot's list, then one poll per recorded round until all were ACTIVE; nothing else listed
    assert lists == [f"GET http://compute.osops.invalid/v2.1/servers/detail?reservation_id={reservation('boot-count')}"
                     ] * len(reservation_lists("boot-count"))


def test_choose_network_takes_the_only_usable_one(connect):
    conn, _ = connect("boot")
    nets = networks.list_networks(conn)
    conn.authorize()
    assert networks.choose_network(conn, None, nets).name == "private"  # not public: it is external
    [private] = [n for n in nets if n.name == "private"]
    with pytest.raises(Ambiguous):
        networks.choose_network(conn, None, nets + [dataclasses.replace(private, id="x", name="b")])


def test_find_servers_resolves_several_with_one_list_call(connect):
    conn, player = connect("server-list")
    found = servers.find_servers(conn, ["demo-1", "uec1", "many-10"])  # no common prefix: no name filter
    assert [s.name for s in found] == ["demo-1", "uec1", "many-10"]
    assert len([c for c in player.calls if "/servers" in c]) == 1


def test_strict_replay_raises_for_unrecorded_requests(connect):
    conn, _ = connect("flavor-list")
    with pytest.raises(UnmatchedRequest, match="nearest recorded"):
        conn.compute.get("/os-hypervisors")


def test_booted_deletes_what_it_booted_when_the_block_fails(connect):
    """Derived: the recorded boot of demo-1, then the recorded delete of
    the same server (its id; the recordings follow each other on one cloud)."""
    from tests.unit.conftest import cassette

    data = cassette("boot")
    later = cassette("delete")["interactions"]
    at = next(n for n, i in enumerate(later) if i["request"]["method"] == "DELETE")
    # Derived: the recorded delete's DELETE and polls, of the server the boot made (recorded apart since)
    [(old, new)] = {(later[at]["request"]["url"].rsplit("/", 1)[1], s["id"]) for s in _booted_servers(data)}
    data["interactions"] += json.loads(json.dumps(later[at:]).replace(old, new))
    conn, player = connect(data)
    heard = []
    with pytest.raises(RuntimeError, match="the script failed"):
        with servers.booted(conn, "demo-1", image="cirros-0.6", flavor="m1.tiny", on_booted=heard.extend) as (web,):
            assert web.status == "ACTIVE"
            raise RuntimeError("the script failed")
    assert [s.id for s in heard] == [web.id]
    assert [c for c in player.calls if c.startswith("DELETE")] == [
        f"DELETE http://compute.osops.invalid/v2.1/servers/{web.id}"]
    assert player.calls[-1] == f"GET http://compute.osops.invalid/v2.1/servers/{web.id}"  # until it was gone


def _booted_servers(data):
    """The servers the recorded boot *data* lists by its reservation."""
    return [s for i in data["interactions"] if "reservation_id" in (i["request"]["query"] or {})
            for s in i["response"]["json"]["servers"]][:1]


def test_a_deleted_server_is_reported_gone_the_same_way_every_time(connect):
    """Derived: the recorded delete's last poll answers the server DELETED
    (as Nova lists a soft-deleted one) instead of 404."""
    from tests.unit.conftest import cassette

    data = cassette("delete")
    last = data["interactions"][-1]
    before = data["interactions"][-2]["response"]
    last["response"] = {**before, "json": {"server": {**before["json"]["server"], "status": "DELETED"}}}
    conn, _player = connect(data)
    seen = []
    (server,) = servers.find_servers(conn, ["demo-1"])
    servers.delete(conn, [server], wait=True, on_change=lambda sid, s, old, t: seen.append(s))
    assert seen[-1] is None


def test_a_server_listed_deleted_then_not_at_all_is_reported_gone_once(monkeypatch):
    """Nova may list a deleted server DELETED for a poll, then not at all:
    one report that it is gone, not a second "DELETED -> gone"."""
    from osops.models import Server

    deleted = Server(id="s1", name="demo-1", status="DELETED", task_state=None, power_state="NOSTATE")

    def polls(conn, found, done, timeout, on_change, fail_on_error=None):
        on_change("s1", deleted, "ACTIVE", 1.0)
        on_change("s1", None, "DELETED", 2.0)
        return [None]

    monkeypatch.setattr(servers, "wait_for", polls)
    seen = []
    servers.wait_until_gone(None, [deleted], 10, lambda sid, s, old, t: seen.append((s, old)))
    assert seen == [(None, "ACTIVE")]


def test_keypairs_and_security_groups_without_the_cli(connect):
    conn, _ = connect("keypair-list")
    [key] = keypairs.list_keypairs(conn)
    assert (key.name, key.id, key.type) == ("h1-key", "h1-key", "ssh")
    conn, _ = connect("security-group-show")
    groups = security_groups.list_groups(conn, all_projects=True)
    web = security_groups.find_group(conn, "h1-web", groups)
    assert security_groups.rule_words(web, groups)[0] == "ingress tcp 22 from 0.0.0.0/0"
    conn, player = connect("security-group-allow-again")
    change = security_groups.allow(conn, "h1-web", "ssh")
    assert not change.changed and change.result.startswith("already allowed by rule ")
    assert not [c for c in player.calls if c.startswith("POST") and "security-group-rules" in c]


def test_a_boot_finds_its_keypair_by_the_name_rule_or_says_where_to_see_them(connect):
    from osops import boot_options

    conn, _ = connect("keypair-list")  # one keypair: h1-key
    assert boot_options.find_keypair(conn, "h1") == "h1-key"  # a prefix
    with pytest.raises(NotFound, match="see the keypairs with: osops keypair list"):
        boot_options.find_keypair(conn, "web")
