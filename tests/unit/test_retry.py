"""Retries and timeouts (osops.retry): idempotent requests are sent again on
a busy or broken answer, others never; every request has a timeout.
Failures are derived from recorded cassettes by putting failed answers
before a recorded one (replay serves a request's answers in order)."""

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from osops import retry
from osops.errors import UsageError
from tests.unit.conftest import cassette

JSON = {"Content-Type": "application/json"}
IMAGES = "GET http://image.osops.invalid/v2/images?limit=1000"  # one page, Glance's largest
HTML_502 = {"status": 502, "headers": {"Content-Type": "text/html"},
            "text": "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"}


def failing_first(name, url_end, *answers, method="GET"):
    """The cassette *name* where *method ...url_end* first gets *answers*,
    then what was recorded."""
    data = cassette(name)
    items = data["interactions"]
    at = next(n for n, i in enumerate(items)
              if i["request"]["url"].endswith(url_end) and i["request"]["method"] == method)
    items[at:at] = [{"request": copy.deepcopy(items[at]["request"]), "response": a} for a in answers]
    return data


@pytest.fixture
def slept(monkeypatch):
    """The delays keystoneauth slept between tries (nothing is slept)."""
    delays = []
    monkeypatch.setattr("keystoneauth1.session.time.sleep", delays.append)
    return delays


@pytest.mark.parametrize("answer", [
    {"status": 503, "headers": {**JSON, "Retry-After": "1"}, "json": {"message": "busy"}},
    {"status": 503, "headers": JSON, "json": {"message": "busy"}},
    {"status": 429, "headers": JSON, "json": {"message": "slow down"}},
    {"status": 504, "headers": JSON, "json": {"message": "gateway timeout"}},
    HTML_502,
    {"raise": "ConnectionError"},
    {"raise": "ReadTimeout"},
    {"status": 200, "headers": JSON, "text": '{"images": [{"id": "5b1f'},  # a body cut short
], ids=["503-retry-after", "503", "429", "504", "502-html", "reset", "read-timeout", "truncated"])
def test_a_list_survives_one_failed_answer(cli, slept, answer):
    r = cli(failing_first("image-list", "/v2/images", answer), "image", "list", "-f", "value", "-c", "Name")
    assert r.code == 0, r.err
    assert "cirros" in r.out
    assert [c for c in r.calls if "/v2/images" in c] == [IMAGES] * 2


def test_retry_after_is_honoured_up_to_the_cap(cli, slept, monkeypatch):
    monkeypatch.setattr(retry, "POLICY", retry.Policy(delay=0.001, retry_after_cap=30))
    busy = [{"status": 503, "headers": {**JSON, "Retry-After": after}, "json": {"message": "busy"}}
            for after in ("7", "3600")]
    r = cli(failing_first("image-list", "/v2/images", *busy), "image", "list")
    assert r.code == 0, r.err
    assert slept == [7, 30]


def test_retries_are_bounded_then_one_line_with_the_service_message(cli, slept):
    busy = {"status": 503, "headers": JSON, "json": {"message": "Glance is down for maintenance", "code": 503}}
    r = cli(failing_first("image-list", "/v2/images", *[busy] * 10), "image", "list")
    assert r.code == 1
    assert "Traceback" not in r.err and r.err.count("\n") == 1
    assert "Glance is down for maintenance" in r.err
    assert [c for c in r.calls if "/v2/images" in c] == [IMAGES] * (1 + retry.POLICY.status_code_retries)


def test_the_create_call_is_never_sent_twice_by_keystoneauth():
    assert retry.may_repeat("GET", "http://c/v2.1/servers/detail")
    assert retry.may_repeat("DELETE", "http://c/v2.1/servers/1")
    assert retry.may_repeat("POST", "http://k/v3/auth/tokens")
    assert not retry.may_repeat("POST", "http://c/v2.1/servers")
    assert not retry.may_repeat("POST", "http://c/v2.1/servers/1/action")
    assert not retry.may_repeat("PUT", "http://c/v2.1/servers/1")


def test_a_server_action_is_not_repeated_on_503(cli, slept):
    busy = {"status": 503, "headers": JSON, "json": {"message": "busy"}}
    r = cli(failing_first("suspend", "/action", busy, method="POST"), "suspend", "demo-1", unmatched_ok=True)
    assert r.code == 1
    assert len([c for c in r.calls if c.endswith("/action")]) == 1
    assert slept == []


def test_a_read_timeout_names_the_service_the_url_and_the_timeout(cli):
    r = cli(failing_first("image-list", "/v2/images", *[{"raise": "ReadTimeout"}] * 5), "image", "list",
            "--os-api-timeout", "12")
    assert r.code == 1
    assert r.err.strip() == ("no answer from Glance at http://image.osops.invalid/v2/images within 12 s; "
                             "is Glance overloaded or stuck? its log says why; --os-api-timeout SECONDS "
                             "(or OSOPS_API_TIMEOUT) waits longer")


def test_every_request_has_the_timeout(cli, monkeypatch):
    timeouts = []
    real = retry.RetryingSession.__init__

    def init(self, *args, **kwargs):
        real(self, *args, **kwargs)
        timeouts.append(self.timeout)

    monkeypatch.setattr(retry.RetryingSession, "__init__", init)
    assert cli("image-list", "image", "list").code == 0
    assert cli("image-list", "image", "list", env={"OSOPS_API_TIMEOUT": "7.5"}).code == 0
    assert timeouts == [60.0, 7.5]


@pytest.mark.parametrize("value", ["0", "-3", "abc", "nan", "1e9", " "])
def test_a_bad_api_timeout_is_a_usage_error(cli, value):
    r = cli("image-list", "--os-api-timeout", value, "image", "list", unmatched_ok=True)
    assert r.code == 2
    assert r.err.startswith("--os-api-timeout must be a number of seconds") and r.err.count("\n") == 1
    assert r.calls == []


@given(st.one_of(st.text(max_size=12), st.floats(allow_nan=True).map(str), st.integers().map(str)))
def test_api_timeout_takes_a_positive_number_of_seconds_or_says_what_is_wrong(text):
    try:
        value = retry.api_timeout(text)
    except UsageError as exc:
        assert "\n" not in str(exc) and repr(text) in str(exc)
    else:
        assert 0 < value <= 86400 and (value == float(text) if text else value == retry.POLICY.timeout)
