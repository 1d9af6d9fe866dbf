"""What a step and a run end with: plain objects, and their JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from osops.models import Server

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"
NOTHING = object()  # an action that gives nothing to save


class SkipStep(Exception):
    """Raised by an action that cannot run here; the message is the reason."""


@dataclass
class Outcome:
    """What an action returns: a status (PASS unless it says otherwise), a
    detail line, the value ``save:`` keeps, the servers ``expect:``
    checks, lines to show under the step, and what it created."""

    status: str = PASS
    detail: str = ""
    value: object = NOTHING
    servers: list[Server] | None = None
    output: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)


@dataclass
class StepResult:
    """One finished step."""

    name: str
    action: str
    status: str
    duration: float = 0.0
    detail: str = ""
    resources: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    line: int = 0
    narration: bool = False  # from a ``say`` step
    ran: bool = True  # False: left out, or its input was missing; no timing

    @property
    def is_narration(self) -> bool:
        """A ``say`` line that did not FAIL: shown as it is, left out of the
        summary, the totals and JUnit.  A failed one is a failed step."""
        return self.narration and self.status != FAIL

    @property
    def reason(self) -> str:
        """Why the step was skipped or failed ('' when it passed)."""
        return self.detail if self.status != PASS else ""

    def to_dict(self) -> dict[str, Any]:
        """The step as the JSON report gives it."""
        return {"name": self.name, "action": self.action, "status": self.status,
                "duration": round(self.duration, 3), "detail": self.detail,
                "reason": self.reason, "resources": list(self.resources),
                "output": list(self.output), "line": self.line, "ran": self.ran}


@dataclass
class Report:
    """A whole run: its steps, then cleanup, and what was left behind."""

    name: str
    run_id: str
    description: str = ""
    source: str = ""
    steps: list[StepResult] = field(default_factory=list)
    cleanup: StepResult | None = None
    left: list[str] = field(default_factory=list)  # "name (id)" of servers still there
    kept: bool = False
    interrupted: str = ""  # "SIGINT", "SIGTERM" or "timeout"
    started: str = ""
    duration: float = 0.0
    history_id: int = 0  # its number in the run history, once stored
    history_error: str = ""  # why it could not be stored

    @property
    def results(self) -> list[StepResult]:
        """Every step result, cleanup last."""
        return self.steps + ([self.cleanup] if self.cleanup else [])

    @property
    def counted(self) -> list[StepResult]:
        """Results that count: everything but narration."""
        return [r for r in self.results if not r.is_narration]

    @property
    def failed(self) -> bool:
        """True when a step (or the cleanup) failed."""
        return any(r.status == FAIL for r in self.results)

    @property
    def status(self) -> str:
        """FAIL when a step failed, else PASS."""
        return FAIL if self.failed else PASS

    @property
    def cleanup_command(self) -> str:
        """The command that removes what this run left, or ''."""
        return f"osops cleanup --run {self.run_id}" if self.left else ""

    @property
    def exit_code(self) -> int:
        """130 after SIGINT, 143 after SIGTERM, 1 when a step failed, else 0."""
        if self.interrupted in SIGNAL_EXIT:
            return SIGNAL_EXIT[self.interrupted]
        return 1 if self.failed else 0

    def totals(self) -> dict[str, int]:
        """How many counted results PASSed, FAILed and were SKIPped."""
        counts = {PASS: 0, FAIL: 0, SKIP: 0}
        for r in self.counted:
            counts[r.status] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """The run as the JSON report gives it."""
        return {"name": self.name, "description": self.description, "source": self.source,
                "run_id": self.run_id, "status": self.status, "started": self.started,
                "duration": round(self.duration, 3), "interrupted": self.interrupted or None,
                "totals": self.totals(),
                "steps": [r.to_dict() for r in self.steps],
                "cleanup": self.cleanup.to_dict() if self.cleanup else None,
                "kept": self.kept, "left": list(self.left),
                "cleanup_command": self.cleanup_command or None}


SIGNAL_EXIT = {"SIGINT": 130, "SIGTERM": 143}
