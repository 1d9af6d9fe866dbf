"""osops history list|show|prune|report: the runs smoke and scenario run kept."""

import argparse

from cliff.command import Command
from cliff.lister import Lister
from cliff.show import ShowOne

from osops.cli import history_options
from osops.cli.base import OsopsCommand

LIST_COLUMNS = ("ID", "Run", "Scenario", "Cloud", "Region", "Started", "Duration", "Verdict", "Failed")
SHOW_FIELDS = ("ID", "Run", "Scenario", "Cloud", "Region", "Started", "Duration", "Verdict", "Interrupted",
               "osops", "Cloud version", "Steps")


def duration(text):
    """An argparse type: a duration (``24h``, ``30d``) in seconds."""
    from osops.history import durations

    try:
        return durations.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class HistoryCommand(OsopsCommand):
    """Base: --history FILE (never --no-history: these commands read it)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        history_options.add_to(parser)
        for action in parser._actions:
            if action.dest == "no_history":
                action.help = argparse.SUPPRESS
        return parser

    def store(self, parsed_args):
        from osops.errors import UsageError

        if parsed_args.no_history:
            raise UsageError(f"{self.prog} reads the history: --no-history makes no sense here; "
                             "leave it out or name the file with --history")
        return history_options.open_for(parsed_args)


def _filters(parser, since_help):
    parser.add_argument("--cloud", metavar="CLOUD", help="only the runs on this cloud")
    parser.add_argument("--since", metavar="DURATION", type=duration, help=since_help)


class ListHistory(HistoryCommand, Lister):
    """List the stored runs, oldest first."""

    columns = LIST_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _filters(parser, "only the runs started in this last while: 30m, 24h, 7d ...")
        parser.add_argument("--failed", action="store_true", help="only the runs that did not pass")
        return parser

    def take_action(self, parsed_args):
        from osops.cli.columns import Shown, listed

        a = parsed_args
        with self.store(a) as store:
            runs = store.runs(cloud=a.cloud, since=a.since, failed=a.failed, steps=True)
        rows = [(r.id, r.run_id, r.scenario, r.cloud, r.region or "-", r.started_iso,
                 Shown(r.duration, f"{r.duration:.1f}"), r.verdict, listed(s.name for s in r.steps
                                                                          if s.status == "FAIL"))
                for r in runs]
        return self.columns, rows


class ShowHistory(HistoryCommand, ShowOne):
    """Show one stored run and each of its steps (by history id or run id)."""

    columns = SHOW_FIELDS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("run", metavar="RUN", help="the run's number in the history (ID), or its run id")
        return parser

    def take_action(self, parsed_args):
        from osops.cli.columns import Shown, or_dash

        with self.store(parsed_args) as store:
            r = store.get(parsed_args.run)
        steps = Shown([{"name": s.name, "action": s.action, "status": s.status, "duration": s.duration,
                        "reason": s.reason} for s in r.steps],
                      "\n".join(f"{s.status} {s.name} {s.duration:.1f} s" + (f"  {s.reason}" if s.reason else "")
                                for s in r.steps))
        return self.columns, (r.id, r.run_id, r.scenario, r.cloud, or_dash(r.region), r.started_iso,
                              Shown(r.duration, f"{r.duration:.1f}"), r.verdict, or_dash(r.interrupted),
                              r.osops_version, or_dash(r.cloud_version), steps)


class PruneHistory(HistoryCommand, Command):
    """Delete the stored runs older than a duration."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--older-than", metavar="DURATION", type=duration, required=True,
                            help="delete the runs started longer ago than this: 30d, 12h, 2w ...")
        return parser

    def take_action(self, parsed_args):
        from osops.history import durations

        with self.store(parsed_args) as store:
            gone = store.prune(parsed_args.older_than)
            self.app.stdout.write(f"deleted {gone} run(s) older than {durations.shown(parsed_args.older_than)} "
                                  f"from {store.path}\n")
        return 0


class ReportHistory(HistoryCommand, Command):
    """Write one self-contained HTML file with plots of the stored runs
    (needs the report extra: pip install 'osops[report]')."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _filters(parser, "only the runs started in this last while (default 7d)")
        parser.add_argument("--html", metavar="FILE", required=True, help="the HTML file to write")
        return parser

    def take_action(self, parsed_args):
        from osops.history import report

        a = parsed_args
        report.check_extra()  # before reading anything
        since = a.since if a.since is not None else report.DEFAULT_SINCE
        with self.store(a) as store:
            runs = store.runs(cloud=a.cloud, since=since, steps=True)
        written = report.write(runs, a.html, cloud=a.cloud, since=since)
        self.app.stdout.write(f"wrote {a.html}: {written}\n")
        return 0
