"""Run a scenario's steps against a cloud, then always clean up.

::

    from osops.scenario import load_file, Engine
    scenario = load_file("lab.yaml", {"count": "3"})
    report = Engine(conn, scenario, on_result=print).run()
    report.exit_code          # 0 when nothing failed

Each step ends PASS, FAIL or SKIP with a duration, a detail line and what
it created.  A step whose saved input is missing (its step failed or was
skipped) is skipped with that reason; ``on_failure: stop`` skips the rest.
Whatever happens — success, failure, the time limit, SIGINT, SIGTERM —
servers this run booted are deleted afterwards, unless ``keep``.  Actions
see the run through a :class:`~osops.scenario.context.StepContext`.  With
``history=`` (an :class:`osops.history.store.Store`) the finished run is
kept there too.
"""

from __future__ import annotations

import datetime
import secrets
import shutil
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from osops import floating_ips, keypairs, security_groups
from osops.cloud import error_context
from osops.errors import OsopsError, UsageError
from osops.explain import explain
from osops.scenario import cleanup
from osops.scenario.cleanup import check_run_id
from osops.scenario.context import Created, StepContext
from osops.scenario.kinds import COUNT, fill
from osops.scenario.results import FAIL, NOTHING, PASS, SKIP, Outcome, Report, SkipStep, StepResult
from osops.scenario.schema import suggest
from osops.scenario.signals import Guard, Stop
from osops.scenario.steps import check_expect
from osops.servers import OnChange

if TYPE_CHECKING:
    from openstack.connection import Connection

    from osops.history.store import Store
    from osops.scenario.reach import Pinger
    from osops.scenario.schema import Scenario, Step

DEFAULT_TIMEOUT = 900  # the whole run
CLEANUP_TIMEOUT = 300
GRACE = 10  # the alarm backstop fires this long after the limit


def new_run_id() -> str:
    """A short random id: 8 hex digits."""
    return secrets.token_hex(4)


def select(scenario: Scenario, only: Iterable[str] = (), skip: Iterable[str] = ()) -> dict[str, str]:
    """Step name -> why it is left out ('' when it runs) for --only/--skip.

    --only keeps the steps named and the steps whose saved results they
    read; --skip leaves the named steps out.
    """
    names = [s.name for s in scenario.steps]
    for name in list(only) + list(skip):
        if name not in names:
            raise UsageError(f"no step {name!r} in {scenario.name}{suggest(name, names)}; "
                             f"steps: {', '.join(names)}")
    reasons = {name: "" for name in names}
    if only:
        wanted = set(only)
        saved_by = scenario.saved_by
        for step in reversed(scenario.steps):
            if step.name in wanted:
                wanted.update(saved_by[n].name for n in step.needs if n in saved_by)
        for name in names:
            if name not in wanted:
                reasons[name] = "not selected (--only)"
    for name in skip:
        reasons[name] = "left out (--skip)"
    return reasons


