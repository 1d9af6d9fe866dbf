"""boot, suspend, resume, delete through the real entry point."""

import copy
import sys

import pytest

from tests.unit.conftest import cassette, reservation, reservation_lists
from tests.unit.deletions import with_deletes


def requests_to(result, fragment, method=None):
    return [c for c in result.calls if fragment in c and (method is None or c.startswith(method))]


def test_boot_by_prefix_and_flavor_name_waits_until_active(cli):
    r = cli("boot", "boot", "demo-1", "--flavor", "m1.tiny", "--image", "cirros-0.6", "-f", "json")
    assert r.code == 0, r.err
    (server,) = r.json()
    assert server["Status"] == "ACTIVE"
    [address] = server["Networks"]["private"]
    assert address.startswith("10.0.0.")


def test_boot_by_flavor_id_like_nova(cli):
    r = cli("boot", "server", "create", "demo-1", "--flavor", "1", "--image", "cirros-0.6",
            "-f", "value", "-c", "Status")
    assert (r.code, r.out.strip()) == (0, "ACTIVE")


def test_boot_resolves_each_name_with_one_list_call_and_polls_one_request_per_round(cli):
    r = cli("boot", "boot", "--flavor", "m1.tiny", "--image", "cirros-0.6")
    assert r.code == 0, r.err
    # an image's exact name is one filtered GET; a prefix (cirros-0.6) is the filtered GET, finding none, then one list
    images = requests_to(r, "/v2/images", "GET")
    assert len(images) == 2 and "name=cirros-0.6&" in images[0] and "name=" not in images[1]
    assert len(requests_to(r, "/flavors", "GET")) == 1
    assert len(requests_to(r, "/v2.0/networks", "GET")) == 1
    (create,) = [b for c, b in zip(r.calls, r.bodies, strict=True) if c.startswith("POST") and c.endswith("/servers")]
    assert create["server"]["networks"] == [{"uuid": _private_net_id()}]
    assert create["server"]["name"].startswith("osops-")
    polls = requests_to(r, "/servers/", "GET")
    assert len(polls) == len([i for i in cassette("boot")["interactions"] if "/servers/" in i["request"]["url"]
                              and "name" not in i["request"]["query"]])  # a generated name is looked up by none


def _private_net_id():
    for item in cassette("boot")["interactions"]:
        if item["request"]["url"].endswith("/v2.0/networks"):
            return next(n["id"] for n in item["response"]["json"]["networks"] if n["name"] == "private")
    raise AssertionError("the boot cassette lists no networks")


def test_boot_several_servers_waits_with_one_list_call_per_round(cli):
    r = cli("boot-count", "boot", "lab", "--count", "3", "--flavor", "1", "--image", "cirros-0.6",
            "-f", "json")
    assert r.code == 0, r.err
    assert sorted(s["Name"] for s in r.json()) == ["lab-1", "lab-2", "lab-3"]
    assert all(s["Status"] == "ACTIVE" for s in r.json())
    assert not [c for c in r.calls if "/servers/" in c and "detail" not in c and c.startswith("GET")]
    lists = requests_to(r, "/servers/detail", "GET")
    # one list of the servers already called lab-N, the boot's list, then one poll per recorded round
    assert lists[0].endswith("/servers/detail?name=%5Elab-%5B0-9%5D%2B%24")
    assert len(lists[1:]) == len(reservation_lists("boot-count"))
    assert all(c.endswith(f"/servers/detail?reservation_id={reservation('boot-count')}") for c in lists[1:])


def test_ambiguous_image_lists_every_candidate(cli):
    r = cli("boot-ambiguous", "boot", "--flavor", "m1.tiny", "--image", "cirros")
    assert r.code == 1
    assert r.err.count("\n") == 1 and "Traceback" not in r.err
    assert "cirros-0.6.2-x86_64-disk (" in r.err and "cirros-0.3.4-x86_64-uec (" in r.err
    assert "kernel" not in r.err
    assert not requests_to(r, "/servers", "POST")


def _images_asked_by_name(data, name):
    """Derived: *data* answering Glance's ``name=NAME`` filter (asked before
    the list) with the recorded list's images of exactly that name."""
    [listed] = [i for i in data["interactions"] if i["request"]["url"].endswith("/v2/images")
                and "name" not in i["request"]["query"]]
    asked = copy.deepcopy(listed)
    asked["request"]["query"] = {**listed["request"]["query"], "name": [name]}
    asked["response"]["json"]["images"] = [i for i in listed["response"]["json"]["images"] if i["name"] == name]
    data["interactions"].append(asked)
    return data


