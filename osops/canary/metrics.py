"""The canary's metrics, in Prometheus's conventions, with prometheus_client.

=============================================  =========  ==========================================
``osops_smoke_success{cloud}``                 gauge      1 when the last run passed, else 0
``osops_smoke_step_success{cloud,step}``       gauge      1/0 for each step of the last run that ran
``osops_smoke_step_duration_seconds``          histogram  each step's time, by cloud and step
``osops_smoke_runs_total{cloud,verdict}``      counter    runs by verdict (PASS, FAIL, STOPPED)
``osops_smoke_last_success_timestamp_seconds``  gauge      Unix time the last passing run ended
``osops_smoke_left_behind{cloud}``             gauge      what the last cleanup could not delete
=============================================  =========  ==========================================

prometheus_client is imported when a :class:`Metrics` is made, never at
start-up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from osops.errors import OsopsError

if TYPE_CHECKING:
    from osops.history.models import RunRecord

BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600)


class Metrics:
    """The canary's metrics in their own registry."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.clock = clock
        self.registry = CollectorRegistry()
        r = self.registry
        self.success = Gauge("osops_smoke_success", "1 when the last smoke run passed, else 0", ["cloud"],
                             registry=r)
        self.step_success = Gauge("osops_smoke_step_success", "1 when the step passed in the last run, "
                                  "0 when it failed (absent when it did not run)", ["cloud", "step"], registry=r)
        self.step_duration = Histogram("osops_smoke_step_duration_seconds", "Time each smoke step took",
                                       ["cloud", "step"], buckets=BUCKETS, registry=r)
        self.runs = Counter("osops_smoke_runs", "Smoke runs by verdict", ["cloud", "verdict"], registry=r)
        self.last_success = Gauge("osops_smoke_last_success_timestamp_seconds",
                                  "Unix time the last passing smoke run ended", ["cloud"], registry=r)
        self.left = Gauge("osops_smoke_left_behind", "Resources the last cleanup could not delete",
                          ["cloud"], registry=r)
        self._server: Any = None  # the metrics listener, once started

    def observe(self, cloud: str, record: RunRecord) -> None:
        """Count a finished run: an :class:`osops.history.models.RunRecord`."""
        passed = record.verdict == "PASS"
        self.success.labels(cloud).set(1 if passed else 0)
        self.runs.labels(cloud, record.verdict).inc()
        for step in record.steps:
            if step.status == "SKIP":
                try:
                    self.step_success.remove(cloud, step.name)
                except KeyError:
                    pass
                continue
            self.step_success.labels(cloud, step.name).set(1 if step.status == "PASS" else 0)
            self.step_duration.labels(cloud, step.name).observe(step.duration)
        if passed:
            self.last_success.labels(cloud).set(self.clock())

    def set_left(self, cloud: str, count: int) -> None:
        self.left.labels(cloud).set(count)

    def text(self) -> str:
        """The metrics in the exposition format."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry).decode()

    def write_textfile(self, path: str) -> None:
        """Write them to *path* atomically (a temporary file, renamed), as
        node_exporter's textfile collector wants; :class:`OsopsError` when it cannot."""
        from prometheus_client import write_to_textfile

        try:
            write_to_textfile(str(path), self.registry)
        except OSError as exc:
            raise OsopsError(f"cannot write the metrics file {path}: {exc.strerror or exc}",
                             "check its directory exists and can be written") from None

    def listen(self, host: str, port: int) -> int:
        """Serve them at ``http://HOST:PORT/metrics`` (a thread); the port
        (the one chosen when *port* is 0).  :class:`OsopsError` when it is taken."""
        from prometheus_client import start_http_server

        try:
            self._server, _thread = start_http_server(port, addr=host, registry=self.registry)
        except OSError as exc:
            raise OsopsError(f"cannot serve metrics on {host}:{port}: {exc.strerror or exc}",
                             "choose another port with --metrics-listen") from None
        return self._server.server_address[1]

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
