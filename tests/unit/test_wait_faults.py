"""A failed poll in a wait counts as a slow one: the wait goes on, and a
timeout says why the last poll failed; other errors end the wait."""

import pytest
from keystoneauth1 import exceptions as ksa
from openstack import exceptions as sdk

from osops import wait
from osops.errors import Timeout
from tests.unit.test_wait import FakeClock, srv


def polls(*answers):
    """A fetch giving *answers* in turn (an exception is raised)."""
    feed = iter(answers)

    def fetch():
        answer = next(feed)
        if isinstance(answer, Exception):
            raise answer
        return {"s1": answer}

    return fetch


def run(fetch, timeout=60):
    clock = FakeClock()
    return wait.wait(fetch, ["s1"], lambda s: s is not None and s.status == "ACTIVE", timeout,
                     sleep=clock.sleep, clock=clock)


@pytest.mark.parametrize("failure", [
    ksa.ConnectFailure("Unable to establish connection to http://c/v2.1/servers/s1: reset"),
    ksa.ConnectTimeout("Request to http://c/v2.1/servers/s1 timed out"),
    sdk.HttpException("busy", http_status=503),
    sdk.HttpException("slow down", http_status=429),
])
def test_a_failed_poll_is_a_slow_one(failure):
    assert run(polls(srv("BUILD"), failure, failure, srv("ACTIVE")))["s1"].status == "ACTIVE"


def test_a_wait_whose_polls_keep_failing_times_out_saying_why():
    failure = ksa.ConnectFailure("Unable to establish connection to http://c/v2.1/servers/s1: Connection refused")
    with pytest.raises(Timeout) as caught:
        run(polls(srv("BUILD"), *[failure] * 1000), timeout=10)
    assert str(caught.value) == ("web (s1) still BUILD after 10 s; the last poll failed: cannot reach "
                                 "http://c/v2.1/servers/s1: Connection refused; raise --timeout or check the "
                                 "compute service logs")


def test_other_errors_end_the_wait():
    with pytest.raises(sdk.HttpException):
        run(polls(srv("BUILD"), sdk.HttpException("bad", http_status=400)))


def test_a_first_poll_that_fails_is_waited_out_too():
    failure = ksa.ConnectFailure("Unable to establish connection to http://c/x: reset")
    with pytest.raises(Timeout, match=r"^s1 still unknown \(no poll answered\) after 5 s; the last poll failed"):
        run(polls(*[failure] * 1000), timeout=5)