@pytest.mark.parametrize("name", ["cirros-0.3.4-x86_64-uec-k", "cirros-0.3.4-x86_64-uec-kernel"])
def test_kernel_and_ramdisk_are_never_picked(cli, name):
    # a prefix of the kernel's name (the filter finds none), or its exact name (the filter finds it, not bootable)
    r = cli(_images_asked_by_name(cassette("boot-ambiguous"), name), "boot", "--flavor", "m1.tiny", "--image", name)
    assert r.code == 1 and f"no image '{name}'" in r.err and "kernel" in r.err
    assert not requests_to(r, "/servers", "POST")


def test_unknown_flavor_names_the_closest(cli):
    r = cli("flavor-unknown", "boot", "--flavor", "m1.huge", "--image", "cirros-0.6")
    assert r.code == 1
    assert r.err.strip() == "no flavor 'm1.huge'; closest: m1.large, m1.xlarge, m1.medium"


def test_several_usable_networks_is_an_error_listing_them(cli):
    # Derived: a second shared network added to the recorded network list.
    data = cassette("boot")
    for item in data["interactions"]:
        if item["request"]["url"].endswith("/v2.0/networks"):
            nets = item["response"]["json"]["networks"]
            [private] = [n for n in nets if n["name"] == "private"]  # public is external: no server boots on it
            nets.append({**private, "id": "11111111-2222-3333-4444-555555555555", "name": "lab-net"})
    r = cli(data, "boot", "--flavor", "m1.tiny", "--image", "cirros-0.6")
    assert r.code == 1 and "several networks" in r.err and "lab-net (11111111" in r.err and "private (" in r.err
    assert not requests_to(r, "/servers", "POST")


def test_no_network_at_all_boots_with_networks_none_and_says_so(cli):
    # Derived: the recorded network list emptied.
    data = cassette("boot")
    for item in data["interactions"]:
        if item["request"]["url"].endswith("/v2.0/networks"):
            item["response"]["json"]["networks"] = []
    r = cli(data, "boot", "--flavor", "m1.tiny", "--image", "cirros-0.6")
    assert r.code == 0, r.err
    assert "without one" in r.err
    (create,) = [b for c, b in zip(r.calls, r.bodies, strict=True) if c.startswith("POST") and c.endswith("/servers")]
    assert create["server"]["networks"] == "none"


def test_server_going_to_error_fails_with_novas_fault(cli):
    # Derived: the last polled server shows ERROR with a fault.
    data = cassette("boot")
    polls = [i for i in data["interactions"] if "/servers/" in i["request"]["url"] and i["request"]["method"] == "GET"]
    polls[-1]["response"]["json"]["server"].update(
        status="ERROR", fault={"code": 500, "message": "No valid host was found."})
    sid = polls[-1]["response"]["json"]["server"]["id"]
    r = cli(with_deletes(data, [sid]), "boot", "--flavor", "m1.tiny", "--image", "cirros-0.6")
    assert r.code == 1
    assert r.err == (f"server demo-1 ({sid}) went to ERROR: No valid host was found.; "
                     "deleted what this boot created: demo-1\n")
    assert requests_to(r, f"/servers/{sid}", "DELETE")


def test_suspend_resume_delete_wait_for_their_states(cli):
    r = cli("suspend", "suspend", "demo-1", "--wait", "-f", "value", "-c", "Status")
    assert (r.code, r.out.strip()) == (0, "SUSPENDED")
    r = cli("resume", "server", "resume", "demo-1", "--wait", "-f", "value", "-c", "Status")
    assert (r.code, r.out.strip()) == (0, "ACTIVE")
    r = cli("delete", "delete", "demo-1", "--wait", "-f", "value", "-c", "Status")
    assert (r.code, r.out.strip()) == (0, "DELETED")
    assert requests_to(r, "/servers/", "DELETE")


def test_without_wait_the_status_says_what_was_asked(cli):
    r = cli("suspend", "suspend", "demo-1", "-f", "value", "-c", "Status")
    assert (r.code, r.out.strip()) == (0, "SUSPENDING")
    assert len([c for c in r.calls if c.startswith("GET") and "/servers" in c]) == 1


def test_delete_several_waits_with_list_calls(cli):
    r = cli("delete-count", "delete", "lab-1", "lab-2", "lab-3", "--wait", "-f", "json")
    assert r.code == 0, r.err
    assert len(requests_to(r, "/servers/", "DELETE")) == 3
    assert {s["Status"] for s in r.json()} == {"DELETED"}


