"""osops diagnose SERVER: why a server cannot be pinged or reached by SSH;
one line per check on a terminal, the diagnosis last; else one row per
check, and the diagnosis on stderr when it is not reachable (exit 1)."""

from cliff.lister import Lister

from osops.cli.base import CloudCommand
from osops.errors import OsopsError

COLUMNS = ("Check", "Result", "Found", "Fix")


class NotReachable(OsopsError):
    """A check FAILed (exit status 1); the message names the first and its fix."""


class Diagnose(CloudCommand, Lister):
    """Walk the path to a server (status, port, security groups, floating
    IP and router, this host's namespace and bridge, console log, ping and
    SSH) and say what stops it answering and how to fix it."""

    columns = COLUMNS
    for_people = False  # lines for a terminal instead of the table (-f not given)

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("server", metavar="SERVER", help="server name or id")
        parser.add_argument("--from-netns", metavar="NS",
                            help="reach the server from this network namespace (default: its network's "
                                 "qdhcp-/ovnmeta-/qrouter- namespace here for a fixed address, as osops ping)")
        parser.add_argument("--no-ping", action="store_true", help="send nothing: no ping, no SSH greeting")
        for action in parser._actions:  # -f not given: lines for people on a terminal, else the table
            if action.dest == "formatter":
                action.default = "auto"
                action.help = "the output format (default: one line per check on a terminal, else table)"
        return parser

    def take_action(self, parsed_args):
        from osops import diagnose
        from osops.errors import UsageError
        from osops.host import netns

        ns = parsed_args.from_netns
        if ns is not None and not netns.exists(ns):
            raise UsageError(netns.missing(ns), "name one of 'ip netns list', or leave --from-netns out")
        self.result = diagnose.diagnose(self.cloud, parsed_args.server, from_netns=ns,
                                        ping=not parsed_args.no_ping)
        return self.columns, [c.row() for c in self.result.checks]

    def produce_output(self, parsed_args, column_names, data):
        if not self.for_people:
            return super().produce_output(parsed_args, column_names, data)
        import os
        import shutil
        import textwrap

        from osops.cli.doctor_report import INDENT, render

        colour = not os.environ.get("NO_COLOR")
        width = shutil.get_terminal_size().columns
        last = "\n".join(textwrap.wrap(self.result.summary(), max(width, 40), subsequent_indent=INDENT,
                                       break_long_words=False, break_on_hyphens=False))
        for line in render(self.result.checks, width, colour, last=last):
            self.app.stdout.write(line + "\n")
        return 0

    def run(self, parsed_args):
        if parsed_args.formatter == "auto":
            self.for_people = getattr(self.app.stdout, "isatty", lambda: False)() and not parsed_args.columns
            parsed_args.formatter = "table"
        self.result = None
        code = super().run(parsed_args)
        if self.result is None or self.result.reachable:
            return code
        if self.for_people:
            return 1  # the report's last line said why
        raise NotReachable(self.result.summary())
