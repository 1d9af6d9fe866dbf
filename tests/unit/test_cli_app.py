"""The application shell: help, version, command table."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import osops
from osops.cli.app import COMMANDS, Commands, main
from osops.cli.usage import UnknownCommand


def run(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse and cliff's help exit; None means 0
        code = exc.code or 0
    return code, capsys.readouterr()


def test_no_arguments_print_the_help_listing_every_command(clean_env, capsys):
    code, out = run([], capsys)
    assert code == 0
    for name in ("image list", "flavor list", "server list", "boot", "suspend", "resume", "delete"):
        assert f"\n  {name} " in out.out


def test_version(clean_env, capsys):
    code, out = run(["--version"], capsys)
    assert code == 0 and f"osops {osops.__version__}" in out.out + out.err


def test_every_command_in_the_table_loads_and_has_a_description(clean_env):
    from osops.cli.app import LazyCommand

    for name, target in COMMANDS.items():
        cls = LazyCommand(name, target).load()
        assert (cls.__doc__ or "").strip(), name


def test_every_command_has_the_osops_base_and_every_table_says_its_columns(clean_env):
    # One-line usage errors and the -c check come from OsopsCommand: no command may go without
    # it, and it must come before cliff's classes (whose get_parser and run it extends).
    import argparse

    from cliff.command import Command
    from cliff.display import DisplayCommandBase

    from osops.cli.app import LazyCommand, OsopsApp
    from osops.cli.base import OsopsCommand

    for name, target in COMMANDS.items():
        cls = LazyCommand(name, target).load()
        assert OsopsCommand in cls.__mro__ and cls.__mro__.index(OsopsCommand) < cls.__mro__.index(Command), name
        if issubclass(cls, DisplayCommandBase):
            cmd = cls(OsopsApp(), None)
            defaults = argparse.Namespace(**{a.dest: a.default for a in cmd.get_parser(f"osops {name}")._actions})
            assert cmd.columns_for(defaults), name


@pytest.mark.parametrize("short,long", [("boot", "server create"), ("suspend", "server suspend"),
                                        ("resume", "server resume"), ("delete", "server delete")])
def test_short_forms_are_the_same_commands(short, long):
    assert COMMANDS[short] == COMMANDS[long]


@pytest.mark.parametrize(("argv", "line"), [
    (["bogus"], "osops: 'bogus' is not a command (see: osops --help)"),
    (["imgae", "list"], "osops: 'imgae list' is not a command; did you mean 'image list'? (see: osops --help)"),
    (["server", "lst", "--all-projects"],
     "osops: 'server lst' is not a command; did you mean 'server list'? (see: osops --help)"),
    (["s"], "osops: 's' is not a command; did you mean 'suspend' or 'ssh' or 'smoke'? (see: osops --help)"),
    (["help", "imgae", "list"],
     "osops: 'imgae list' is not a command; did you mean 'image list'? (see: osops --help)"),
    (["bogus", "--help"], "osops: 'bogus' is not a command (see: osops --help)"),
    (["--bogus", "image", "list"], "osops: unknown option --bogus (see: osops --help)"),
    (["server"], "osops server: needs a command: list, show, create, suspend, resume, delete"),
    (["--debug"], "osops: needs a command (see: osops --help)"),
    (["server", "list", "--name", "("], "osops server list: argument --name: not a regular expression: '(' "
     "(missing ), unterminated subpattern at position 0) (see: osops help server list)"),
    (["-v", "--os-cloud", "demo"], "osops: needs a command (see: osops --help)"),
    (["scenario", "--debug"], "osops scenario: needs a command: run, validate, list"),
    (["floating"], "osops floating: needs a command: ip list, ip add, ip remove, ip delete"),
    (["floating", "ip"], "osops floating ip: needs a command: list, add, remove, delete"),
    (["--os-cloud"], "osops: argument --os-cloud: expected one argument (see: osops --help)"),
    (["boot", "--count", "x", "--flavor", "1", "--image", "c"],
     "osops boot: argument --count: must be a whole number of 1 or more, not 'x' (see: osops help boot)"),
    (["boot"], "osops boot: the following arguments are required: --flavor, --image (see: osops help boot)"),
    (["server", "show"],
     "osops server show: the following arguments are required: SERVER (see: osops help server show)"),
    (["image", "list", "--bogus"], "osops image list: unrecognized arguments: --bogus (see: osops help image list)"),
    (["image", "list", "-f", "xml"], "osops image list: argument -f/--format: invalid choice: 'xml' "
     "(choose from 'csv', 'json', 'table', 'value', 'yaml') (see: osops help image list)"),
])
def test_usage_errors_are_one_line_on_stderr_and_exit_2(clean_env, capsys, argv, line):
    code, out = run(argv, capsys)
    assert (code, out.out, out.err) == (2, "", line + "\n")


@given(st.lists(st.text(max_size=12), max_size=4))
def test_any_words_find_a_command_or_a_one_line_usage_error(argv):
    try:
        factory, _name, _rest = Commands(COMMANDS).find_command(argv)
    except UnknownCommand as exc:
        assert exc.exit_code == 2
        assert len(str(exc).splitlines()) == 1 and str(exc).startswith("osops")
    else:
        assert factory.__module__.startswith("osops.cli.")


def test_help_of_a_group_still_lists_its_commands(clean_env, capsys):
    code, out = run(["help", "server"], capsys)
    assert code == 0 and "  server list\n" in out.out and out.err == ""
