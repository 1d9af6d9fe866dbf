"""The canary (osops/canary): rounds on a schedule with a fake clock and
sleep, clean stops on SIGTERM/SIGINT, leftovers retried, metrics parsed
with prometheus_client's parser (also scraped over 127.0.0.1), and
osops smoke --every / several clouds through the real entry point on
the smoke cassette (each run its own replayed connection)."""

import os
import signal
import socket
import urllib.request

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from osops.canary import listen
from osops.canary.loop import Canary
from osops.canary.metrics import Metrics
from osops.canary.rounds import Rounds
from osops.cloud import connect
from osops.errors import OsopsError
from osops.history import open_history
from osops.history.models import FAIL, PASS, RunRecord, StepRecord
from osops.history.store import Store
from osops.scenario import bundled, load_file
from osops.scenario.results import SKIP, Report, StepResult
from osops.testing.replay import Replay
from tests.unit.conftest import STEPS, cassette

pytestmark = pytest.mark.usefixtures("fake_pinger")  # nothing here pings


def report(status=PASS, interrupted="", left=(), run_id="r1"):
    steps = [StepResult("boot", "boot", status, 2.0, "no valid host" if status == FAIL else "")]
    return Report(name="smoke", run_id=run_id, steps=steps, interrupted=interrupted, left=list(left),
                  started="2026-12-04T18:00:00+00:00", duration=2.5)


class FakeClock:
    """A clock that the fake sleep moves on; each round takes *took* seconds."""

    def __init__(self, took=2.0):
        self.now, self.took, self.slept = 0.0, took, []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


# -- the schedule ---------------------------------------------------------------

def test_rounds_start_every_interval_one_at_a_time():
    clock = FakeClock()
    started = []

    def round_(number):
        started.append(clock.now)
        clock.now += clock.took
        return {"a": report()}

    canary = Canary(round_, 300, rounds=3, clock=clock, sleep=clock.sleep)
    assert canary.run() == 0
    assert started == [0.0, 300.0, 600.0]
    assert clock.slept == [298.0, 298.0]


def test_a_round_longer_than_the_interval_is_followed_at_once():
    clock = FakeClock(took=400.0)

    def round_(number):
        clock.now += clock.took
        return {"a": report(FAIL)}

    assert Canary(round_, 300, rounds=2, clock=clock, sleep=clock.sleep).run() == 1  # the last round failed
    assert clock.slept == [0.0]


def test_jitter_adds_up_to_a_tenth():
    clock = FakeClock(took=0.0)
    canary = Canary(lambda n: {"a": report()}, 300, jitter=True, rounds=3, clock=clock, sleep=clock.sleep,
                    rand=iter([1.0, 0.5]).__next__)
    canary.run()
    assert clock.slept == [330.0, 315.0]


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_while_waiting_stops_at_once(signum, code):
    clock = FakeClock()
    rounds = []

    def sleep(seconds):
        os.kill(os.getpid(), signum)  # handled here, in the main thread
        raise AssertionError("the signal should have ended the wait")

    before = signal.getsignal(signal.SIGTERM)
    canary = Canary(lambda n: rounds.append(n) or {"a": report()}, 300, clock=clock, sleep=sleep)
    assert canary.run() == code
    assert rounds == [1]
    assert signal.getsignal(signal.SIGTERM) is before  # put back


def test_a_signal_during_a_round_lets_it_finish_then_stops():
    notes = []

    def round_(number):
        os.kill(os.getpid(), signal.SIGTERM)  # several clouds' runs: finished, not undone
        return {"a": report(), "b": report()}

    canary = Canary(round_, 300, notify=notes.append, sleep=lambda s: pytest.fail("no wait after a signal"))
    assert canary.run() == 143
    assert notes == ["SIGTERM: stopping after the runs in progress (their cleanup included)"]


def test_a_run_the_engine_stopped_stops_the_canary():
    canary = Canary(lambda n: {"a": report(interrupted="SIGINT")}, 300,
                    sleep=lambda s: pytest.fail("no wait after a signal"))
    assert canary.run() == 130


# -- rounds: leftovers, clouds that are down, history, metrics -------------------

class FakeEngine:
    """Stands in for the Engine: the reports it gives, in order."""

    reports = []

    def __init__(self, conn, scenario, run_id=None, **options):
        self.run_id = run_id

    def run(self):
        return FakeEngine.reports.pop(0)


@pytest.fixture
def smoke():
    return load_file(bundled.path("smoke"))


