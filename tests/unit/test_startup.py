"""Start-up imports: --help, --version and help COMMAND import neither
openstacksdk, keystoneauth nor requests (nor the canary's
prometheus_client or the report's matplotlib);
only commands that use them do, inside take_action.  Each check runs in a fresh interpreter,
so the test process's own imports cannot hide an offender."""

import json
import subprocess
import sys
import textwrap

import pytest

from osops.cli.app import COMMANDS

HEAVY = ("openstack", "keystoneauth1", "requests", "prometheus_client", "matplotlib")

PROBE = textwrap.dedent("""
    import contextlib, io, json, sys
    HEAVY = {heavy!r}

    def heavy():
        return sorted({{m.split(".")[0] for m in sys.modules}} & set(HEAVY))

    blame = {{}}
    def check(what):
        for mod in heavy():
            blame.setdefault(mod, what)

    import cliff.command
    scans = []
    cliff.command.packages_distributions = lambda: scans.append(1) or {{}}

    from osops.cli.app import COMMANDS, LazyCommand, main
    check("osops.cli.app")
    for name, target in {table}:
        LazyCommand(name, target).load()
        check(target)
    for argv in {runs}:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                main(argv)
            except SystemExit:
                pass
        check(" ".join(argv))
    if scans:
        blame["installed distributions scanned"] = len(scans)
    print(json.dumps(blame))
""")


def probe(table=(), runs=()):
    """Which heavy module each step imported first, in a fresh interpreter."""
    code = PROBE.format(heavy=HEAVY, table=list(table), runs=list(runs))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_command_module_imports_light():
    blame = probe(table=COMMANDS.items())
    assert blame == {}, f"imported at module level (move it into take_action): {blame}"


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["-h"], []])
def test_help_and_version_stay_light(argv):
    assert probe(runs=[argv]) == {}


def test_help_of_every_command_stays_light():
    # ... and scans no installed distributions (cliff would, for its epilog)
    runs = [["help", *name.split()] for name in COMMANDS] + [[*name.split(), "--help"] for name in COMMANDS]
    assert probe(runs=runs) == {}


def test_cache_clear_stays_light(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert probe(runs=[["cache", "clear"]]) == {}


def test_the_probe_catches_an_offender():
    blame = probe(runs=[["--help"]], table=[("x", "openstack.connection:Connection")])
    assert blame.pop("prometheus_client", None) in (None, "openstack.connection:Connection")  # if installed
    assert blame == {"openstack": "openstack.connection:Connection",
                     "keystoneauth1": "openstack.connection:Connection",
                     "requests": "openstack.connection:Connection"}
