"""The run history (osops/history): a real SQLite file, migrations from
an older schema, several processes writing at once, durations, and the
history commands through the real entry point."""

import dataclasses
import multiprocessing
import sqlite3

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from osops.history import chosen_path, default_path, durations, open_history
from osops.history.models import FAIL, PASS, STOPPED, RunRecord, StepRecord
from osops.history.store import MIGRATIONS, VERSION, HistoryError, Store
from tests.unit.conftest import STEPS
from tests.unit.test_scenario_run import LAB, bridges  # noqa: F401 (bridges: a fixture)

NOW = 1_800_000_000.0


def run(n=0, cloud="a", verdict=PASS, started=NOW, reason=""):
    steps = (StepRecord("token", "token", PASS, 0.1), StepRecord("boot", "boot", FAIL if reason else PASS,
                                                                  3.0 + n, reason))
    return RunRecord(scenario="smoke", run_id=f"run{n:05d}", cloud=cloud, started=started, duration=4.0 + n,
                     verdict=verdict, region="RegionOne", osops_version="0.1.0", cloud_version="compute 2.96",
                     steps=steps)


# -- the store ------------------------------------------------------------------

def test_round_trip_on_a_real_file(tmp_path):
    path = tmp_path / "h.sqlite"
    with Store(path) as store:
        first = store.add(run(1))
        second = store.add(run(2, cloud="b", verdict=FAIL, reason="boot: ERROR: no valid host"))
    with Store(path) as store:  # read back by another connection
        assert store.version == VERSION
        got = store.get(str(second))
        assert got == dataclasses.replace(run(2, cloud="b", verdict=FAIL, reason="boot: ERROR: no valid host"),
                                          id=second)
        assert got.failures == ["boot: boot: ERROR: no valid host"]
        assert store.get("run00001").id == first  # by run id too
        assert [r.id for r in store.runs()] == [first, second]
        assert [r.id for r in store.runs(cloud="b")] == [second]
        assert [r.id for r in store.runs(failed=True)] == [second]
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_since_and_prune_count_from_now(tmp_path):
    with Store(tmp_path / "h.sqlite") as store:
        old = store.add(run(1, started=NOW - 40 * 86400))
        new = store.add(run(2, started=NOW - 3600))
        assert [r.id for r in store.runs(since=86400, now=NOW)] == [new]
        assert store.prune(30 * 86400, now=NOW) == 1
        assert [r.id for r in store.runs()] == [new]
        assert store.db.execute("SELECT COUNT(*) FROM steps WHERE run = ?", (old,)).fetchone()[0] == 0


def test_unknown_run_is_one_line(tmp_path):
    with Store(tmp_path / "h.sqlite") as store, pytest.raises(HistoryError) as caught:
        store.get("nope")
    assert str(caught.value) == (f"no run 'nope' in the history {tmp_path / 'h.sqlite'}; "
                                 "osops history list shows the runs there")


def test_migrates_a_history_of_the_first_schema(tmp_path):
    path = tmp_path / "old.sqlite"
    with Store(path, migrations=MIGRATIONS[:1]) as old:  # what the first osops with a history wrote
        assert old.version == 1
        old.db.execute("INSERT INTO runs (run_id, scenario, cloud, started, duration, verdict) "
                       "VALUES ('feedf00d', 'smoke', 'lab', ?, 12.5, 'PASS')", (NOW,))
        old.db.execute("INSERT INTO steps VALUES (1, 0, 'token', 'token', 'PASS', 0.2, '')")
    with Store(path) as store:
        assert store.version == VERSION
        (got,) = store.runs(steps=True)
        assert (got.run_id, got.cloud, got.duration, got.region, got.cloud_version) == ("feedf00d", "lab", 12.5, "", "")
        assert got.steps == (StepRecord("token", "token", PASS, 0.2, ""),)
        store.add(run(3))  # and the new columns are written
        assert store.get("run00003").region == "RegionOne"


def test_history_of_a_newer_osops_is_refused(tmp_path):
    path = tmp_path / "new.sqlite"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {VERSION + 1}")
    db.close()
    with pytest.raises(HistoryError, match=rf"written by a newer osops \(schema {VERSION + 1}, this osops "
                                           rf"knows up to {VERSION}\); upgrade osops"):
        Store(path)


