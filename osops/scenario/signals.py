"""Ctrl-C, SIGTERM and the run's time limit, turned into a clean stop.

While steps run, the first SIGINT or SIGTERM (or the time limit, through
SIGALRM) raises :class:`Stop` in the main thread so the engine can stop
the step it is in and clean up.  Between the steps and cleanup a signal
is only counted (a second one means: do not start cleaning up).  While
servers are being deleted, one signal is only acknowledged; the second
one stops the cleanup too, and the engine says what is left and how to
remove it.  Once cleanup has returned, signals are only counted: the
report still gets printed.  Stop is raised only in the steps and in
the deleting, where the engine catches it.  Outside the main thread no
handler can be installed, and the guard does nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any, Literal

NAMES: dict[int, str] = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}
# steps -> stopping (steps over, cleanup not begun) -> cleanup (deleting) -> done
STEPS, STOPPING, CLEANUP, DONE = "steps", "stopping", "cleanup", "done"


class Stop(BaseException):
    """The run is being stopped: *why* is ``SIGINT``, ``SIGTERM`` or ``timeout``.

    A BaseException, so that the ``except Exception`` around a step does
    not swallow it.
    """

    def __init__(self, why: str, message: str = "") -> None:
        super().__init__(message or why)
        self.why = why
        self.message = message or why


class Guard:
    """Signal handling for one run (a context manager)."""

    def __init__(self, notify: Callable[[str], None] | None = None, enabled: bool = True) -> None:
        self.notify = notify or (lambda line: None)
        self.enabled = enabled and threading.current_thread() is threading.main_thread()
        self.phase = STEPS
        self.signals = 0
        self.abandon = False  # a second signal came before cleanup began
        self.signalled = ""  # the last SIGINT or SIGTERM that came, whenever it came
        self.limit = 0.0
        self._old: dict[int, Any] = {}

    def __enter__(self) -> Guard:
        if self.enabled:
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
                self._old[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        if self.enabled:
            signal.setitimer(signal.ITIMER_REAL, 0)
            for signum, old in self._old.items():
                signal.signal(signum, old)
        return False

    def alarm(self, seconds: float, limit: float | None = None) -> None:
        """Raise Stop("timeout") after *seconds* (0 cancels)."""
        self.limit = limit if limit is not None else seconds
        if self.enabled:
            signal.setitimer(signal.ITIMER_REAL, max(seconds, 0))

    def steps_done(self) -> None:
        """The steps are over: cancel their time limit; signals are counted from now on."""
        self.alarm(0)
        if self.phase == STEPS:
            self.phase = STOPPING

    def begin_cleanup(self, seconds: float, limit: float) -> bool:
        """Start deleting, with a time limit; False when a second signal
        already asked to leave things behind."""
        self.phase = CLEANUP
        if self.abandon:
            return False
        self.alarm(seconds, limit)
        return True

    def end_cleanup(self) -> None:
        """Cleanup returned: cancel its time limit; signals are only counted."""
        self.phase = DONE
        self.alarm(0)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGALRM:
            if self.phase == STEPS:
                self.phase = STOPPING
                raise Stop("timeout", f"the run's time limit ({self.limit:g} s) ran out")
            if self.phase == CLEANUP:
                raise Stop("timeout", f"cleanup did not finish in {self.limit:g} s")
            return
        name = NAMES.get(signum, f"signal {signum}")
        self.signals += 1
        self.signalled = name
        if self.phase == STEPS:
            self.phase = STOPPING
            self.notify(f"{name}: stopping; cleaning up what this run created "
                        "(Ctrl-C again to stop the cleanup and leave it behind)")
            raise Stop(name, f"interrupted by {name}")
        if self.phase == STOPPING:
            if self.signals >= 2:
                self.abandon = True
            return
        if self.phase == CLEANUP and not self.abandon:
            if self.signals >= 2:
                raise Stop(name, f"cleanup interrupted by {name}")
            self.notify(f"{name}: cleanup is running (Ctrl-C again to stop it and leave the rest behind)")
