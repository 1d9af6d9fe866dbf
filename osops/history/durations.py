"""Durations as people type them: ``30s``, ``5m``, ``24h``, ``7d``, ``2w``
and sums of them (``1h30m``); ASCII digits only, whole numbers, no sign,
no spaces.  Anything else is a :class:`ValueError` quoting the text."""

import re

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
PART = re.compile(r"([0-9]{1,9})([smhdw])")
LONGEST = 100 * 365 * 86400  # a century: more is a typo


def parse(text: str) -> int:
    """Seconds in *text* (``"1h30m"`` -> 5400); at least one second."""
    if not isinstance(text, str) or not text or not text.isascii():
        raise ValueError(f"not a duration: {text!r} (say 30s, 5m, 24h, 7d or 2w)")
    pos, total, units = 0, 0, []
    for m in PART.finditer(text):
        if m.start() != pos:
            break
        units.append(m[2])
        total += int(m[1]) * UNITS[m[2]]
        pos = m.end()
    if pos != len(text) or not units:
        raise ValueError(f"not a duration: {text!r} (say 30s, 5m, 24h, 7d or 2w)")
    if len(set(units)) != len(units):
        raise ValueError(f"not a duration: {text!r} (each unit once, as in 1h30m)")
    if total < 1:
        raise ValueError(f"a duration of at least 1s, not {text!r}")
    if total > LONGEST:
        raise ValueError(f"a duration of at most 100 years, not {text!r}")
    return total


def shown(seconds: float) -> str:
    """*seconds* as :func:`parse` reads it back, largest units first (``5400`` -> ``1h30m``)."""
    left, parts = int(seconds), []
    for unit in "wdhms":
        count, left = divmod(left, UNITS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
