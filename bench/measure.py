"""Measuring one row: warm-up, one counted run per tool through the proxy,
then timed runs alternating between the tools (and the floor)."""

import dataclasses
import statistics
import uuid

from bench import cloudtime, floor, servers
from bench.proxy import server_polls
from bench.rows import Row
from bench.tools import Step


@dataclasses.dataclass
class Context:
    """What a row's measurement needs besides its tools: the proxy, the
    floor's process (a :class:`~bench.tools.Tool`), the bench's API client
    and Nova's logs (for boot rows), and where progress goes."""

    proxy: object
    floor: object
    api: object
    logs: object
    log: object = print


@dataclasses.dataclass
class Result:
    """A row's numbers: per tool its timed runs and counted calls; the
    floor's times (list and local rows: its own runs; boot rows: the
    cloud's own time of every timed run); per tool the phases of its
    timed runs (boot rows)."""

    row: Row
    runs: dict
    calls: dict
    floor: list
    floor_calls: int | None
    phases: dict
    counted: dict = dataclasses.field(default_factory=dict)

    def median(self, tool):
        return statistics.median(r.wall for r in self.runs[tool])

    def floor_median(self):
        return statistics.median(self.floor)

    def over_floor(self, tool):
        """The tool's median time over the floor: for boot rows, over the
        cloud's own time of the same run."""
        if self.row.kind == "boot":
            pairs = zip(self.runs[tool], self.phases[tool], strict=True)
            return statistics.median(r.wall - cloudtime.total(p) for r, p in pairs)
        return self.median(tool) - self.floor_median()

    def polls(self, tool, phase):
        """(list calls, single-server GETs) of the tool's counted run during its *phase* step."""
        spans = [(start, end) for name, start, end in self.counted[tool].steps if name == phase]
        return server_polls([c for c in self.calls[tool] if any(s <= c.at <= e for s, e in spans)])

    def late(self, tool, phase):
        """The tool's median delay after the cloud's last event of *phase*."""
        return cloudtime.median_late(self.phases[tool], phase)

    def rss_mib(self, tool):
        return max(r.rss_kib for r in self.runs[tool]) / 1024


def measure(row, tools, runs, ctx):
    """A :class:`Result` for *row*, run *runs* times per tool."""
    stem = f"bench-{uuid.uuid4().hex[:6]}"
    result = Result(row, {t.name: [] for t in tools}, {}, [], None, {t.name: [] for t in tools})
    try:
        # Per tool: one untimed warm-up run (it leaves osops's token cache
        # filled, as any earlier command would, and the OS page cache warm;
        # for a boot row, a server list), then one counted run through the proxy.
        for tool in tools:
            if row.kind == "boot":  # a list does the warm-up's work without a boot
                tool.run([Step(["server", "list"])])
            else:
                _run(row, tool, f"{stem}-{tool.name}-w", ctx)
            ctx.proxy.take()
            result.counted[tool.name] = _run(row, tool, f"{stem}-{tool.name}-c", ctx, proxy=ctx.proxy)
            result.calls[tool.name] = ctx.proxy.take()
        floor_steps = None
        if row.kind == "list":
            floor_steps = floor.list_steps(result.calls["osops"])
            result.floor_calls = len(floor.replayed(result.calls["osops"]))
        elif row.kind == "local":
            floor_steps, result.floor_calls = floor.empty_steps(), 0
        if floor_steps:
            ctx.floor.run(floor_steps)  # its warm-up
        for i in range(runs):
            order = tools if i % 2 == 0 else tools[::-1]
            for tool in order:
                run, phases = _run(row, tool, f"{stem}-{tool.name}-{i}", ctx, timed=True)
                result.runs[tool.name].append(run)
                if row.kind == "boot":
                    result.phases[tool.name].append(phases)
                    result.floor.append(cloudtime.total(phases))
                shown = f" (cloud {cloudtime.total(phases):.2f} s)" if row.kind == "boot" else ""
                ctx.log(f"  {row.key:<16} {tool.name:<5} run {i + 1}/{runs}: {run.wall:.3f} s{shown}")
            if floor_steps:
                run = ctx.floor.run(floor_steps)
                result.floor.append(run.wall)
                ctx.log(f"  {row.key:<16} floor run {i + 1}/{runs}: {run.wall:.3f} s")
    finally:
        if row.kind == "boot":  # a run that failed or was interrupted leaves its servers
            try:
                servers.remove(ctx.api, servers.prefix_query(stem + "-"))
            except (SystemExit, Exception) as exc:  # the error that ended the row stays the one shown
                ctx.log(f"bench: could not remove the {stem}-... servers: {exc}")
    return result


def _run(row, tool, name, ctx, proxy=None, timed=False):
    """One run of *row* by *tool* with the stem *name*, with its untimed
    before and after; timed boot runs also return their phases."""
    if row.before:
        row.before(name)
    mark = ctx.logs.mark() if row.kind == "boot" else None
    try:
        run = tool.run(getattr(row, tool.name)(name), proxy=proxy)
        phases = cloudtime.phases(ctx.api, ctx.logs, mark, name, run.steps) if timed and row.kind == "boot" else []
        if any(p.took < 0 for p in phases):  # a log line misread (as novalog.requests once did): the events say which
            ctx.log(f"bench: a negative cloud time for {name}: {cloudtime.events(ctx.api, ctx.logs, mark, name)}")
    finally:
        if row.after:
            row.after(name)
    return (run, phases) if timed else run