def test_leftovers_are_retried_each_round_until_gone(smoke, tmp_path, monkeypatch):
    monkeypatch.setattr(FakeEngine, "reports", [report(FAIL, left=["osops-r1-smoke (id1)"], run_id="r1"),
                                                report(run_id="r2"), report(run_id="r3")])
    tries, notes = [], []
    answers = iter([RuntimeError("HTTP 503 from Nova"), 0])

    def tidy(conn, run_id):
        tries.append(run_id)
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    metrics = Metrics()
    rounds = Rounds(smoke, ["lab"], lambda name: object(), engine=FakeEngine, tidy=tidy, notify=notes.append,
                    metrics=metrics, history=lambda: Store(tmp_path / "h.sqlite"))
    for number in (1, 2, 3):
        rounds(number)
    assert tries == ["r1", "r1"]  # round 2 failed to delete; round 3 did; never piled up
    assert notes[0].startswith("lab: cleanup of run r1 failed again: HTTP 503 from Nova; retrying next round")
    assert notes[1:] == ["lab: run r1 still leaves 1 resource(s); retrying next round (or: osops cleanup --run r1)",
                         "lab: deleted what run r1 had left behind"]
    assert rounds.pending == {"lab": []}
    assert value(metrics, "osops_smoke_left_behind", cloud="lab") == 0
    with Store(tmp_path / "h.sqlite") as store:
        assert [(r.run_id, r.cloud, r.verdict) for r in store.runs()] == [("r1", "lab", FAIL), ("r2", "lab", PASS),
                                                                          ("r3", "lab", PASS)]


def test_a_cloud_that_is_down_is_a_failed_run_and_the_canary_goes_on(smoke, tmp_path):
    def connect_to(name):
        raise OsopsError("cannot reach Keystone at http://127.0.0.1:5000", "is the cloud up?")

    seen = []
    rounds = Rounds(smoke, ["lab"], connect_to, on_result=lambda cloud, result: seen.append((cloud, result.name)),
                    history=lambda: Store(tmp_path / "h.sqlite"))
    (got,) = rounds(1).values()
    assert got.status == FAIL
    assert got.steps[0].detail == "cannot reach Keystone at http://127.0.0.1:5000; is the cloud up?"
    assert seen == [("lab", "connect")]
    with Store(tmp_path / "h.sqlite") as store:
        (stored,) = store.runs(steps=True)
    assert (stored.cloud, stored.verdict, stored.failures) == ("lab", FAIL, [
        "connect: cannot reach Keystone at http://127.0.0.1:5000; is the cloud up?"])


# -- metrics --------------------------------------------------------------------

def value(metrics, name, **labels):
    for family in text_string_to_metric_families(metrics.text()):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return None


def record(verdict=PASS, boot=PASS, cloud="lab"):
    return RunRecord("smoke", "r1", cloud, 1.8e9, 9.0, verdict, steps=(
        StepRecord("token", "token", PASS, 0.2), StepRecord("boot", "boot", boot, 3.0),
        StepRecord("ping", "ping", SKIP, 0.0, "cannot ping")))


def test_metrics_follow_the_runs():
    metrics = Metrics(clock=lambda: 1234.0)
    metrics.observe("lab", record())
    metrics.observe("lab", record(FAIL, boot=FAIL))
    assert value(metrics, "osops_smoke_success", cloud="lab") == 0
    assert value(metrics, "osops_smoke_step_success", cloud="lab", step="boot") == 0
    assert value(metrics, "osops_smoke_step_success", cloud="lab", step="token") == 1
    assert value(metrics, "osops_smoke_step_success", step="ping") is None  # skipped: absent
    assert value(metrics, "osops_smoke_runs_total", cloud="lab", verdict=PASS) == 1
    assert value(metrics, "osops_smoke_runs_total", cloud="lab", verdict=FAIL) == 1
    assert value(metrics, "osops_smoke_last_success_timestamp_seconds", cloud="lab") == 1234.0
    assert value(metrics, "osops_smoke_step_duration_seconds_count", cloud="lab", step="boot") == 2
    assert value(metrics, "osops_smoke_step_duration_seconds_bucket", cloud="lab", step="boot", le="2.5") == 0
    assert value(metrics, "osops_smoke_step_duration_seconds_bucket", cloud="lab", step="boot", le="5.0") == 2


