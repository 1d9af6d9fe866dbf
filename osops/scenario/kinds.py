"""What a step's arguments may be: :class:`Arg` (a kind, bounds, a default),
:class:`Action` (an action's arguments and what it honours), and the
converters that check and convert a filled-in value to its kind
(:func:`coerce`, :func:`fill`).  The actions themselves are in
:mod:`osops.scenario.steps`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from osops import models
from osops.scenario import template

if TYPE_CHECKING:
    from osops.scenario.context import StepContext
    from osops.scenario.results import Outcome
    from osops.scenario.schema import Step

NOVA_STATUSES = ("ACTIVE", "BUILD", "DELETED", "ERROR", "HARD_REBOOT", "MIGRATING", "PASSWORD",
                 "PAUSED", "REBOOT", "REBUILD", "RESCUE", "RESIZE", "REVERT_RESIZE", "SHELVED",
                 "SHELVED_OFFLOADED", "SHUTOFF", "SOFT_DELETED", "SUSPENDED", "UNKNOWN",
                 "VERIFY_RESIZE")
PING_EXPECT = ("pass", "fail")
MAX_COUNT = 50  # servers one boot step may ask for


@dataclass(frozen=True)
class Arg:
    """One argument: its kind (how a value is checked and converted),
    whether it must be given, its default, and bounds for numbers."""

    kind: str
    required: bool = False
    default: object = None
    low: float | None = None
    high: float | None = None
    help: str = ""


@dataclass(frozen=True)
class Action:
    """One action: its function, arguments, the argument a bare value
    fills, the expect: keys it honours, whether it takes count:, the shape
    of the result ``save:`` keeps (:mod:`~osops.scenario.template`; None:
    nothing to save), and a line of help."""

    run: Callable[[StepContext, dict[str, Any], Step], Outcome]
    args: dict[str, Arg] = field(default_factory=dict)
    positional: str | None = None
    expect: tuple[str, ...] = ()
    count: bool = False
    gives: object = None
    narration: bool = False
    help: str = ""

    @property
    def saves(self) -> bool:
        """Whether ``save:`` keeps what this action gives."""
        return self.gives is not None


def coerce(kind: str, value: object, arg: "Arg | None" = None) -> object:
    """*value* converted to what *kind* means; ValueError with a short
    reason when it does not fit."""
    return CONVERT[kind](value, arg or Arg(kind))


def fill(value: object, lookup: Callable[[str], object], arg: "Arg") -> object:
    """*value* with its references filled in through *lookup(root)* (in
    one pass), then converted to what *arg* takes.  ValueError says what
    is wrong."""
    try:
        filled = template.render(value, lookup)
    except template.TemplateError as exc:
        raise ValueError(str(exc)) from None
    return coerce(arg.kind, filled, arg)


def _text(value, arg):
    if isinstance(value, bool) or isinstance(value, (list, dict)) or value is None and arg.required:
        raise ValueError(f"expected text, not {_kind_of(value)}")
    if value is None:
        return ""
    if dataclass_name(value):
        raise ValueError(f"expected text, not {_kind_of(value)}")
    return str(value)


def _int(value, arg):
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, not {_kind_of(value)}")
    _bounds(value, arg)
    return value


def _number(value, arg):
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ValueError(f"expected a number, not {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ValueError(f"expected a number, not {_kind_of(value)}")
    _bounds(value, arg)
    return float(value)


def _bounds(value, arg):
    if arg.low is not None and value < arg.low:
        raise ValueError(f"must be at least {arg.low:g}, not {value}")
    if arg.high is not None and value > arg.high:
        raise ValueError(f"must be at most {arg.high:g}, not {value}")


def _bool(value, arg):
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "false", "no", "off"):
        return value.strip().lower() in ("true", "yes", "on")
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, not {_kind_of(value)}")
    return value


def _resource(model):
    def convert(value, arg):
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if isinstance(value, model):
            return value
        if value is None or value == "":
            if arg.required:
                raise ValueError(f"a {model.__name__.lower()} name or id is needed")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValueError(f"expected a {model.__name__.lower()} name or id, not {_kind_of(value)}")
        return str(value).strip()
    return convert


def _servers(value, arg):
    items: list[models.Server | str] = []

    def add(v):
        if isinstance(v, (list, tuple)):
            for x in v:
                add(x)
        elif isinstance(v, models.Server):
            items.append(v)
        elif isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).strip():
            items.extend(p.strip() for p in str(v).split(",") if p.strip())
        elif v is None or v == "":
            pass
        else:
            raise ValueError(f"expected server names, ids or saved servers, not {_kind_of(v)}")

    add(value)
    if not items and arg.required:
        raise ValueError("no servers given")
    return items


def _server(value, arg):
    found = _servers(value, arg)
    if len(found) != 1:
        raise ValueError(f"expected one server, not {len(found)}")
    return found[0]


def _names(value, arg):
    if isinstance(value, str):
        value = [p.strip() for p in value.split(",") if p.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"expected a list of names, not {_kind_of(value)}")
    return [v.strip() for v in value]


def _status(value, arg):
    if not isinstance(value, str) or value.strip().upper() not in NOVA_STATUSES:
        raise ValueError(f"not a server status: {value!r} (statuses: {', '.join(NOVA_STATUSES)})")
    return value.strip().upper()


def _ping_expect(value, arg):
    if isinstance(value, bool):
        value = "pass" if value else "fail"
    if not isinstance(value, str) or value.strip().lower() not in PING_EXPECT:
        raise ValueError(f"ping is expected to pass or fail, not {value!r}")
    return value.strip().lower()


def _service(value, arg):
    from osops.errors import UsageError
    from osops.security_group_rules import parse_service

    if not isinstance(value, str):
        raise ValueError(f"expected ping, ssh, tcp:PORT[-PORT] or udp:PORT[-PORT], not {_kind_of(value)}")
    try:
        parse_service(value.strip())
    except UsageError as exc:
        raise ValueError(str(exc)) from None
    return value.strip()


def _wait_for(value, arg):
    from osops.readiness import WAIT_FOR

    if value is None or value == "":
        return ""  # the boot's own default: ACTIVE
    if not isinstance(value, str) or value.strip().lower() not in WAIT_FOR:
        raise ValueError(f"wait_for is one of {', '.join(WAIT_FOR)}, not {value!r}")
    return value.strip().lower()


CONVERT = {"text": _text, "int": _int, "number": _number, "bool": _bool,
           "image": _resource(models.Image), "flavor": _resource(models.Flavor),
           "network": _resource(models.Network), "servers": _servers, "server": _server,
           "names": _names, "status": _status, "ping": _ping_expect, "service": _service,
           "wait_for": _wait_for}

COUNT = Arg("int", low=1, high=MAX_COUNT)  # a step's count:
TIMEOUT = Arg("number", low=0.001, high=86400)  # a step's timeout:, in seconds

# What each expect: key is checked as.
EXPECT_KINDS = {"status": Arg("status"), "servers": Arg("int", low=0, high=10000),
                "ping": Arg("ping"),
                "exit": Arg("int", low=0, high=255), "output": Arg("text")}


def dataclass_name(value: object) -> str:
    """The class name of a saved result (a dataclass), else ''."""
    return type(value).__name__ if hasattr(type(value), "__dataclass_fields__") else ""


def _kind_of(value):
    name = dataclass_name(value)
    if name:
        return f"a saved {name.lower()}"
    return {bool: "true/false", list: "a list", dict: "a mapping", type(None): "nothing"}.get(
        type(value), repr(value) if isinstance(value, (str, int, float)) else type(value).__name__)


# -- server actions -----------------------------------------------------------