class Engine:
    """One run of *scenario* on *conn*; :meth:`run` runs it.

    *run_id* names the run (default: 8 random hex digits); *keep* leaves
    its servers (``delete`` steps skip, cleanup deletes nothing); *only*
    and *skip* select steps by name (see :func:`select`); *timeout* is
    the whole run's limit and *cleanup_timeout* the cleanup's, in
    seconds.  *pinger* pings for ``ping`` steps (default
    :class:`~osops.scenario.reach.HostPinger`).  *on_result(result)*
    hears each finished :class:`StepResult` (cleanup last), *notify(line)*
    one-line notes, *on_change* each server status change a wait sees
    (see :data:`osops.servers.OnChange`).  *handle_signals*: SIGINT,
    SIGTERM and the time limit stop the run cleanly (main thread only).
    *clock* and *sleep* are the run's time (tests pass their own);
    *history* a :class:`~osops.history.store.Store` each run is added to.
    """

    TAG = cleanup.TAG

    def __init__(self, conn: Connection, scenario: Scenario, *, run_id: str | None = None, keep: bool = False,
                 only: Iterable[str] = (), skip: Iterable[str] = (), timeout: float = DEFAULT_TIMEOUT,
                 cleanup_timeout: float = CLEANUP_TIMEOUT, pinger: Pinger | None = None,
                 on_result: Callable[[StepResult], None] | None = None,
                 notify: Callable[[str], None] | None = None, on_change: OnChange | None = None,
                 handle_signals: bool = True, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, history: Store | None = None) -> None:
        self.conn = conn
        self.scenario = scenario
        self.run_id = check_run_id(run_id) if run_id else new_run_id()
        self.keep = keep
        self.selection = select(scenario, only, skip)
        self.timeout = timeout
        self.cleanup_timeout = cleanup_timeout
        self._pinger = pinger
        self.on_result = on_result or (lambda result: None)
        self.notify = notify or (lambda line: None)
        self.on_change = on_change
        self.handle_signals = handle_signals
        self.clock = clock
        self._sleep = sleep
        self.saved: dict[str, Any] = {}
        self.results: dict[str, StepResult] = {}
        self.created = Created()
        self.ctx: StepContext | None = None  # the StepContext, made when the run starts
        self._current: tuple[Step, float] | None = None  # (step, when it began) while a step runs
        self.stopped_by: Step | None = None
        self.history = history  # an osops.history Store: each run is added to it as it ends
        self.signalled = ""  # SIGINT or SIGTERM when one came during the run (also after its steps)

    # -- running ------------------------------------------------------------

    def run(self) -> Report:
        """Run every step, then clean up; return the :class:`Report`."""
        report = Report(name=self.scenario.name, run_id=self.run_id, description=self.scenario.description,
                        source=self.scenario.path,
                        started=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))
        start = self.clock()
        self.ctx = StepContext(self.conn, self.run_id, self.created, start + self.timeout, keep=self.keep,
                               pinger=self._pinger, on_change=self.on_change, clock=self.clock, sleep=self._sleep)
        error = None
        with Guard(self.notify, self.handle_signals) as guard:
            try:
                self._run_steps(report, guard)
            except Stop as stop:
                report.interrupted = stop.why
                self._stopped(report, stop)
            except Exception as exc:  # a bug, or a closed output stream: clean up, then raise it
                error = exc
            report.cleanup = self._cleanup(report, guard)
            try:
                self.on_result(report.cleanup)
            except Exception:
                if error is None:
                    raise
        self.signalled = guard.signalled
        report.duration = self.clock() - start
        self._keep_in_history(report)
        if error is not None:
            raise error
        return report

    def _keep_in_history(self, report):
        """Add the finished run to the history, if there is one; a failure
        to is a note and ``report.history_error``, never a lost report."""
        if self.history is None:
            return
        try:
            report.history_id = self.history.add_report(report, self.conn)
        except OsopsError as exc:
            report.history_error = str(exc)
            self.notify(f"history: {exc}")

    def _run_steps(self, report, guard):
        """The steps in order, under the run's alarm; ``_current`` is the
        step running and when it began.  A Ctrl-C is a :class:`Stop`."""
        try:
            guard.alarm(self.timeout + GRACE, self.timeout)
            for step in self.scenario.steps:
                self._current = (step, self.clock())
                self._record(report, self._run_step(step))
            self._current = None
        except KeyboardInterrupt:  # signal handling off, or a Ctrl-C before the guard was up
            raise Stop("SIGINT", "interrupted by SIGINT") from None
        finally:
            guard.steps_done()  # from here on a signal is counted, never raised, outside deleting

    def _stopped(self, report, stop):
        """Results for the step a stop cut short and the steps never reached."""
        done = {r.name for r in report.steps}
        current, began = self._current or (None, 0.0)
        results = []
        if current is not None and current.name not in done:
            results.append(self._result(current, FAIL, self.clock() - began, stop.message))
        results += [self._result(step, SKIP, 0.0, f"not run: {stop.message}", ran=False)
                    for step in self.scenario.steps if step.name not in done and step is not current]
        for result in results:
            try:
                self._record(report, result)
            except Exception:  # keep going: cleanup matters more than a line of output
                pass

    def _record(self, report, result):
        report.steps.append(result)
        self.results[result.name] = result
        self.on_result(result)

    def _result(self, step, status, duration, detail, outcome=None, ran=True):
        return StepResult(name=step.name, action=step.action, status=status, duration=duration,
                          detail=detail, line=step.line, narration=step.spec.narration, ran=ran,
                          resources=list(outcome.resources) if outcome else [],
                          output=list(outcome.output) if outcome else [])

    def _run_step(self, step):
        began = self.clock()
        if self.selection.get(step.name):
            return self._result(step, SKIP, 0.0, self.selection[step.name], ran=False)
        if self.stopped_by is not None:
            return self._result(step, SKIP, 0.0, f"not run: step {self.stopped_by.name} FAILED "
                                                 "(on_failure: stop)", ran=False)
        for name in step.needs:
            if name not in self.saved:
                producer = self.scenario.saved_by[name]
                result = self.results.get(producer.name)
                how = {FAIL: "FAILED", SKIP: "was skipped"}.get(result.status if result else "", "did not run")
                return self._result(step, SKIP, 0.0, f"needs {name} from step {producer.name}, which {how}",
                                    ran=False)
        ctx = self.ctx
        assert ctx is not None, "a step runs only inside run()"
        if ctx.remaining() <= 0:
            raise Stop("timeout", f"the run's time limit ({self.timeout:g} s) ran out")
        try:
            args = self._fill(step)
            outcome = step.spec.run(ctx, args, step)
            if outcome.status == PASS:
                problem = check_expect(step, outcome)
                if problem:
                    outcome.status, outcome.detail = FAIL, problem
        except SkipStep as exc:
            outcome = Outcome(SKIP, str(exc))
        except OsopsError as exc:
            outcome = Outcome(FAIL, str(exc))
        except Exception as exc:  # the cloud's errors (and our bugs), as one line
            outcome = Outcome(FAIL, str(explain(exc, **self._context())))
        if outcome.status == PASS and step.save and outcome.value is not NOTHING:
            self.saved[step.save] = outcome.value
        if outcome.status == FAIL and step.on_failure == "stop":
            self.stopped_by = step
        return self._result(step, outcome.status, self.clock() - began, outcome.detail, outcome)

    def _fill(self, step):
        """The step's arguments (and count): those that read a saved result
        filled in (variables too, in one pass) and converted; the others
        as validation left them."""
        def lookup(root):
            return self.saved[root] if root in self.saved else self.scenario.vars[root]

        args = dict(step.args)
        if step.spec.count:
            args["count"] = step.count
        for name in step.later:
            arg = COUNT if name == "count" else step.spec.args[name]
            try:
                args[name] = fill(args[name], lookup, arg)
            except ValueError as exc:
                raise UsageError(f"{self.scenario.path}:{step.line}: {step.action} {name}: {exc}") from None
        return args

    def _context(self):
        try:
            return error_context(self.conn)
        except Exception:
            return {}

    # -- cleanup ------------------------------------------------------------

    def _alive(self):
        return self.created.alive()

    def _add_tagged(self, todo):
        """Add the servers tagged with this run's id to *todo* (id -> server);
        False, and a note, when they cannot be listed."""
        try:
            tagged = cleanup.tagged(self.conn, self.run_id)
        except Exception as exc:  # still delete what we know of
            self.notify(f"cleanup: cannot list servers ({explain(exc, **self._context())}); "
                        "deleting the ones this run knows of")
            return False
        for s in tagged:
            if s.id not in self.created.gone:
                todo.setdefault(s.id, s)
        return True

    def _cleanup(self, report, guard):
        began = self.clock()

        def result(status, detail):
            return StepResult(name="cleanup", action="cleanup", status=status,
                              duration=self.clock() - began, detail=detail)

        if self.keep:
            alive = self._alive()
            report.kept = True
            report.left = [f"{s.name} ({s.id})" for s in alive] + self._others()
            if not report.left:
                return result(SKIP, "--keep: nothing to keep")
            return result(SKIP, f"--keep: kept {', '.join(report.left)}")
        if not self.created.attempted:
            return result(SKIP, "nothing was created")
        todo = {s.id: s for s in self._alive()}
        listed, problem, deleted = False, "", []
        try:
            if not guard.begin_cleanup(self.cleanup_timeout + GRACE, self.cleanup_timeout):
                problem = "stopped before cleanup began"
            else:
                listed = self._add_tagged(todo)
                released = self._release_floating_ips()
                if todo:
                    cleanup.remove(self.conn, list(todo.values()), True, self.cleanup_timeout,
                                   on_gone=self.created.gone.add, on_change=self.on_change)
                deleted = released + self._delete_rules() + self._delete_groups() + self._delete_keypairs()
        except Stop as stop:
            problem = stop.message
        except KeyboardInterrupt:
            problem = "cleanup interrupted by SIGINT"
        except Exception as exc:
            problem = str(explain(exc, **self._context()))
        finally:
            guard.end_cleanup()
        left = [s for sid, s in todo.items() if sid not in self.created.gone]
        report.left = [f"{s.name} ({s.id})" for s in left] + self._others()
        if problem and not left and not listed:  # what else this run created is not known
            report.left = [f"servers tagged {self.TAG}={self.run_id}"] + self._others()
        if not report.left:
            deleted = [s.name for s in todo.values()] + deleted
            return result(PASS, f"deleted {', '.join(deleted)}" if deleted else "nothing left behind")
        return result(FAIL, f"{problem}; left {', '.join(report.left)}")

    def _delete_groups(self):
        """Delete the run's security groups: those it knows of, and any of
        its name (made by a create call whose answer was lost); what was
        deleted, as words for the report."""
        known = {g.id: g for g in self.created.groups}
        for g in security_groups.find_groups(self.conn, cleanup.group_name(self.run_id)):
            known.setdefault(g.id, g)
        self.created.groups = list(known.values())
        security_groups.delete_groups(self.conn, self.created.groups)
        deleted, self.created.groups = [f"security group {g.name}" for g in self.created.groups], []
        return deleted

    def _delete_rules(self):
        """Remove the rules this run added to groups; words for the report."""
        for rule_id in self.created.rules:
            self.conn.network.delete_security_group_rule(rule_id, ignore_missing=True)
        deleted, self.created.rules = [f"security group rule {r}" for r in self.created.rules], []
        return deleted

    def _delete_keypairs(self):
        """Delete the run's keypairs (those it knows of, and with a create
        asked for, any of its own a list finds) and their private keys."""
        if not self.created.keypairs_attempted:
            return []
        known = {k.name: k for k in self.created.keypairs}
        for k in cleanup.keypairs(self.conn, self.run_id):
            known.setdefault(k.name, k)
        self.created.keypairs = list(known.values())
        keypairs.remove_keypairs(self.conn, self.created.keypairs)
        if self.created.key_dir:
            shutil.rmtree(self.created.key_dir, ignore_errors=True)
            self.created.key_dir = None
        deleted, self.created.keypairs = [f"keypair {k.name}" for k in self.created.keypairs], []
        return deleted

    def _others(self):
        """What the run made besides servers and has not deleted, in words."""
        made = self.created
        return ([f"security group rule {r}" for r in made.rules]
                + [f"security group {g.name} ({g.id})" for g in made.groups]
                + [f"floating IP {f.address} ({f.id})" for f in made.floating_ips]
                + [f"keypair {k.name}" for k in made.keypairs]
                + ([f"private keys in {made.key_dir}"] if made.key_dir else []))

    def _release_floating_ips(self):
        """Release the run's floating IPs, when it asked for any: those it
        knows of, and any described as its own (an allocation whose answer
        was lost); what was released, as words for the report."""
        if not self.created.floating_ips_asked:
            return []
        known = {f.id: f for f in self.created.floating_ips}
        for f in cleanup.floating_ips(self.conn, run_id=self.run_id, asked=True):
            known.setdefault(f.id, f)
        self.created.floating_ips = list(known.values())
        floating_ips.delete_floating_ips(self.conn, self.created.floating_ips)
        released, self.created.floating_ips = [f"floating IP {f.address}" for f in known.values()], []
        return released

