"""What a scenario is: a mapping::

    name: lab-demo
    description: what it shows
    vars: {image: cirros, count: 3}
    steps:
      - say: "Booting {{ count }} servers"
      - boot: {name: lab, image: "{{ image }}", flavor: m1.tiny}
        count: "{{ count }}"
        save: lab
        expect: {status: ACTIVE, servers: 3}
        on_failure: stop
      - ping: lab

A step is an action name, or a mapping with one action key (its value:
the arguments, or the one argument a bare value fills) and step keys
(``name``, ``count``, ``expect``, ``save``, ``on_failure``, ``timeout``).
Here: the validated :class:`Scenario` and :class:`Step`, the keys a file
may use, and :class:`ScenarioError`.  Checking a file and turning it into
steps is :mod:`osops.scenario.checker`.
"""

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from osops.errors import UsageError
from osops.scenario.kinds import Action
from osops.scenario.steps import ACTIONS

TOP_KEYS = ("name", "description", "vars", "steps")
STEP_KEYS = ("name", "count", "expect", "save", "on_failure", "timeout")
ON_FAILURE = ("continue", "stop")
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
STEP_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
MAX_STEPS = 500
SCALARS = (str, int, float, bool, type(None))


class ScenarioError(UsageError):
    """Everything wrong with a scenario file, one ``file:line: message`` a line."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class Step:
    """One validated step.  ``args`` (and ``count``) are final: variables
    filled in, converted; except those named in ``later``, which read a
    saved result and are kept as written (a bare saved name made a
    reference), for the engine to fill in when the step runs."""

    name: str
    action: str
    args: dict[str, Any]
    line: int
    count: object = 1
    expect: dict[str, Any] = field(default_factory=dict)
    save: str | None = None
    on_failure: str = "continue"
    timeout: float | None = None
    needs: tuple[str, ...] = ()  # saved results this step reads
    later: tuple[str, ...] = ()  # the arguments (or "count") that read them

    @property
    def spec(self) -> Action:
        """The action's entry in :data:`~osops.scenario.steps.ACTIONS`."""
        return ACTIONS[self.action]


@dataclass
class Scenario:
    """A validated scenario: its steps in order, and the variables it was given."""

    name: str
    description: str
    vars: dict[str, Any]
    steps: list[Step]
    path: str = "<text>"

    @property
    def saved_by(self) -> dict[str, Step]:
        """Saved name -> the step that saves it."""
        return {s.save: s for s in self.steps if s.save}


def parse_vars(pairs: Iterable[str]) -> dict[str, str]:
    """``["k=v", ...]`` from the command line as a dict; UsageError for a bad pair."""
    out = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not IDENT.fullmatch(name):
            raise UsageError(f"--var takes NAME=VALUE, not {pair!r}")
        out[name] = value
    return out


def suggest(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the candidate closest to *word*, or ''."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, [str(c) for c in candidates], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
