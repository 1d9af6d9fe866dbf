import itertools
from dataclasses import replace

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


def test_a_round_that_finishes_some_servers_polls_again_soon():
    clock = FakeClock()
    two = lambda a, b: {"s1": srv(a), "s2": replace(srv(b), id="s2")}  # noqa: E731
    feed = iter([two("BUILD", "BUILD")] * 5 + [two("ACTIVE", "BUILD"), two("ACTIVE", "BUILD"), two("ACTIVE", "ACTIVE")])
    wait.wait(lambda: next(feed), ["s1", "s2"], lambda s: s.status == "ACTIVE", 60, sleep=clock.sleep, clock=clock)
    growing = list(itertools.islice(wait.intervals(), 5))
    assert clock.sleeps == growing + [wait.FIRST, wait.FIRST * wait.FACTOR]


def test_error_raises_with_novas_fault():
    with pytest.raises(ServerFailed, match="No valid host was found"):
        run([srv("BUILD"), srv("ERROR", "No valid host was found")], lambda s: s.status == "ACTIVE")


def test_an_error_names_an_odd_server_name_on_one_line():
    odd = replace(srv("ERROR", "No valid host was found"), name="web\nprod")
    with pytest.raises(ServerFailed) as err:
        run([srv("BUILD"), odd], lambda s: s.status == "ACTIVE")
    assert str(err.value) == "server 'web\\nprod' (s1) went to ERROR: No valid host was found"


def test_gone_counts_as_done_for_deletes_and_error_is_tolerated():
    result, changes, _ = run([srv("ERROR"), None], lambda s: s is None, fail_on_error=False)
    assert result == {}
    assert changes[-1] == ("ERROR", "GONE")


def test_timeout_names_what_is_still_pending():
    with pytest.raises(Timeout) as err:
        run(itertools.repeat(srv("BUILD")), lambda s: s.status == "ACTIVE", timeout=5)
    assert str(err.value) == "web (s1) still BUILD after 5 s; raise --timeout or check the compute service logs"


def test_timeout_names_servers_by_name_and_short_id_on_one_line():
    ids = [f"{i}d7d2503-43e1-493b-a047-de7009fed628" for i in range(1, 8)]
    clock = FakeClock()
    rounds = iter([{sid: replace(srv("BUILD"), id=sid, name=f"demo-{sid[0]}") for sid in ids},
                   {sid: replace(srv("BUILD"), id=sid, name=f"demo-{sid[0]}") for sid in ids[1:]}])
    with pytest.raises(Timeout) as err:
        wait.wait(lambda: next(rounds, {}), ids, lambda s: s is not None and s.status == "ACTIVE", 300,
                  sleep=lambda s: setattr(clock, "now", 300), clock=clock)
    assert str(err.value) == ("demo-1 (1d7d2503) gone, demo-2 (2d7d2503) still BUILD, demo-3 (3d7d2503) still BUILD, "
                              "demo-4 (4d7d2503) still BUILD, demo-5 (5d7d2503) still BUILD and 2 more after 300 s; "
                              "raise --timeout or check the compute service logs")


def test_a_first_round_given_by_the_caller_costs_no_fetch():
    clock = FakeClock()
    fetched = []
    fetch = lambda: fetched.append(1) or {"s1": srv("ACTIVE")}  # noqa: E731
    done = lambda s: s.status == "ACTIVE"  # noqa: E731
    assert wait.wait(fetch, ["s1"], done, 60, first={"s1": srv("ACTIVE")}, sleep=clock.sleep, clock=clock)
    assert fetched == [] and clock.sleeps == []
    wait.wait(fetch, ["s1"], done, 60, first={"s1": srv("BUILD")}, sleep=clock.sleep, clock=clock)
    assert fetched == [1] and clock.sleeps == [0.25]  # the first poll comes after a pause
