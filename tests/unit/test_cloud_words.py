"""The cloud's own words: an error answer's message and request id reach
the one line; a guess at the cause only when the message says it.
Failures are derived from recorded cassettes by the edits each test names."""

import os
import re

import pytest

from tests.unit.conftest import cassette
from tests.unit.deletions import with_deletes

RID = {"Content-Type": "application/json", "x-openstack-request-id": "req-5f1c0d4e-aaaa-bbbb-cccc-000000000001"}
BOOT = ("boot", "--flavor", "m1.tiny", "--image", "cirros-0.6")


def answered(name, method, url_end, response):
    """The cassette *name* with *method ...url_end* answered *response*."""
    data = cassette(name)
    hits = [i for i in data["interactions"]
            if i["request"]["method"] == method and i["request"]["url"].endswith(url_end)]
    assert hits
    for item in hits:
        item["response"] = response
    return data


def one_line(r):
    assert "Traceback" not in r.err and r.err.count("\n") == 1, r.err
    return r.err.strip()


def test_novas_bad_request_is_in_its_words_with_the_request_id(cli):
    data = answered("boot", "POST", "/v2.1/servers", {"status": 400, "headers": RID, "json": {
        "badRequest": {"code": 400, "message": "Invalid key_name provided."}}})
    r = cli(data, *BOOT)  # as for a keypair deleted between osops's lookup and the create call
    assert r.code == 1
    assert one_line(r) == ("HTTP 400 from Nova at http://compute.osops.invalid/v2.1/servers: Invalid key_name "
                           "provided. (request req-5f1c0d4e-aaaa-bbbb-cccc-000000000001)")
    # A refusal made nothing: no server is looked up by name (the image's name is, before the create call).
    assert not [c for c in r.calls if "/servers/detail?name=" in c]


@pytest.mark.parametrize("status, body", [
    (403, {"forbidden": {"code": 403, "message": "Quota exceeded for ram: Requested 512, but already used 2048 of "
                                                 "2048 ram"}}),
    (409, {"NeutronError": {"type": "OverQuota", "message": "Quota exceeded for resources: ['port'].",
                            "detail": ""}}),
    (403, {"forbidden": {"code": 403, "message": "Maximum number of ports exceeded"}}),
])
def test_a_quota_refusal_says_quota_never_the_role(cli, status, body):
    r = cli(answered("boot", "POST", "/v2.1/servers", {"status": status, "headers": RID, "json": body}), *BOOT)
    line = one_line(r)
    assert r.code == 1
    assert line.startswith("over quota at Nova at http://compute.osops.invalid/v2.1/servers: ")
    assert "lacks the role" not in line and "(request req-5f1c0d4e-" in line
    assert line.endswith("raise the quota (openstack quota show), then try again")


def test_a_policy_refusal_says_the_role(cli):
    data = answered("server-list", "GET", "/servers/detail", {"status": 403, "headers": RID, "json": {
        "forbidden": {"code": 403, "message": "Policy doesn't allow os_compute_api:servers:detail to be performed."}}})
    line = one_line(cli(data, "server", "list"))
    assert line.startswith("forbidden: Policy doesn't allow os_compute_api:servers:detail to be performed. (request ")
    assert line.endswith("user admin, project admin, at http://identity.osops.invalid lacks the role for it "
                         "(try an admin cloud)")


def test_a_refusal_that_names_no_policy_guesses_nothing(cli):
    data = answered("server-list", "GET", "/servers/detail", {"status": 403, "headers": RID, "json": {
        "forbidden": {"code": 403, "message": "This action is disabled on this cloud."}}})
    line = one_line(cli(data, "server", "list"))
    assert line == ("forbidden by Nova at http://compute.osops.invalid/v2.1/servers/detail: This action is disabled "
                    "on this cloud. (request req-5f1c0d4e-aaaa-bbbb-cccc-000000000001)")


