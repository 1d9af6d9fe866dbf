"""``osops history report --html FILE``: one self-contained HTML file.

Sections: the runs at a glance, a pass/fail timeline per cloud, each
step's duration over time with its median and 95th percentile, the
slowest runs and the failing runs with their reasons.  The plots are
SVG drawn by matplotlib (the ``osops[report]`` extra) and inlined:
the file needs no network, no script and no other file to be viewed.
"""

from __future__ import annotations

import datetime
import html
import io
import math
import os
import re
import statistics
import tempfile
from collections.abc import Iterable, Sequence

from osops.errors import OsopsError, UsageError
from osops.history import durations
from osops.history.models import FAIL, PASS, RunRecord

DEFAULT_SINCE = 7 * 86400
INSTALL = "pip install 'osops[report]'"
COLOURS = {PASS: "#2e7d32", FAIL: "#c62828", "STOPPED": "#9e9e9e"}
TOP = 10  # rows in the slowest and failing runs


def check_extra() -> None:
    """A :class:`UsageError` naming the extra when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError("osops history report draws its plots with matplotlib, which is not installed",
                         f"install the report extra: {INSTALL}") from None


def percentile(values: Iterable[float], pct: float) -> float:
    """The *pct* percentile of *values* (nearest rank)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def step_stats(runs: Iterable[RunRecord]) -> dict[str, tuple[int, float, float, float]]:
    """{step: (count, median, p95, max)} over the steps that ran (PASS or FAIL)."""
    times: dict[str, list[float]] = {}
    for run in runs:
        for s in run.steps:
            if s.status != "SKIP":
                times.setdefault(s.name, []).append(s.duration)
    return {name: (len(v), statistics.median(v), percentile(v, 95), max(v)) for name, v in times.items()}


def write(runs: Sequence[RunRecord], path: str, cloud: str | None = None, since: float = DEFAULT_SINCE) -> str:
    """Write the report of *runs* (with their steps) to *path* atomically;
    a line saying what it holds.  *cloud* and *since* (seconds) are what
    the runs were chosen by, for the title and the messages."""
    if not runs:
        where = f" on cloud {cloud}" if cloud else ""
        raise OsopsError(f"no runs in the history{where} in the last {durations.shown(since)}",
                         "run osops smoke first, or widen --since")
    page = render(runs, cloud, since)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".osops-report-", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(page)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        raise OsopsError(f"cannot write the report {path}: {exc.strerror or exc}",
                         "check its directory exists and can be written") from None
    clouds = sorted({r.cloud for r in runs})
    return f"{len(runs)} run(s) of {', '.join(clouds)}"


