"""The one name rule every command uses to turn a name or id into a resource.

In order: exact id, exact name, case-insensitive unique prefix, then
case-insensitive unique substring.  The first rule that matches anything
decides: one match wins, several are an :class:`~osops.errors.Ambiguous`
error that lists them all.  No match names the closest names.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

from osops.errors import Ambiguous, NotFound, UsageError, printable


class Named(Protocol):
    """What the rule resolves: anything with an ``id`` and a ``name``."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=Named)

RULES: tuple[tuple[str, Callable[[str, Any], bool]], ...] = (
    ("id", lambda q, item: item.id == q),
    ("name", lambda q, item: item.name == q),
    ("prefix", lambda q, item: (item.name or "").casefold().startswith(q.casefold())),
    ("substring", lambda q, item: q.casefold() in (item.name or "").casefold()),
)


def resolve(kind: str, query: str, items: Iterable[T], hint: str = "") -> T:
    """Return the one item of *items* (with ``.id`` and ``.name``) that *query* names.

    *kind* ("image", "flavor" ...) and *hint* (why some resources were left
    out, e.g. "kernel and ramdisk images are not bootable") go into the
    error messages.
    """
    if not isinstance(query, str) or not query.strip():
        raise UsageError(f"an empty {kind} name was given", f"name a {kind} by name or id")
    items = list(items)
    for _rule, matches in RULES:
        found = [item for item in items if matches(query, item)]
        if len(found) == 1:
            return found[0]
        if found:
            raise Ambiguous(*_ambiguous(kind, query, found))
    raise NotFound(_not_found(kind, query, items, hint))


def resolve_many(kind: str, queries: Sequence[str], items: Iterable[T], hint: str = "") -> list[T]:
    """Resolve each of *queries* against the same *items* (one list call)."""
    items = list(items)
    return [resolve(kind, q, items, hint) for q in queries]


def _ambiguous(kind: str, query: str, found: Sequence[Named]) -> tuple[str, str]:
    listed = ", ".join(f"{printable(item.name)} ({printable(item.id)})" for item in found)
    return f"{kind} {query!r} is ambiguous: it matches {listed}", "give more of the name or the id"


def _not_found(kind: str, query: str, items: Sequence[Named], hint: str) -> str:
    names = [printable(item.name) for item in items if item.name]
    close = difflib.get_close_matches(query, names, n=3, cutoff=0.4)
    if close:
        tail = f"; closest: {', '.join(close)}"
    elif names:
        tail = f"; there are: {', '.join(sorted(names)[:8])}" + (" ..." if len(names) > 8 else "")
    else:
        tail = f"; there are no {kind}s"
    note = f" ({hint})" if hint else ""
    return f"no {kind} {query!r}{note}{tail}"
