"""The tools under test (osops, OSC, the floor's own process): installing
them, and running one "run" of a row with its wall time and peak RSS."""

import dataclasses
import os
import pathlib
import subprocess
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
VENV = HERE / ".venv"
CACHE = HERE / ".cache"
TIMEOUT = 900


@dataclasses.dataclass(frozen=True)
class Step:
    """One command of a run: an argv for the tool, or a callable of the
    bench's own (the SSH loop).  *phase* ("boot" or "delete") says which
    part of the cloud's own time it waits for."""

    argv: object
    phase: str | None = None

    def shown(self, exe):
        return str(self.argv) if callable(self.argv) else f"{exe} {' '.join(self.argv)}"


@dataclasses.dataclass
class Run:
    """One timed run: its wall time, the peak RSS of its processes (KiB),
    and each step's (phase, start, end) in epoch seconds."""

    wall: float
    rss_kib: int
    steps: list


class Failed(SystemExit):
    """A tool's command failed: the row ends, the bench cleans up."""


class Tool:
    """A command line tool: *exe* with *env*; *prefix* goes before each argv
    (the floor's ``python -c CODE``)."""

    def __init__(self, name, exe, env, prefix=()):
        self.name, self.exe, self.env, self.prefix = name, exe, env, list(prefix)

    def run(self, steps, proxy=None, env=None):
        """Run each step in turn; a :class:`Run`."""
        env = {**self.env, **(env or {})}
        if proxy:
            for k in ("no_proxy", "NO_PROXY"):
                env.pop(k, None)
            env.update(http_proxy=proxy.url, HTTP_PROXY=proxy.url)
        total, rss, spans = 0.0, 0, []
        for step in steps:
            start, wall_start = time.perf_counter(), time.time()
            if callable(step.argv):
                step.argv()
            else:
                rss = max(rss, self._process(step.argv, env))
            elapsed = time.perf_counter() - start
            total += elapsed
            spans.append((step.phase, wall_start, wall_start + elapsed))
        return Run(total, rss, spans)

    def _process(self, argv, env):
        """Run one process to its end; its peak RSS (KiB), from wait4."""
        with tempfile.TemporaryFile() as out:
            child = subprocess.Popen([str(self.exe), *self.prefix, *argv], env=env,
                                     stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            timer = threading.Timer(TIMEOUT, child.kill)  # a hung command ends the row
            timer.start()
            try:
                _, status, usage = os.wait4(child.pid, 0)
            finally:
                timer.cancel()
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode != 0:
                out.seek(0)
                tail = out.read().decode(errors="replace")[-2000:]
                raise Failed(f"{self.name} {' '.join(map(str, argv))}: exit {child.returncode}\n{tail}")
        return usage.ru_maxrss
