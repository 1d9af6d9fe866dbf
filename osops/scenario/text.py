"""The report as text: a live line per finished step, then devstack's
shapes — exercise.sh's summary block and stack.sh's "Component Timing"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tabulate import tabulate

from osops.scenario.results import FAIL, PASS, SKIP

RULE = "=" * 69
TIMING_RULE = "=" * 25
WORDS = {PASS: "PASS", SKIP: "SKIP", FAIL: "FAILED"}
MAX_REASON = 160

if TYPE_CHECKING:
    from osops.scenario.results import Report, StepResult
    from osops.scenario.schema import Scenario


def live_lines(result: StepResult, width: int = 16) -> list[str]:
    """``PASS boot              4.1 s  osops-1a2b3c4d-smoke ACTIVE ...``,
    then the step's output indented; a narration line as it is."""
    if result.is_narration:
        return [f"== {printable(result.detail)}"] if result.ran else []
    head = f"{result.status} {result.name:<{width}} {result.duration:5.1f} s"
    lines = [f"{head}  {printable(result.detail)}".rstrip()]
    lines += [f"    {printable(line)}" for line in result.output]
    return lines


def printable(text: str) -> str:
    """*text* with control characters (from the cloud's messages) escaped."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def summary(report: Report) -> list[str]:
    """exercise.sh's block: SKIP lines, then PASS, then FAILED."""
    lines = [RULE]
    for status in (SKIP, PASS, FAIL):
        for r in report.counted:
            if r.status == status:
                reason = f" ({_short(r.detail)})" if status != PASS and r.detail else ""
                lines.append(f"{WORDS[status]} {r.name}{reason}")
    lines.append(RULE)
    return lines


def timing(report: Report) -> list[str]:
    """A table in the shape of stack.sh's "DevStack Component Timing": the
    steps that ran, a rule, the time no step accounts for, a rule, the
    total."""
    rows = [(r.name, r.duration) for r in report.counted if r.ran]
    unaccounted = max(report.duration - sum(d for _name, d in rows), 0.0)
    rows += [("Unaccounted time", unaccounted), ("Total runtime", report.duration)]
    table = tabulate([(name, f"{d:.1f}") for name, d in rows], tablefmt="plain", disable_numparse=True,
                     colalign=("left", "right")).splitlines()
    return ([TIMING_RULE, f"osops {report.name} Step Timing", " (times are in seconds)", TIMING_RULE]
            + table[:-2] + ["-" * len(TIMING_RULE), table[-2], TIMING_RULE, table[-1]])


def footer(report: Report) -> list[str]:
    """The run's totals, then what it left behind and how to remove that."""
    totals = report.totals()
    lines = [f"{report.name} run {report.run_id}: {totals[PASS]} PASS, {totals[SKIP]} SKIP, "
             f"{totals[FAIL]} FAILED" + (f" ({report.interrupted})" if report.interrupted else "")]
    if report.left:
        what = "kept" if report.kept else "left behind"
        lines.append(f"{what}: {printable(', '.join(report.left))}")
        lines.append(f"remove with: {report.cleanup_command}")
    return lines


def render(report: Report) -> list[str]:
    """The whole report after the run, as lines."""
    return summary(report) + [""] + timing(report) + [""] + footer(report)


def width_for(scenario: Scenario) -> int:
    """The width of the step name column of *scenario*'s live lines."""
    return max([len(s.name) for s in scenario.steps] + [len("cleanup")])


def _short(text: str) -> str:
    text = printable(" ".join(text.split()))
    return text if len(text) <= MAX_REASON else text[:MAX_REASON - 3] + "..."
