"""The demo cloud answers only the command line it recorded: the same
settings, however the output is shown or waited for."""

import shlex

from osops.cli.base import OsopsCommand
from osops.errors import UsageError

# Options that change how the answer is shown or waited for, or which of the
# recorded steps run, not what the cloud is asked; cliff's output options too.
# --run-id is demo.run_id's to check (it has its own message).
FREE = {"wait", "timeout", "format", "junit", "only", "skip", "run_id"}
# Per command: ping sends nothing on the demo, so how it would ping is free.
FREE_FOR = {"ping": {"count", "interval", "netns", "expect_fail", "address_type"}}


def check(commands, cmd, given, recorded):
    """Raise :class:`UsageError` unless the command line *given* (the words
    after the global options) asks what the *recorded* one asked.

    *commands* is the command manager and *cmd* the command running.  An
    option left out of *given* takes the recorded value (boot's generated
    name is the recorded one); one set to another value is refused, with
    the recorded command line and how to run it.
    """
    _, _, rest = commands.find_command(given)
    factory, _, recorded_rest = commands.find_command(shlex.split(recorded))
    parser = cmd.get_parser(cmd.prog)
    differ = ["the command"] if not isinstance(cmd, factory) else _differences(cmd, parser, rest, recorded_rest)
    if differ:
        raise UsageError(f"the demo cloud recorded only '{recorded}' (yours differs in {', '.join(differ)}); "
                         f"run: osops --os-cloud demo {recorded}")


def _differences(cmd, parser, rest, recorded_rest):
    """The options (or positionals' metavars) that *rest* sets otherwise
    than *recorded_rest*."""
    free = FREE | FREE_FOR.get(cmd.cmd_name, set()) | {
        a.dest for a in super(OsopsCommand, cmd).get_parser(cmd.prog)._actions}
    asked, wanted = vars(parser.parse_args(rest)), vars(parser.parse_args(recorded_rest))
    names = {a.dest: a.option_strings[-1] if a.option_strings else a.metavar or a.dest for a in parser._actions}
    return [names[k] for k, v in asked.items() if k not in free and v is not None and v != wanted.get(k)]