def test_textfile_is_written_whole(tmp_path):
    metrics = Metrics()
    metrics.observe("lab", record())
    path = tmp_path / "osops.prom"
    metrics.write_textfile(str(path))
    assert {f.name for f in text_string_to_metric_families(path.read_text())} >= {
        "osops_smoke_success", "osops_smoke_step_duration_seconds", "osops_smoke_runs"}
    assert os.listdir(tmp_path) == ["osops.prom"]  # no temporary file left
    with pytest.raises(OsopsError, match=r"^cannot write the metrics file .*/nope/x.prom: No such file"):
        metrics.write_textfile(str(tmp_path / "nope" / "x.prom"))


def test_metrics_endpoint_scraped_over_loopback():
    metrics = Metrics()
    metrics.observe("lab", record())
    port = metrics.listen("127.0.0.1", 0)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
            body = answer.read().decode()
        families = {f.name: f for f in text_string_to_metric_families(body)}
        assert families["osops_smoke_success"].samples[0].value == 1
        with pytest.raises(OsopsError, match=rf"^cannot serve metrics on 127.0.0.1:{port}: .*; choose another"):
            Metrics().listen("127.0.0.1", port)  # the port is taken
    finally:
        metrics.close()


@pytest.mark.parametrize("text, parsed", [("127.0.0.1:9464", ("127.0.0.1", 9464)), ("[::1]:80", ("::1", 80)),
                                          ("localhost:1", ("localhost", 1))])
def test_listen_addresses(text, parsed):
    assert listen.parse(text) == parsed


@pytest.mark.parametrize("text", ["9464", ":9464", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "host:80",
                                  "::1:80", "[127.0.0.1]:80", "127.0.0.1:٩٤", "127.0.0.1:-1"])
def test_bad_listen_addresses(text):
    with pytest.raises(ValueError, match=r"^not (an address to listen on|a port)"):
        listen.parse(text)


@given(st.text(max_size=30))
def test_any_listen_address_parses_or_is_a_clean_error(text):
    try:
        host, port = listen.parse(text)
    except ValueError as exc:
        assert "\n" not in str(exc)
    else:
        assert 1 <= port <= 65535 and host


# -- through the entry point ----------------------------------------------------

@pytest.fixture
def replayed_clouds(monkeypatch, zero_poll_waits):
    """Every cloud name connects to its own replay of the smoke cassette
    (names as given: no clouds.yaml is read); returns the names connected."""
    seen = []

    def connector(app):
        def connect_to(name):
            seen.append(name)
            player = Replay(cassette("smoke"))
            return connect(session=player.session(), only_options=True, identity_api_version="3",
                           auth_url=player.auth_url, username="admin", password="x", project_name="admin",
                           user_domain_id="default", project_domain_id="default")
        return connect_to

    monkeypatch.setattr("osops.cli.canary.connector", connector)
    return seen


@pytest.fixture
def cli(clean_env, capsys, monkeypatch):
    """``cli(*argv)``: osops run in-process with no global replay (each
    connection replays its own cassette, see ``replayed_clouds``)."""
    from osops.cli.app import main
    from tests.unit.conftest import Result

    def run(*argv, env=None):
        for k, v in (env or {}).items():
            monkeypatch.setenv(k, v)
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return Result(code, out, err, [], [])

    return run


@pytest.fixture
def fake_wait(monkeypatch):
    """Changes the canary's waits: none; each asked-for wait is listed."""
    waits = []
    monkeypatch.setattr("osops.canary.loop.wait", waits.append)
    return waits


def test_every_runs_rounds_and_keeps_them(cli, replayed_clouds, fake_wait, tmp_path):
    prom = tmp_path / "osops.prom"
    r = cli("smoke", "--run-id", "smokerec1", "--every", "5s", "--rounds", "3", "--metrics-textfile", str(prom))
    assert r.code == 0, r.err
    assert [line.split(":")[0] for line in r.out.splitlines()] == ["round 1 envvars", "round 2 envvars",
                                                                   "round 3 envvars"]
    assert r.out.splitlines()[0] == "round 1 envvars: PASS run smokerec1: 14 PASS, 2 SKIP, 0 FAILED in " + \
        r.out.splitlines()[0].split(" in ")[1]
    assert len(fake_wait) == 2 and all(0 <= w <= 5 for w in fake_wait)
    with open_history() as store:
        assert [run.verdict for run in store.runs()] == [PASS] * 3
    families = {f.name: f for f in text_string_to_metric_families(prom.read_text())}
    runs = [s for s in families["osops_smoke_runs"].samples if s.name == "osops_smoke_runs_total"]
    assert [(s.labels, s.value) for s in runs] == [({"cloud": "envvars", "verdict": "PASS"}, 3.0)]


