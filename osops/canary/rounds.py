"""One round of the canary: the scenario on each cloud, concurrently.

Each run gets its own connection (a cloud that went down fails that
run, as a ``connect`` step, and the canary goes on), is kept in the
history under its cloud's name, and is counted in the metrics.  What a
run's cleanup left behind is deleted again before that cloud's next run
(never piled up); what still cannot be deleted is reported each round.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from osops.errors import OsopsError, UsageError
from osops.explain import explain
from osops.history.record import from_report
from osops.scenario.engine import Engine
from osops.scenario.results import FAIL, Report, StepResult

if TYPE_CHECKING:
    from openstack.connection import Connection

    from osops.canary.metrics import Metrics
    from osops.history.store import Store
    from osops.scenario.schema import Scenario

ENV_CLOUD = "envvars"  # the name of the cloud '' (the OS_* variables), as openstacksdk calls it
RETRY_TIMEOUT = 300  # seconds the deletion of an earlier run's leftovers may take


def retry_cleanup(conn: Connection, run_id: str) -> int:
    """Delete what run *run_id* left (its tagged servers, its security
    group); how many of them are still there (0: all gone)."""
    from osops import security_groups
    from osops.scenario import cleanup

    servers = cleanup.tagged(conn, run_id)
    if servers:
        cleanup.remove(conn, servers, True, RETRY_TIMEOUT)
    groups = cleanup.groups(conn, run_id)
    if groups:
        security_groups.delete_groups(conn, groups)
    return len(cleanup.tagged(conn, run_id)) + len(cleanup.groups(conn, run_id))


def failed_report(scenario: Scenario, run_id: str, reason: str) -> Report:
    """The report of a run that could not start: one failed ``connect`` step."""
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    return Report(name=scenario.name, run_id=run_id, description=scenario.description, source=scenario.path,
                  steps=[StepResult("connect", "connect", FAIL, detail=reason)], started=now)


class Rounds:
    """Runs *scenario* on *clouds* (names), one round per call.

    *connect(name)* makes a connection; *run_id(conn)* the run id of a
    run (None: a random one); *history()* opens the history Store (or
    returns None); *metrics* (or None) counts runs; *notify* gets
    one-line notes; *engine_options* go to each
    :class:`~osops.scenario.engine.Engine` (``on_result`` may take the
    cloud name first: ``on_result(cloud, result)``).
    """

    def __init__(self, scenario: Scenario, clouds: Iterable[str], connect: Callable[[str], Connection], *,
                 run_id: Callable[[Connection], str | None] | None = None,
                 history: Callable[[], Store | None] | None = None, metrics: Metrics | None = None,
                 notify: Callable[[str], None] | None = None,
                 on_result: Callable[[str, StepResult], None] | None = None,
                 engine: Callable[..., Engine] = Engine, tidy: Callable[[Connection, str], int] = retry_cleanup,
                 **engine_options: Any) -> None:
        self.scenario = scenario
        self.clouds = list(clouds)
        self.connect = connect
        self.run_id = run_id or (lambda conn: None)
        self.history = history or (lambda: None)
        self.metrics = metrics
        self.notify = notify or (lambda line: None)
        self.on_result = on_result or (lambda cloud, result: None)
        self.engine = engine
        self.tidy = tidy
        self.engine_options = engine_options
        self.signalled = ""  # SIGINT/SIGTERM that a run's engine caught (one cloud: the engine handles them)
        # run ids whose leftovers are to be deleted
        self.pending: dict[str, list[str]] = {cloud: [] for cloud in self.clouds}
        self._lock = threading.Lock()

    def __call__(self, number: int = 0) -> dict[str, Report]:
        """Run one round: {cloud: Report}, in the order of *clouds*."""
        if len(self.clouds) == 1:  # in this thread: the engine's own SIGINT/SIGTERM handling undoes the run
            return {self.clouds[0]: self.run_one(self.clouds[0], handle_signals=True)}
        with ThreadPoolExecutor(max_workers=len(self.clouds), thread_name_prefix="osops-canary") as pool:
            futures = {cloud: pool.submit(self.run_one, cloud, False) for cloud in self.clouds}
            return {cloud: future.result() for cloud, future in futures.items()}

    def run_one(self, cloud: str, handle_signals: bool = False) -> Report:
        """One run on *cloud*: leftovers first, then the scenario; stored and counted."""
        conn = None
        try:
            conn = self.connect(cloud)
            self._tidy(cloud, conn)
            engine = self.engine(conn, self.scenario, run_id=self.run_id(conn), handle_signals=handle_signals,
                                 notify=lambda line: self.notify(f"{cloud}: {line}"),
                                 on_result=lambda result: self.on_result(cloud, result), **self.engine_options)
            report = engine.run()
            self.signalled = self.signalled or getattr(engine, "signalled", "")
        except UsageError:  # bad input (a cloud clouds.yaml lacks ...): no round would do better
            raise
        except OsopsError as exc:
            report = failed_report(self.scenario, "-", str(exc))
            self.on_result(cloud, report.steps[0])
        except Exception as exc:  # the cloud's own errors: one line, and the canary goes on
            report = failed_report(self.scenario, "-", str(explain(exc)))
            self.on_result(cloud, report.steps[0])
        if report.left and not report.kept:
            self.pending[cloud].append(report.run_id)
        self._keep(cloud, conn, report)
        return report

    def _tidy(self, cloud, conn):
        left = 0
        for run_id in list(self.pending[cloud]):
            try:
                still = self.tidy(conn, run_id)
            except Exception as exc:
                still = 1
                self.notify(f"{cloud}: cleanup of run {run_id} failed again: {explain(exc)}; retrying next round")
            if still:
                left += still
                if still and run_id in self.pending[cloud]:
                    self.notify(f"{cloud}: run {run_id} still leaves {still} resource(s); retrying next round "
                                f"(or: osops cleanup --run {run_id})")
            else:
                self.pending[cloud].remove(run_id)
                self.notify(f"{cloud}: deleted what run {run_id} had left behind")
        if self.metrics is not None:
            with self._lock:
                self.metrics.set_left(cloud or ENV_CLOUD, left)

    def _keep(self, cloud, conn, report):
        """Into the history and the metrics; a history that fails is a note."""
        record = from_report(report, conn, cloud or ENV_CLOUD)
        try:
            store = self.history()
            if store is not None:
                with store:
                    report.history_id = store.add(record)
        except OsopsError as exc:
            report.history_error = str(exc)
            self.notify(f"{cloud}: history: {exc}")
        if self.metrics is not None:
            with self._lock:
                self.metrics.observe(record.cloud, record)
