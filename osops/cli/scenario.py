"""osops scenario run|validate|list, and what osops smoke shares with them.

Live progress (one line per finished step, narration, waits) goes to
stderr; stdout carries only the report, so ``-f json`` stays parseable.
"""

import json

from cliff.command import Command
from cliff.lister import Lister

from osops.cli import history_options
from osops.cli.base import CloudCommand, OsopsCommand
from osops.cli.types import seconds

FORMATS = ("table", "json")
SCENARIO_COLUMNS = ("Name", "Steps", "Description", "File")
ACTION_COLUMNS = ("Action", "Arguments", "Expect", "Saves", "Description")


def _names(values):
    return [n.strip() for v in values or () for n in v.split(",") if n.strip()]


class RunCommand(CloudCommand, Command):
    """Options and the run-and-report flow that smoke and scenario run share."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("-f", "--format", choices=FORMATS, default="table",
                            help="report on stdout: table (summary and timing) or json (everything)")
        parser.add_argument("--junit", metavar="FILE", help="also write the report as JUnit XML to FILE")
        parser.add_argument("--keep", action="store_true",
                            help="keep the servers (no delete, no cleanup); remove them later with osops cleanup")
        parser.add_argument("--only", metavar="STEP", action="append",
                            help="run only these steps (and the steps they need); repeatable or comma-separated")
        parser.add_argument("--skip", metavar="STEP", action="append",
                            help="leave these steps out; repeatable or comma-separated")
        parser.add_argument("--timeout", type=seconds(1, 86400), default=900,
                            help="give up the run after this many seconds (default 900); cleanup still runs")
        parser.add_argument("--run-id", metavar="ID",
                            help="the run id to name and tag servers with (default: random)")
        history_options.add_to(parser)
        return parser

    def run_scenario(self, scenario, a):
        from osops import demo
        from osops.scenario import engine, junit, text

        only, skip = _names(a.only), _names(a.skip)
        engine.select(scenario, only, skip)  # bad step names fail before connecting
        if a.run_id:
            engine.check_run_id(a.run_id)
        store = history_options.open_for(a)  # an unusable history fails before the cloud is asked
        run_id = demo.run_id(self.cloud, scenario.name, a.run_id)  # the demo replays a recorded run
        width = text.width_for(scenario)
        err = self.app.stderr

        def live(result):
            err.write("\n".join(text.live_lines(result, width)) + "\n")
            err.flush()

        run = engine.Engine(self.cloud, scenario, run_id=run_id, keep=a.keep, only=only, skip=skip,
                            timeout=a.timeout, on_result=live, notify=self.app.warn,
                            on_change=self.progress(heartbeat=False),  # between the live lines
                            history=store)
        err.write(f"{scenario.name}: run {run.run_id} (servers osops-{run.run_id}-..., "
                  f"tagged osops-run={run.run_id})\n")
        try:
            report = run.run()
        finally:
            if store is not None:
                store.close()
        code = report.exit_code or (1 if report.history_error else 0)
        if a.junit:  # first: a closed stdout must not cost CI its file
            try:
                junit.write(report, a.junit)
            except OSError as exc:  # CI reads the file: not having it is a failure
                self.app.warn(f"cannot write the JUnit report {a.junit}: {exc.strerror or exc}")
                code = code or 1
        out = self.app.stdout
        if a.format == "json":
            out.write(json.dumps(report.to_dict(), indent=2) + "\n")
        else:
            out.write("\n".join(text.render(report)) + "\n")
        return code


def _vars_option(parser):
    parser.add_argument("--var", metavar="NAME=VALUE", action="append", default=[],
                        help="set a variable of the scenario (repeatable)")


def _scenario_file(name):
    from osops.errors import UsageError
    from osops.scenario import bundled

    found = bundled.find(name)
    if found is None:
        raise UsageError(f"no scenario file {name} (bundled scenarios: {', '.join(bundled.names())})")
    return found


class RunScenario(RunCommand):
    """Run a YAML scenario (a file, or a bundled one by name); cleanup always runs."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("file", metavar="FILE", help="a scenario file, or the name of a bundled one")
        _vars_option(parser)
        parser.add_argument("--dry-run", action="store_true",
                            help="print the steps with variables filled in; call no API")
        return parser

    def take_action(self, parsed_args):
        from osops.scenario import parse_vars
        from osops.scenario.checker import load_file

        a = parsed_args
        scenario = load_file(_scenario_file(a.file), parse_vars(a.var))
        if a.dry_run:
            return self.dry_run(scenario, a)
        return self.run_scenario(scenario, a)

    def dry_run(self, scenario, a):
        from osops.scenario import engine

        selection = engine.select(scenario, _names(a.only), _names(a.skip))
        steps = [_planned(step, selection[step.name], scenario.vars) for step in scenario.steps]
        out = self.app.stdout
        if a.format == "json":
            out.write(json.dumps({"name": scenario.name, "description": scenario.description,
                                  "source": scenario.path, "vars": scenario.vars, "steps": steps},
                                 indent=2, default=str) + "\n")
            return 0
        width = max(len(s["name"]) for s in steps)
        out.write(f"{scenario.name}: {scenario.description}\n".replace(": \n", "\n"))
        if scenario.vars:
            out.write("vars: " + ", ".join(f"{k}={_shown(v)}" for k, v in scenario.vars.items()) + "\n")
        for n, s in enumerate(steps, 1):
            out.write(f"{n:3}. {s['name']:<{width}}  {_describe(s)}".rstrip() + "\n")
        out.write("dry run: nothing was sent to the cloud\n")
        return 0