def test_sigterm_during_a_run_undoes_it_and_stops(cli, replayed_clouds, fake_wait, fake_pinger):
    fake_pinger.hook = lambda: os.kill(os.getpid(), signal.SIGTERM)
    r = cli("smoke", "--run-id", "smokerec1", "--every", "5m")
    assert r.code == 143
    assert fake_wait == [] and len(replayed_clouds) == 1  # one round, stopped
    assert "PASS cleanup" in r.err and "deleted osops-smokerec1-smoke" in r.err
    with open_history() as store:
        (run,) = store.runs()
    assert (run.verdict, run.interrupted) == ("STOPPED", "SIGTERM")


@pytest.fixture
def two_clouds(tmp_path):
    """A clouds.yaml with the clouds east and west (replayed_clouds answers for them)."""
    config = tmp_path / "clouds.yaml"
    config.write_text("clouds:\n  east: {auth: {auth_url: 'http://127.0.0.1:1/'}}\n"
                      "  west: {auth: {auth_url: 'http://127.0.0.1:2/'}}\n")
    return {"OS_CLIENT_CONFIG_FILE": str(config)}


def test_two_clouds_at_once_print_one_matrix(cli, replayed_clouds, two_clouds):
    r = cli("smoke", "--run-id", "smokerec1", "--os-cloud", "east", "--os-cloud", "west", env=two_clouds)
    assert r.code == 0, r.err
    assert sorted(replayed_clouds) == ["east", "west"]
    lines = r.out.splitlines()
    assert lines[0].split() == ["step", "east", "west"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:2 + len(STEPS) + 2]}
    assert list(rows) == STEPS + ["cleanup", "verdict"]
    assert rows["ping"] == ["SKIP", "0.0", "SKIP", "0.0"] and rows["verdict"] == ["PASS", "PASS"]
    assert rows["boot"][0] == "PASS" and rows["boot"][2] == "PASS"
    assert "east: PASS boot" in r.err and "west: PASS boot" in r.err  # live lines say whose
    with open_history() as store:
        assert sorted(run.cloud for run in store.runs()) == ["east", "west"]


def test_all_clouds_are_those_of_clouds_yaml(cli, replayed_clouds, two_clouds):
    r = cli("smoke", "--run-id", "smokerec1", "--all-clouds", "-f", "json", env=two_clouds)
    assert r.code == 0, r.err
    assert sorted(replayed_clouds) == ["east", "west"]
    assert sorted(r.json()) == ["east", "west"]


@pytest.mark.parametrize("argv, message", [
    (["--every", "0"], "argument --every: not a duration: '0'"),
    (["--every", "0m"], "argument --every: a duration of at least 1s, not '0m'"),
    (["--every", "banana"], "argument --every: not a duration: 'banana'"),
    (["--metrics-listen", "0.0.0.0"], "argument --metrics-listen: not an address to listen on: '0.0.0.0'"),
    (["--jitter"], "--jitter and --rounds go with --every"),
    (["--every", "5m", "--keep"], "--keep with --every would pile up servers every round"),
    (["--every", "5m", "--junit", "x.xml"], "--junit writes the report of one run on one cloud"),
    (["--every", "5m", "--run-id", "Bad-Id"], "a run id is 4 to 20 lower-case letters and digits, not 'Bad-Id'"),
    (["--every", "5m", "--only", "bott"], "no step 'bott' in smoke"),
    (["--metrics-textfile", "/nonexistent-dir/m.prom"], "--metrics-textfile /nonexistent-dir/m.prom: there is no"),
    (["--os-cloud", "nowhere", "--os-cloud", "elsewhere"], "no cloud nowhere, elsewhere in clouds.yaml; it has: "),
])
def test_bad_canary_options_are_one_line_exit_2(cli, argv, message):
    r = cli("smoke", *argv)
    assert r.code == 2, r.err
    (line,) = r.err.strip().splitlines()
    assert message in line


def test_a_taken_metrics_port_is_one_line_exit_1(cli, replayed_clouds):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = cli("smoke", "--metrics-listen", f"127.0.0.1:{port}")
    assert r.code == 1 and replayed_clouds == []
    assert r.err.strip().splitlines()[-1].startswith(f"cannot serve metrics on 127.0.0.1:{port}: ")
