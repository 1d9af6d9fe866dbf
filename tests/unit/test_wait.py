import itertools

import pytest

from osops import wait
from osops.errors import ServerFailed, Timeout
from osops.models import Server


def srv(status, fault=""):
    return Server(id="s1", name="web", status=status, task_state=None, power_state="Running", fault=fault)


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def run(statuses, done, timeout=60, **kw):
    clock = FakeClock()
    feed = iter(statuses)
    changes = []
    fetch = lambda: {"s1": s} if (s := next(feed)) else {}  # noqa: E731
    result = wait.wait(fetch, ["s1"], done, timeout, lambda *a: changes.append((a[2], a[1].status if a[1] else "GONE")),
                       sleep=clock.sleep, clock=clock, **kw)
    return result, changes, clock


def test_intervals_start_short_and_grow_to_a_cap():
    first = list(itertools.islice(wait.intervals(), 12))
    assert first[0] <= 0.25
    assert first == sorted(first)
    assert first[-1] == wait.CAP


def test_reports_each_status_change_once():
    result, changes, clock = run([srv("BUILD"), srv("BUILD"), srv("ACTIVE")], lambda s: s.status == "ACTIVE")
    assert result["s1"].status == "ACTIVE"
    assert changes == [(None, "BUILD"), ("BUILD", "ACTIVE")]
    assert clock.sleeps == [0.25, 0.375]


def test_error_raises_with_novas_fault():
    with pytest.raises(ServerFailed, match="No valid host was found"):
        run([srv("BUILD"), srv("ERROR", "No valid host was found")], lambda s: s.status == "ACTIVE")


def test_gone_counts_as_done_for_deletes_and_error_is_tolerated():
    result, changes, _ = run([srv("ERROR"), None], lambda s: s is None, fail_on_error=False)
    assert result == {}
    assert changes[-1] == ("ERROR", "GONE")


def test_timeout_names_what_is_still_pending():
    with pytest.raises(Timeout, match="s1 BUILD"):
        run(itertools.repeat(srv("BUILD")), lambda s: s.status == "ACTIVE", timeout=5)