def _planned(step, left_out, variables):
    """The step as the dry run shows it: what reads a saved result has
    variables filled in and each saved result shown as <name.field>."""
    from osops.scenario import template

    def shown(name, value):
        return template.placeholders(value, variables) if name in step.later else value

    args = {k: shown(k, v) for k, v in step.args.items() if v not in (None, "", [])}
    if step.action == "boot" and "name" in args:
        args["name"] = f"osops-<run>-{args['name']}"
    plan = {"name": step.name, "action": step.action, "line": step.line, "args": args}
    if step.spec.count:
        plan["count"] = shown("count", step.count)
    for key in ("expect", "save", "timeout"):
        if getattr(step, key):
            plan[key] = getattr(step, key)
    if step.on_failure != "continue":
        plan["on_failure"] = step.on_failure
    if left_out:
        plan["left_out"] = left_out
    return plan


def _shown(value):
    """*value* as YAML would read it (true, not True); quoted when empty or spaced."""
    from osops.scenario import template

    if isinstance(value, list):
        return ",".join(_shown(v) for v in value)
    text = template.text(value)
    return repr(text) if not text or any(c.isspace() for c in text) else text


def _describe(plan):
    head = [] if plan["name"] == plan["action"] else [plan["action"]]
    if plan["action"] == "say":
        return " ".join(head + [repr(plan["args"].get("text", ""))])
    words = head + [f"{k}={_shown(v)}" for k, v in plan["args"].items()]
    if plan.get("count", 1) != 1:
        words.append(f"count={_shown(plan['count'])}")
    parts = [" ".join(words)] if words else []
    if plan.get("save"):
        parts.append(f"save {plan['save']}")
    if plan.get("expect"):
        parts.append("expect " + " ".join(f"{k}={v}" for k, v in plan["expect"].items()))
    if plan.get("on_failure"):
        parts.append(f"on_failure {plan['on_failure']}")
    text = "; ".join(parts)
    if plan.get("left_out"):
        text += f"  [{plan['left_out']}]"
    return text


class ValidateScenario(OsopsCommand, Command):
    """Check scenario files without running them; every problem as file:line."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("files", metavar="FILE", nargs="+", help="scenario files or bundled names")
        _vars_option(parser)
        return parser

    def take_action(self, parsed_args):
        from osops.errors import UsageError
        from osops.scenario import parse_vars
        from osops.scenario.checker import load_file

        overrides = parse_vars(parsed_args.var)
        bad = 0
        for name in parsed_args.files:
            try:
                scenario = load_file(_scenario_file(name), overrides)
            except UsageError as exc:
                bad += 1
                self.app.stderr.write(f"{exc}\n")
                continue
            self.app.stdout.write(f"{scenario.path}: valid: {scenario.name}, {len(scenario.steps)} steps\n")
        return UsageError.exit_code if bad else 0


class ListScenarios(OsopsCommand, Lister):
    """List the bundled scenarios (run one with osops scenario run NAME), or
    with --actions the actions a scenario step can take."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--actions", action="store_true",
                            help="list the actions a step can take: arguments, expect: keys, what save: keeps")
        return parser

    def take_action(self, parsed_args):
        from osops.errors import UsageError
        from osops.scenario import bundled
        from osops.scenario.checker import load_file
        from osops.scenario.steps import ACTIONS, describe

        columns = self.columns_for(parsed_args)
        if parsed_args.actions:
            return columns, [describe(name, action) for name, action in ACTIONS.items()]
        rows = []
        for name in bundled.names():
            path = bundled.path(name)
            try:
                scenario = load_file(path)
                rows.append((name, len(scenario.steps), scenario.description, path))
            except UsageError as exc:
                rows.append((name, "-", f"invalid: {exc}", path))
        return columns, rows

    def columns_for(self, parsed_args):
        """With --actions, the actions' columns."""
        return ACTION_COLUMNS if parsed_args.actions else SCENARIO_COLUMNS
