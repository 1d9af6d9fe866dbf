"""osops doctor on a terminal: one line per check, its finding wrapped to
the terminal's width with the fix indented beneath, then a verdict."""

import textwrap

COLOURS = {"OK": "32", "WARN": "33", "FAIL": "31;1", "SKIP": "2"}  # ANSI SGR codes
INDENT = " " * 6


def render(checks, width=80, colour=False, last=None):
    """The report of *checks* (:class:`osops.doctor.core.Check`) as lines
    no wider than *width* (a word longer than that is kept whole), the
    result coloured when *colour*; *last* is the closing line (default:
    the doctor's :func:`verdict`)."""
    width = max(width, 40)
    lines = []
    for c in checks:
        label = f"{c.result:<4}"
        if colour and c.result in COLOURS:
            label = f"\033[{COLOURS[c.result]}m{label}\033[0m"
        body = textwrap.wrap(f"{c.name}: {c.found}" if c.found else c.name, width - len(INDENT),
                             break_long_words=False, break_on_hyphens=False) or [c.name]
        lines.append(f"{label}  {body[0]}")
        lines += [INDENT + line for line in body[1:]]
        if c.fix:
            lines += textwrap.wrap(f"fix: {c.fix}", width, initial_indent=INDENT, subsequent_indent=INDENT + "     ",
                                   break_long_words=False, break_on_hyphens=False)
    lines.append(verdict(checks) if last is None else last)
    return lines


def verdict(checks):
    """One line: how many checks, and how many of each result."""
    counts = {r: sum(c.result == r for c in checks) for r in ("OK", "WARN", "FAIL", "SKIP")}
    told = ", ".join(f"{n} {r}" for r, n in counts.items() if n)
    word = "failed" if counts["FAIL"] else "has warnings" if counts["WARN"] else "passed"
    return f"doctor {word}: {len(checks)} checks, {told}"
