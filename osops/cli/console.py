"""osops console log|url."""

from cliff.command import Command
from cliff.show import ShowOne

from osops.cli.base import CloudCommand
from osops.cli.types import whole


class ConsoleLog(CloudCommand, Command):
    """Print a server's console log (--follow: then what it adds, until Ctrl-C)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("server", metavar="SERVER", help="name or id")
        parser.add_argument("--lines", type=whole(1), metavar="N", help="only the last N lines")
        parser.add_argument("--follow", action="store_true",
                            help="keep printing what the console adds, as tail -f does, until Ctrl-C")
        return parser

    def take_action(self, parsed_args):
        from osops import console

        a = parsed_args
        chunks = (console.follow_log(self.cloud, a.server, a.lines) if a.follow
                  else [console.console_log(self.cloud, a.server, a.lines)])
        out = self.app.stdout
        for chunk in chunks:
            out.write(chunk)
            out.flush()
        return 0


class ConsoleURL(CloudCommand, ShowOne):
    """Show a URL to a server's console, where the cloud runs a console proxy."""

    columns = ("type", "url")

    def get_parser(self, prog_name):
        from osops.console import CONSOLE_TYPES

        parser = super().get_parser(prog_name)
        parser.add_argument("server", metavar="SERVER", help="name or id")
        parser.add_argument("--type", choices=tuple(CONSOLE_TYPES), default="novnc", help="default: novnc")
        return parser

    def take_action(self, parsed_args):
        from osops.console import console_url

        return self.columns, (parsed_args.type, console_url(self.cloud, parsed_args.server, parsed_args.type))
