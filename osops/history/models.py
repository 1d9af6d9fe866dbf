"""What the history keeps of a run: plain dataclasses."""

import datetime
from dataclasses import dataclass, field

PASS, FAIL, STOPPED = "PASS", "FAIL", "STOPPED"  # a run's verdict; STOPPED: by SIGINT/SIGTERM


@dataclass(frozen=True)
class StepRecord:
    """One step of a stored run (cleanup included, narration left out)."""

    name: str
    action: str
    status: str  # PASS, FAIL or SKIP
    duration: float
    reason: str = ""


@dataclass(frozen=True)
class RunRecord:
    """One stored run of ``smoke`` or ``scenario run``; *id* is the
    history's own number (0 before it is stored), *started* Unix time."""

    scenario: str
    run_id: str
    cloud: str
    started: float
    duration: float
    verdict: str
    region: str = ""
    interrupted: str = ""
    osops_version: str = ""
    cloud_version: str = ""
    steps: tuple[StepRecord, ...] = field(default_factory=tuple)
    id: int = 0

    @property
    def started_iso(self) -> str:
        """*started* as ISO 8601 in UTC (``2026-12-04T15:38:49Z``)."""
        when = datetime.datetime.fromtimestamp(self.started, datetime.timezone.utc)
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def failures(self) -> list[str]:
        """``step: reason`` of each failed step."""
        return [f"{s.name}: {s.reason}" for s in self.steps if s.status == FAIL]
