"""Rounds on a schedule until SIGTERM or SIGINT.

A round starts every *every* seconds (later when the one before took
longer: never two at once), plus up to a tenth of *every* at random
with *jitter*, so canaries started together drift apart.  A signal
while waiting ends the canary at once; one during a round lets that
round end (a single cloud's run is stopped and undone by the engine;
several clouds' runs are finished and cleaned up), then ends it.
"""

from __future__ import annotations

import random
import signal
import threading
import time
from collections.abc import Callable, Mapping

from osops.scenario.results import SIGNAL_EXIT, Report

JITTER = 0.1  # of the interval, at most


def wait(seconds: float) -> None:
    """Sleep between rounds (tests replace it: ``osops.canary.loop.wait``)."""
    time.sleep(seconds)


class Stopped(BaseException):
    """A signal came while the canary waited."""


class Canary:
    """Call *round_(number)* -> {cloud: Report} every *every* seconds;
    *after_round(number, reports)* sees each round's reports."""

    def __init__(self, round_: Callable[[int], Mapping[str, Report]], every: float, *, jitter: bool = False,
                 rounds: int | None = None, after_round: Callable[[int, Mapping[str, Report]], None] | None = None,
                 notify: Callable[[str], None] | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] | None = None, rand: Callable[[], float] = random.random) -> None:
        self.round = round_
        self.every = every
        self.jitter = jitter
        self.rounds = rounds
        self.after_round = after_round or (lambda number, reports: None)
        self.notify = notify or (lambda line: None)
        self.clock = clock
        self._sleep = sleep or wait
        self.rand = rand
        self.stopped_by = ""
        self._waiting = False

    def run(self) -> int:
        """Run until a signal (exit 130/143) or *rounds* rounds (exit
        status of the last: 1 when a run failed)."""
        code = 0
        with _Handlers(self._signal):
            number = 0
            while not self.stopped_by:
                began = self.clock()
                number += 1
                reports = self.round(number)
                self.after_round(number, reports)
                code = max((r.exit_code for r in reports.values()), default=0)
                stopped = next((r.interrupted for r in reports.values() if r.interrupted in SIGNAL_EXIT), "")
                self.stopped_by = self.stopped_by or stopped or getattr(self.round, "signalled", "")
                if self.stopped_by or (self.rounds and number >= self.rounds):
                    break
                self._wait(self.delay(began))
        return SIGNAL_EXIT.get(self.stopped_by, code)

    def delay(self, began: float) -> float:
        """Seconds until the next round."""
        extra = self.rand() * self.every * JITTER if self.jitter else 0.0
        return max(0.0, began + self.every - self.clock()) + extra

    def _wait(self, seconds):
        self._waiting = True
        try:
            if not self.stopped_by:
                self._sleep(seconds)
        except Stopped:
            pass
        finally:
            self._waiting = False

    def _signal(self, signum, frame):
        name = "SIGINT" if signum == signal.SIGINT else "SIGTERM"
        first = not self.stopped_by
        self.stopped_by = self.stopped_by or name
        if self._waiting:
            raise Stopped(name)
        if first:
            self.notify(f"{name}: stopping after the runs in progress (their cleanup included)")


class _Handlers:
    """SIGINT and SIGTERM to *handler* while in the block (main thread only)."""

    def __init__(self, handler):
        self.handler = handler
        self.enabled = threading.current_thread() is threading.main_thread()
        self.old = {}

    def __enter__(self):
        if self.enabled:
            for signum in (signal.SIGINT, signal.SIGTERM):
                self.old[signum] = signal.signal(signum, self.handler)
        return self

    def __exit__(self, *exc):
        for signum, old in self.old.items():
            signal.signal(signum, old)
        return False