def test_corrupt_and_unwritable_files_are_one_line(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(HistoryError, match="is not an osops history"):
        Store(junk)
    with pytest.raises(HistoryError, match="cannot use the history .*no-such-dir"):
        Store(tmp_path / "no-such-dir" / "h.sqlite")
    with pytest.raises(HistoryError, match="is a directory"):
        Store(tmp_path)


def _writer(path, first, count, start):
    start.wait()
    with Store(path) as store:
        for n in range(first, first + count):
            store.add(run(n, cloud=f"cloud{first}"))


def test_parallel_writers_lose_nothing(tmp_path):
    path = str(tmp_path / "h.sqlite")
    Store(path).close()
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    writers = [ctx.Process(target=_writer, args=(path, 1000 * w, 40, start)) for w in range(1, 5)]
    for w in writers:
        w.start()
    start.set()  # all at once
    for w in writers:
        w.join(120)
    assert [w.exitcode for w in writers] == [0] * 4
    with Store(path) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        runs = store.runs(steps=True)
        assert sorted(r.run_id for r in runs) == sorted(f"run{1000 * w + n:05d}" for w in range(1, 5)
                                                        for n in range(40))
        assert all(len(r.steps) == 2 for r in runs)


def test_paths_default_env_and_option(monkeypatch, tmp_path):
    monkeypatch.delenv("OSOPS_HISTORY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_path() == tmp_path / "data" / "osops" / "history.sqlite"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_path() == tmp_path / ".local" / "share" / "osops" / "history.sqlite"
    monkeypatch.setenv("OSOPS_HISTORY", str(tmp_path / "env.sqlite"))
    assert chosen_path() == tmp_path / "env.sqlite"
    assert chosen_path(str(tmp_path / "opt.sqlite")) == tmp_path / "opt.sqlite"
    assert chosen_path(disabled=True) is None
    monkeypatch.delenv("OSOPS_HISTORY")
    with open_history() as store:  # the default directory is made
        assert store.path == str(tmp_path / ".local" / "share" / "osops" / "history.sqlite")


# -- durations ------------------------------------------------------------------

@pytest.mark.parametrize("text, seconds", [("30s", 30), ("5m", 300), ("24h", 86400), ("7d", 604800),
                                           ("2w", 1209600), ("1h30m", 5400), ("007m", 420)])
def test_durations(text, seconds):
    assert durations.parse(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "0s", "5", "m", "banana", "5 m", " 5m", "-5m", "5M", "1.5h",
                                  "5m5m", "١m", "5mm", "999999999w"])
def test_bad_durations(text):
    with pytest.raises(ValueError, match=r"duration"):
        durations.parse(text)


@given(st.text(max_size=12))
@example("1h1h")
@example("0s0m")
def test_any_text_is_a_duration_or_a_clean_error(text):
    try:
        value = durations.parse(text)
    except ValueError as exc:
        assert repr(text) in str(exc) and "\n" not in str(exc)
    else:
        assert isinstance(value, int) and 1 <= value <= durations.LONGEST


@given(st.integers(1, durations.LONGEST))
def test_shown_durations_read_back(seconds):
    assert durations.parse(durations.shown(seconds)) == seconds


# -- the commands ---------------------------------------------------------------

@pytest.fixture
def history_file(tmp_path):
    path = tmp_path / "h.sqlite"
    with Store(path) as store:
        store.add(run(1, cloud="lab", started=NOW - 40 * 86400))
        store.add(run(2, cloud="lab", verdict=FAIL, reason="no valid host", started=NOW - 60))
        store.add(run(3, cloud="prod", verdict=STOPPED, started=NOW - 30))
    return path


@pytest.fixture
def frozen_now(monkeypatch):
    """Changes the time: the store's now is NOW."""
    monkeypatch.setattr("osops.history.store.time.time", lambda: NOW)


def test_smoke_stores_its_run(cli, fake_pinger, tmp_path):
    r = cli("smoke", "smoke", "--run-id", "smokerec1")
    assert r.code == 0, r.err
    with open_history() as store:  # the default file, under the test's XDG_DATA_HOME
        (got,) = store.runs(steps=True)
    assert (got.run_id, got.scenario, got.verdict, got.osops_version) == ("smokerec1", "smoke", PASS, "0.1.0")
    assert got.cloud == "envvars" and got.cloud_version.startswith("compute 2.")
    assert [s.name for s in got.steps] == STEPS + ["cleanup"]
    ping = got.steps[STEPS.index("ping")]
    assert ping.status == "SKIP" and ping.reason.startswith("cannot ping from this host")


def test_no_history_and_history_file(cli, fake_pinger, tmp_path):
    assert cli("smoke", "smoke", "--run-id", "smokerec1", "--no-history").code == 0
    assert not default_path().exists()
    r = cli("smoke", "smoke", "--run-id", "smokerec1", "--history", str(tmp_path / "mine.sqlite"))
    assert r.code == 0, r.err
    with Store(tmp_path / "mine.sqlite") as store:
        assert [x.run_id for x in store.runs()] == ["smokerec1"]


def test_unusable_history_fails_before_the_cloud_is_asked(cli, tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database\n" * 200)
    from tests.unit.conftest import EMPTY

    r = cli(EMPTY, "smoke", "--history", str(junk))
    assert r.code == 1 and r.calls == []
    assert r.err.splitlines() == [f"history {junk} is not an osops history (corrupt or another file); "
                                  "move it away, or use --history OTHER-FILE or --no-history"]


def test_history_list_filters(cli, history_file, frozen_now):
    from tests.unit.conftest import EMPTY

    r = cli(EMPTY, "history", "list", "--history", str(history_file), "-f", "json")
    assert r.code == 0, r.err
    assert [x["Run"] for x in r.json()] == ["run00001", "run00002", "run00003"]
    r = cli(EMPTY, "history", "list", "--history", str(history_file), "--since", "24h", "--failed", "-f", "json")
    assert [(x["Run"], x["Verdict"], x["Failed"]) for x in r.json()] == [("run00002", FAIL, ["boot"]),
                                                                         ("run00003", STOPPED, [])]
    r = cli(EMPTY, "history", "list", "--history", str(history_file), "--cloud", "prod", "-f", "value", "-c", "Run")
    assert r.out == "run00003\n"


def test_history_show(cli, history_file):
    from tests.unit.conftest import EMPTY

    r = cli(EMPTY, "history", "show", "2", "--history", str(history_file), "-f", "json")
    assert r.code == 0, r.err
    shown = r.json()
    assert (shown["Run"], shown["Cloud"], shown["Verdict"], shown["Cloud version"]) == (
        "run00002", "lab", FAIL, "compute 2.96")
    assert shown["Steps"][1] == {"name": "boot", "action": "boot", "status": FAIL, "duration": 5.0,
                                 "reason": "no valid host"}
    r = cli(EMPTY, "history", "show", "run00003", "--history", str(history_file))
    assert "| Steps         | PASS token 0.1 s" in r.out
    r = cli(EMPTY, "history", "show", "42", "--history", str(history_file))
    assert r.code == 1 and r.err.strip() == (f"no run '42' in the history {history_file}; "
                                             "osops history list shows the runs there")


def test_history_prune(cli, history_file, frozen_now):
    from tests.unit.conftest import EMPTY

    r = cli(EMPTY, "history", "prune", "--older-than", "30d", "--history", str(history_file))
    assert r.code == 0, r.err
    assert r.out == f"deleted 1 run(s) older than 4w2d from {history_file}\n"
    with Store(history_file) as store:
        assert [x.run_id for x in store.runs()] == ["run00002", "run00003"]


@pytest.mark.parametrize("argv", [["history", "prune", "--older-than", "banana"],
                                  ["history", "prune", "--older-than", "0"],
                                  ["history", "list", "--since", "5 m"],
                                  ["history", "list", "--no-history"]])
def test_bad_history_input_is_one_line_exit_2(cli, argv):
    from tests.unit.conftest import EMPTY

    r = cli(EMPTY, *argv)
    assert r.code == 2
    assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err


def test_cloud_version_is_compute_discovery_whatever_its_host():
    from types import SimpleNamespace

    from osops.history.record import cloud_version

    compute = {"id": "v2.1", "status": "CURRENT", "version": "2.104", "min_version": "2.1",
               "media-types": [{"type": "application/vnd.openstack.compute+json;version=2.1"}]}
    identity = {"id": "v3.14", "status": "stable",
                "media-types": [{"type": "application/vnd.openstack.identity-v3+json"}]}
    session = SimpleNamespace(_discovery_cache={"http://127.0.0.1:5000/v3": [identity],
                                                "http://127.0.0.1:8774/v2.1": [compute]})
    assert cloud_version(SimpleNamespace(session=session)) == "compute 2.104"
    session._discovery_cache.pop("http://127.0.0.1:8774/v2.1")
    assert cloud_version(SimpleNamespace(session=session)) == ""
    assert cloud_version(None) == ""


@pytest.mark.usefixtures("bridges")
def test_scenario_run_stores_its_run(cli, fake_pinger):
    fake_pinger.mode = "answer"
    r = cli("lab-demo", *LAB)
    assert r.code == 0, r.err
    with open_history() as store:
        (got,) = store.runs(steps=True)
    assert (got.scenario, got.run_id, got.verdict) == ("lab-demo", "labrec1", PASS)
    assert got.steps[-1].name == "cleanup" and len(got.steps) > 5