def test_neutrons_error_is_in_its_words(cli):
    data = answered("boot", "GET", "/v2.0/networks", {"status": 400, "headers": RID, "json": {
        "NeutronError": {"type": "HTTPBadRequest", "message": "Invalid input for operation: bad filter.",
                         "detail": ""}}})
    line = one_line(cli(data, *BOOT))
    assert line == ("HTTP 400 from Neutron at http://network.osops.invalid/v2.0/networks: Invalid input for "
                    "operation: bad filter. (request req-5f1c0d4e-aaaa-bbbb-cccc-000000000001)")


def test_an_html_error_page_gives_its_title(cli):
    data = answered("server-list", "GET", "/servers/detail", {"status": 500, "headers": {"Content-Type": "text/html"},
                    "text": "<html><head><title>500 Internal Server Error</title></head><body><h1>Oops</h1>"
                            "<p>The server encountered an internal error</p></body></html>"})
    line = one_line(cli(data, "server", "list"))
    assert line == ("HTTP 500 from Nova at http://compute.osops.invalid/v2.1/servers/detail: 500 Internal Server "
                    "Error; Nova failed: its log says why")


def test_a_server_going_to_error_while_being_deleted_ends_the_wait_with_the_fault(cli):
    # Derived: the first poll after the delete shows the server in ERROR, no longer deleting, with a fault.
    data = cassette("delete")
    [sid] = [i["request"]["url"].rsplit("/", 1)[1] for i in data["interactions"]
             if i["request"]["method"] == "DELETE"]  # the recorded demo-1, which delete.json deletes
    polls = [i for i in data["interactions"] if i["request"]["method"] == "GET" and f"/servers/{sid}" in
             i["request"]["url"] and i["response"]["status"] == 200]
    polls[0]["response"]["json"]["server"].update(status="ERROR", fault={"code": 500, "message": "Disk busy"})
    polls[0]["response"]["json"]["server"]["OS-EXT-STS:task_state"] = None
    r = cli(data, "delete", "demo-1", "--wait", unmatched_ok=True)
    assert r.code == 1
    assert one_line(r) == f"server demo-1 ({sid}) went to ERROR: Disk busy"


def test_a_boot_whose_server_goes_to_error_deletes_all_of_the_boot(cli):
    # Derived: boot --count 3; the second poll shows lab-2 in ERROR with a fault.
    data = cassette("boot-count")
    lists = [i for i in data["interactions"] if "reservation_id" in (i["request"]["query"] or {})]
    servers = lists[1]["response"]["json"]["servers"]
    bad = next(s for s in servers if s["name"] == "lab-2")
    bad.update(status="ERROR", fault={"code": 500, "message": "No valid host was found."})
    with_deletes(data, [s["id"] for s in servers])
    # The delete's wait on the three (not the boot's reservation) lists them by their names' common prefix.
    data["interactions"].append({
        "request": {"method": "GET", "url": "{compute}/v2.1/servers/detail", "body": None,
                    "query": {"name": ["^" + re.escape(os.path.commonprefix([s["name"] for s in servers]))]}},
        "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "json": {"servers": []}}})
    r = cli(data, "boot", "lab", "--count", "3", "--flavor", "1", "--image", "cirros-0.6")
    assert r.code == 1
    assert one_line(r) == (f"server lab-2 ({bad['id']}) went to ERROR: No valid host was found.; "
                           "deleted what this boot created: lab-1, lab-2, lab-3")
    assert len([c for c in r.calls if c.startswith("DELETE")]) == 3


def test_a_refused_login_carries_keystones_words_and_request_id(cli):
    data = cassette("wrong-password")
    for item in data["interactions"]:
        if item["response"]["status"] == 401:
            item["response"]["headers"]["x-openstack-request-id"] = "req-0a0b0c0d-1111-2222-3333-444455556666"
    line = one_line(cli(data, "image", "list"))
    assert line.startswith("authentication failed for user admin, project admin, at http://identity.osops.invalid")
    assert (": Keystone says The request you have made requires authentication. "
            "(request req-0a0b0c0d-1111-2222-3333-444455556666); check the password") in line