def test_delete_of_a_server_already_gone_succeeds_without_waiting(cli):
    data = cassette("delete")
    # Derived: the server went away between the list and the DELETE, which gets the
    # 404 Nova gives for a server that is gone (the last poll of the recorded delete).
    gone = [i["response"] for i in data["interactions"]
            if i["request"]["method"] == "GET" and "/servers/" in i["request"]["url"]][-1]
    assert gone["status"] == 404
    (delete,) = [i for i in data["interactions"] if i["request"]["method"] == "DELETE"]
    delete["response"] = gone
    r = cli(data, "delete", "demo-1", "--wait", "-f", "value", "-c", "Status")
    assert (r.code, r.out.strip()) == (0, "DELETED"), r.err
    assert after_the_delete(r.calls) == []  # nothing to wait for
    assert after_the_delete(cli("delete", "delete", "demo-1", "--wait").calls)  # as a delete that waits polls


def after_the_delete(calls):
    """The calls that followed the (one) DELETE."""
    [at] = [n for n, c in enumerate(calls) if c.startswith("DELETE ")]
    return calls[at + 1:]


def test_progress_goes_to_a_terminals_stderr(cli, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    r = cli("suspend", "suspend", "demo-1", "--wait")
    assert r.code == 0
    assert "demo-1: ACTIVE → SUSPENDED in" in r.err


def test_no_progress_when_stderr_is_not_a_terminal(cli):
    r = cli("suspend", "suspend", "demo-1", "--wait")
    assert r.code == 0 and r.err == ""


def test_an_unknown_column_is_refused_before_booting_or_deleting(cli):
    line = "-c 'Bogus': no such column; the columns are: ID, Name, Status, Networks (see: osops help {})\n"
    r = cli("boot", "boot", "--flavor", "m1.tiny", "--image", "cirros-0.6", "-c", "Name", "-c", "Bogus")
    assert (r.code, r.out, r.err, r.calls) == (2, "", "osops boot: " + line.format("boot"), [])
    r = cli("delete", "server", "delete", "demo-1", "-c", "Bogus")
    assert (r.code, r.out, r.err, r.calls) == (2, "", "osops server delete: " + line.format("server delete"), [])


def _boot_with_name_list(servers):
    """Derived: the recorded boot of demo-1, its list of the servers
    already called demo-1 (empty when recorded) answered by *servers*:
    the recorded demo-1 itself, as the boot's list of it shows it."""
    data = cassette("boot")
    [asked] = [i for i in data["interactions"] if i["request"]["url"].endswith("/servers/detail")
               and "name" in (i["request"]["query"] or {})]
    assert asked["request"]["query"] == {"name": ["^demo\\-1$"]} and asked["response"]["json"]["servers"] == []
    [listed] = [s for i in reservation_lists("boot") for s in i["response"]["json"]["servers"]][:1]
    asked["response"]["json"]["servers"] = servers([listed])
    return data


def test_unique_refuses_a_name_that_exists_before_creating(cli):
    data = _boot_with_name_list(lambda listed: listed)
    r = cli(data, "boot", "demo-1", "--flavor", "m1.tiny", "--image", "cirros-0.6", "--unique")
    assert r.code == 1 and r.out == ""
    assert r.err.startswith("--unique: a server called demo-1 exists already: demo-1 (")
    assert r.err.count("\n") == 1 and "BUILD)" in r.err  # as the list showed it
    assert [c for c in r.calls if c.startswith("POST") and c.endswith("/servers")] == []


def test_booting_a_name_that_exists_warns_naming_it_and_boots(cli):
    data = _boot_with_name_list(lambda listed: listed)
    [existing] = [s for i in data["interactions"] if i["request"]["url"].endswith("/servers/detail")
                  and "name" in (i["request"]["query"] or {}) for s in i["response"]["json"]["servers"]]
    r = cli(data, "boot", "demo-1", "--flavor", "m1.tiny", "--image", "cirros-0.6", "-f", "value", "-c", "Status")
    assert (r.code, r.out) == (0, "ACTIVE\n")
    assert r.err == (f"a server called demo-1 exists already: demo-1 ({existing['id']}, {existing['status']}); "
                     "booting another of that name (--unique refuses)\n")


def test_the_name_is_looked_up_once_and_only_when_given(cli):
    named = cli("boot", "boot", "demo-1", "--flavor", "m1.tiny", "--image", "cirros-0.6")
    assert named.code == 0 and named.err == ""
    assert len([c for c in named.calls if "/servers/detail?name=" in c]) == 1
    generated = cli("boot", "boot", "--flavor", "m1.tiny", "--image", "cirros-0.6")
    assert generated.code == 0 and not [c for c in generated.calls if "/servers/detail?name=" in c]


def test_unique_boots_when_the_name_is_free(cli):
    r = cli(_boot_with_name_list(lambda listed: []), "boot", "demo-1", "--flavor", "m1.tiny", "--image",
            "cirros-0.6", "--unique", "-f", "json")
    assert r.code == 0, r.err
    assert [s["Name"] for s in r.json()] == ["demo-1"]
