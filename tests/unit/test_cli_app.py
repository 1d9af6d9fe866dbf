"""The application shell: help, version, command table."""

import pytest

import osops
from osops.cli.app import COMMANDS, main


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


@pytest.mark.parametrize("short,long", [("boot", "server create"), ("suspend", "server suspend"),
                                        ("resume", "server resume"), ("delete", "server delete")])
def test_short_forms_are_the_same_commands(short, long):
    assert COMMANDS[short] == COMMANDS[long]


def test_unknown_command_exits_2(clean_env, capsys):
    code, out = run(["bogus"], capsys)
    assert code == 2 and "not an osops command" in out.out
