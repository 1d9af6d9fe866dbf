"""The bench's pure helpers: Nova's log lines, the proxy's calls, the floor's replay."""

import datetime
import re
import urllib.parse

from bench import cloudtime, floor, novalog
from bench.proxy import Call, server_polls

SID = "abec675b-fcab-4447-8bc5-6b008787747b"
API_LOG = (
    '2026-12-08 00:40:15.737 7913 INFO nova.api.openstack.requestlog [None req-b25c7c3f-b836-45d6-aaff-241a7e02a29e '
    'caef1960 02080cdf - - default default] 127.0.0.1 "POST /v2.1/servers" status: 202 len: 371 '
    'microversion: 2.100 time: 1.500000\n'
    '2026-12-08 00:40:44.400 7913 INFO nova.api.openstack.requestlog [None req-32af9318-60a6-4fd4-9e49-4f7a1f1b2c3d '
    f'caef1960 02080cdf - - default default] 127.0.0.1 "DELETE /v2.1/servers/{SID}" status: 204 len: 0 '
    'microversion: 2.100 time: 0.100000\n')
COMPUTE_LOG = (
    "2026-12-08 00:40:20.411 8830 INFO nova.compute.manager [None req-b25c7c3f - - default default] "
    f"[instance: {SID}] Took 3.95 seconds to build instance.\n"
    f"2026-12-08 00:40:47.167 8830 INFO nova.compute.manager [-] [instance: {SID}] "
    "Took 0.41 seconds to deallocate network for instance.\n"
    "2026-12-08 00:40:47.320 8830 INFO nova.scheduler.client.report [None req-32af9318 - - default default] "
    f"Deleted allocations for instance {SID}\n")


def local(text):
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").timestamp()


def test_requests_start_is_the_logged_end_less_the_duration():
    calls = novalog.requests(API_LOG)
    method, path, start = calls["req-b25c7c3f-b836-45d6-aaff-241a7e02a29e"]
    assert (method, path) == ("POST", "/v2.1/servers")
    assert abs(start - (local("2026-12-08 00:40:15.737") - 1.5)) < 1e-6


def test_a_request_id_logged_again_later_keeps_its_first_line():
    # nova-api logs a version discovery (GET /v2.1, no request context of
    # its own) with the id of the request its thread served before
    stale = ('2026-12-08 00:40:40.100 7913 INFO nova.api.openstack.requestlog [None '
             'req-b25c7c3f-b836-45d6-aaff-241a7e02a29e caef1960 02080cdf - - default default] 127.0.0.1 '
             '"GET /v2.1" status: 200 len: 384 microversion: 2.1 time: 0.002000\n')
    method, path, start = novalog.requests(API_LOG + stale)["req-b25c7c3f-b836-45d6-aaff-241a7e02a29e"]
    assert (method, path) == ("POST", "/v2.1/servers")
    assert abs(start - (local("2026-12-08 00:40:15.737") - 1.5)) < 1e-6


def test_deletes_by_server():
    assert abs(novalog.deletes(API_LOG)[SID] - (local("2026-12-08 00:40:44.400") - 0.1)) < 1e-6


def test_compute_events_active_and_gone():
    events = novalog.compute_events(COMPUTE_LOG)[SID]
    assert events == {"active": local("2026-12-08 00:40:20.411"), "gone": local("2026-12-08 00:40:47.167")}


def test_api_time_is_utc_with_or_without_microseconds():
    assert cloudtime.api_time("1970-01-01T00:00:01Z") == 1.0
    assert cloudtime.api_time("1970-01-01T00:00:01.500000") == 1.5
    assert cloudtime.api_time(None) is None


def test_phase_late_is_after_the_last_event():
    phase = cloudtime.Phase("boot", 10.0, 14.0, 14.5, True)
    assert (phase.took, phase.late) == (4.0, 0.5)
    assert cloudtime.total([phase, cloudtime.Phase("delete", 20.0, 21.0, 21.2, True)]) == 5.0


def test_name_query_is_the_stem_or_its_numbered_servers():
    pattern = urllib.parse.unquote(cloudtime.name_query("bench-a.1").removeprefix("name="))
    names = ("bench-a.1", "bench-a.1-12", "bench-a.10", "bench-aX1", "bench-a.1-w")
    assert [n for n in names if re.search(pattern, n)] == ["bench-a.1", "bench-a.1-12"]


def test_server_polls_tells_lists_from_gets_of_one():
    base = "http://127.0.0.1:8774/v2.1/servers"
    calls = [Call(0, "GET", f"{base}/detail?name=x"), Call(0, "GET", f"{base}/{SID}"), Call(0, "GET", f"{base}"),
             Call(0, "DELETE", f"{base}/{SID}"), Call(0, "GET", "http://127.0.0.1:9292/v2/images")]
    assert server_polls(calls) == (2, 1)


def test_the_floor_replays_gets_that_are_not_keystone_with_their_microversion():
    calls = [Call(0, "POST", "http://127.0.0.1:5000/v3/auth/tokens"), Call(0, "GET", "http://127.0.0.1:5000/"),
             Call(0, "GET", "http://127.0.0.1:9292/"), Call(0, "GET", "http://127.0.0.1:8774/v2.1"),
             Call(0, "GET", "http://127.0.0.1:8774/v2.1/flavors/detail",
                  (("OpenStack-API-Version", "compute 2.100"),))]
    assert floor.replayed(calls) == [("http://127.0.0.1:8774/v2.1/flavors/detail",
                                      {"OpenStack-API-Version": "compute 2.100"})]
