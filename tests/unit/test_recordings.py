"""osops/recordings.py declares every cassette once: the committed files,
the command lines they were recorded with, and what tools/record-cassettes
records agree with it."""

import contextlib
import importlib.util
import pathlib
import re
from importlib.machinery import SourceFileLoader
from types import SimpleNamespace

import pytest

from osops import recordings
from osops.testing import cassette as fmt

ROOT = pathlib.Path(__file__).resolve().parents[2]


def recorded_command(path):
    """The command line a cassette file says it recorded."""
    return fmt.load(path)["command"]


def as_recorded(argv):
    """*argv* as a cassette keeps it: without the global --os-* options
    (and their values); the bridge and printed placeholders as patterns."""
    words, rest = [], list(argv)
    while rest:
        word = rest.pop(0)
        if word.startswith("--os-"):
            rest.pop(0)
        else:
            words.append({recordings.BRIDGE: r"brq[0-9a-f-]{11}",
                          recordings.PRINTED: r"\S+"}.get(word, re.escape(word)))
    return " ".join(words)


def test_every_tests_cassette_file_is_declared_and_every_declaration_has_its_file():
    files = {p.stem for p in recordings.TESTS_DIR.glob("*.json")}
    assert files == {r.name for r in recordings.for_tests()}


def test_every_demo_cassette_file_is_declared_and_every_declaration_has_its_file():
    files = {p.stem for p in recordings.DEMO_DIR.glob("*.json")}
    assert files == {r.name for r in recordings.for_demo()}


@pytest.mark.parametrize("rec", recordings.for_tests(), ids=lambda r: r.name)
def test_a_tests_cassette_was_recorded_with_its_declared_command_line(rec):
    assert re.fullmatch(as_recorded(rec.argv), recorded_command(recordings.cassette_path(rec.name)))


@pytest.mark.parametrize("rec", recordings.for_demo(), ids=lambda r: r.name)
def test_a_demo_cassette_was_recorded_with_its_declared_command_line(rec):
    assert re.fullmatch(as_recorded(rec.demo_argv), recorded_command(recordings.demo_path(rec.name)))


@pytest.mark.parametrize("rec", recordings.for_demo(), ids=lambda r: r.name)
def test_a_demo_recording_is_named_after_its_command_or_its_scenario(rec):
    # osops.demo lists what it has by these names
    words = ["scenario", "run", rec.demo_argv[2]] if rec.demo_argv[:2] == ("scenario", "run") else rec.name.split("-")
    if words[:2] == ["scenario", "run"]:
        assert rec.name == words[2]
    assert list(rec.demo_argv[:len(words)]) == words


def test_names_are_unique_and_stages_known():
    names = [r.name for r in recordings.RECORDINGS]
    assert len(names) == len(set(names))
    assert {r.stage for r in recordings.RECORDINGS} <= set(recordings.STAGES)


def test_an_undeclared_cassette_is_refused_by_name():
    with pytest.raises(KeyError, match="no tests' cassette 'no-such-session' is declared in osops/recordings.py"):
        recordings.cassette_path("no-such-session")
    assert recordings.demo_path("boot-count") is None  # the tests' only


def record_cassettes():
    """tools/record-cassettes as a module (it is a script without .py)."""
    loader = SourceFileLoader("record_cassettes", str(ROOT / "tools" / "record-cassettes"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def test_record_cassettes_records_every_declaration_in_order(monkeypatch, tmp_path):
    """A dry run of the tool: its osops command lines, in order, with no cloud."""
    tool = record_cassettes()
    ran = []
    monkeypatch.setattr(tool, "cli", lambda argv, env, record=None, expected=0, wrap=(): ran.append(
        (env, record and record.relative_to(tmp_path).as_posix(), " ".join(argv), expected, bool(wrap))))

    @contextlib.contextmanager
    def host_setup(conn, env):
        yield "hostrec", SimpleNamespace(id="ab73f8ee-07cc-4f1e-9d3b-5a1d1f7f3c2e"), SimpleNamespace(id="r1")

    monkeypatch.setattr(tool, "host_setup", host_setup)
    monkeypatch.setattr(tool, "hidden", lambda conn, names: contextlib.nullcontext())
    monkeypatch.setattr(tool, "networking", lambda: "light")  # whichever cloud this machine runs
    conn = SimpleNamespace(compute=SimpleNamespace(create_server_interface=lambda server, net_id: None))
    tool.record_all(conn, "cloud", "legacy", tmp_path / "tests", tmp_path / "demo")

    expected = []
    for rec in recordings.for_tests():
        env = "legacy" if rec.stage == recordings.LEGACY else "cloud"
        argv = " ".join({recordings.BRIDGE: "brqab73f8ee-07", recordings.PRINTED: ""}.get(a, a) for a in rec.argv)
        expected += [("cloud", None, " ".join(step), 0, False) for step in rec.before]
        expected.append((env, f"tests/{rec.name}.json", argv, rec.exit, rec.stage == recordings.ROUTER_VIEW))
        expected += [("cloud", None, " ".join(step), 0, False) for step in rec.after]
    expected += [("cloud", f"demo/{rec.name}.json", " ".join(rec.demo_argv), rec.exit, False)
                 for rec in recordings.for_demo()]
    assert sorted(ran, key=str) == sorted(expected, key=str)
    order = [r[1] for r in ran if r[1]]
    for stage in recordings.STAGES:  # each stage in the declared order (stages run one after the other)
        declared = [f"tests/{r.name}.json" for r in recordings.for_tests([stage])]
        assert [name for name in order if name in declared] == declared
    demo = [f"demo/{r.name}.json" for r in recordings.for_demo()]
    assert [name for name in order if name.startswith("demo/")] == demo


def test_on_an_ovn_cloud_the_host_sessions_are_kept(monkeypatch, tmp_path, capsys):
    """The host-* sessions need the light cloud's Linux bridges: on ML2/OVN
    they are not recorded (their committed cassettes stay), and it says so."""
    tool = record_cassettes()
    ran = []
    monkeypatch.setattr(tool, "cli", lambda argv, env, record=None, expected=0, wrap=(): ran.append(record))
    monkeypatch.setattr(tool, "hidden", lambda conn, names: contextlib.nullcontext())
    monkeypatch.setattr(tool, "networking", lambda: "ovn")
    tool.record_all(None, "cloud", "legacy", tmp_path / "tests", tmp_path / "demo")
    recorded = {r.relative_to(tmp_path).as_posix() for r in ran if r}
    host = {f"tests/{r.name}.json" for r in recordings.for_tests(recordings.STAGES[2:])}
    assert host and not recorded & host
    assert {f"tests/{r.name}.json" for r in recordings.for_tests(recordings.STAGES[:2])} <= recorded
    assert "the host-* cassettes are kept" in capsys.readouterr().out