def render(runs: Sequence[RunRecord], cloud: str | None = None, since: float = DEFAULT_SINCE) -> str:
    """The HTML page of *runs* (chosen by *cloud* and *since*, as for :func:`write`)."""
    clouds = sorted({r.cloud for r in runs})
    stats = step_stats(runs)
    failing = [r for r in runs if r.verdict != PASS]
    slowest = sorted(runs, key=lambda r: r.duration, reverse=True)[:TOP]
    title = "osops run history" + (f": {cloud}" if cloud else "")
    first, last = runs[0].started_iso, runs[-1].started_iso
    passed = sum(r.verdict == PASS for r in runs)
    e = html.escape
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{e(title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p class="summary">{len(runs)} runs on {len(clouds)} cloud(s) ({e(", ".join(clouds))}) from {first} '
        f"to {last} (last {durations.shown(since)}): {passed} passed, {len(runs) - passed} did not.</p>",
        '<section id="timeline"><h2>Pass/fail timeline</h2>', _timeline(runs, clouds), "</section>",
        '<section id="durations"><h2>Step durations</h2>',
        _table(["Step", "Runs", "Median (s)", "95th percentile (s)", "Slowest (s)"],
               [[name, n, f"{med:.2f}", f"{p95:.2f}", f"{top:.2f}"] for name, (n, med, p95, top) in stats.items()]),
        *(_duration_plot(name, runs, clouds, stats[name]) for name in stats),
        "</section>",
        '<section id="slowest"><h2>Slowest runs</h2>',
        _table(["Started", "Cloud", "Run", "Verdict", "Duration (s)", "Slowest step"],
               [[r.started_iso, r.cloud, r.run_id, r.verdict, f"{r.duration:.1f}", _slowest_step(r)] for r in slowest]),
        "</section>",
        '<section id="failing"><h2>Failing runs</h2>',
        _table(["Started", "Cloud", "Run", "Verdict", "Reasons"],
               [[r.started_iso, r.cloud, r.run_id, r.verdict, "; ".join(r.failures) or r.interrupted]
                for r in failing[-TOP * 5:]]) if failing else "<p>No failing runs.</p>",
        "</section>",
        f'<footer>Written by osops at {_now()}.</footer>', "</body></html>"]
    return "\n".join(parts) + "\n"


STYLE = ("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}th{background:#eee}"
         "figure{margin:1em 0}figcaption{font-weight:bold}svg{max-width:100%;height:auto}")


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _table(headers, rows):
    e = html.escape
    head = "".join(f"<th>{e(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _slowest_step(run):
    ran = [s for s in run.steps if s.status != "SKIP"]
    if not ran:
        return "-"
    s = max(ran, key=lambda s: s.duration)
    return f"{s.name} ({s.duration:.1f} s)"


def _when(run):
    return datetime.datetime.fromtimestamp(run.started, datetime.timezone.utc)


def _figure(height):
    from matplotlib.figure import Figure

    return Figure(figsize=(9, height), layout="constrained")


def _svg(fig, label, prefix):
    """*fig* as an inline <svg> element (no XML prolog, no links, no
    metadata), its ids made unique in the page with *prefix*."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "osops"}):
        fig.savefig(buffer, format="svg", metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    for ident in set(re.findall(r'\bid="([^"]+)"', svg)):
        svg = re.sub(rf'(id="|#){re.escape(ident)}(?=[")])', rf"\g<1>{prefix}-{ident}", svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(label)}" ', 1)


def _timeline(runs, clouds):
    fig = _figure(1 + 0.5 * len(clouds))
    ax = fig.add_subplot()
    for verdict, colour in COLOURS.items():
        mine = [r for r in runs if r.verdict == verdict]
        if mine:
            ax.scatter([_when(r) for r in mine], [clouds.index(r.cloud) for r in mine], c=colour, marker="s",
                       s=40, label=verdict, gid=f"runs-{verdict.lower()}")
    ax.set_yticks(range(len(clouds)), clouds)
    ax.set_ylim(-0.5, len(clouds) - 0.5)
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
    ax.set_xlabel("run start (UTC)")
    fig.autofmt_xdate()
    return f'<figure class="plot" id="plot-timeline">{_svg(fig, "pass/fail timeline", "timeline")}' \
           f"<figcaption>Each run, by cloud: green passed, red failed, grey stopped</figcaption></figure>"


def _duration_plot(name, runs, clouds, stats):
    _n, med, p95, _top = stats
    fig = _figure(2.6)
    ax = fig.add_subplot()
    for cloud in clouds:
        points = [(_when(r), s.duration, s.status) for r in runs if r.cloud == cloud
                  for s in r.steps if s.name == name and s.status != "SKIP"]
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", markersize=3, label=cloud)
            failed = [p for p in points if p[2] == FAIL]
            if failed:
                ax.scatter([p[0] for p in failed], [p[1] for p in failed], c=COLOURS[FAIL], marker="x", zorder=3)
    ax.axhline(med, color="#555", linestyle="--", linewidth=1, label=f"median {med:.2f} s")
    ax.axhline(p95, color="#e65100", linestyle=":", linewidth=1, label=f"p95 {p95:.2f} s")
    ax.set_ylabel("seconds")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), fontsize="small")
    fig.autofmt_xdate()
    slug = re.sub(r"[^a-z0-9-]", "-", name.lower())
    return (f'<figure class="plot" id="plot-step-{html.escape(slug)}">{_svg(fig, f"duration of {name}", slug)}'
            f"<figcaption>{html.escape(name)}: median {med:.2f} s, 95th percentile {p95:.2f} s</figcaption></figure>")
