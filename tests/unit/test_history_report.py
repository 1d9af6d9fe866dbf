"""osops history report --html: one self-contained file (no network to
view it), with the sections and numbers of the stored runs; without
matplotlib, one line naming the extra."""

import re
import statistics
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from osops.history.models import FAIL, PASS, STOPPED, RunRecord, StepRecord
from osops.history.report import percentile, step_stats
from osops.history.store import Store
from tests.unit.conftest import EMPTY

NOW = 1_800_000_000.0
EXTERNAL = re.compile(r"""(?:src|href|action|data)\s*=\s*["']?\s*(?:https?:)?//"""
                      r"""|url\(\s*["']?\s*(?:https?:)?//|@import""", re.I)  # anything fetched to view it


def runs():
    made = []
    for n in range(12):
        for cloud in ("east", "west"):
            boot = 3.0 + n % 4 + (0.5 if cloud == "west" else 0)
            failed = cloud == "west" and n in (3, 7)
            steps = (StepRecord("token", "token", PASS, 0.2),
                     StepRecord("boot", "boot", FAIL if failed else PASS, boot,
                                "ERROR: No valid host <found>" if failed else ""),
                     StepRecord("ping", "ping", "SKIP", 0.0, "cannot ping"))
            made.append(RunRecord("smoke", f"{cloud[0]}{n:07d}", cloud, NOW - 3600 * (12 - n), boot + 0.2,
                                  FAIL if failed else PASS, steps=steps))
    made.append(RunRecord("smoke", "stopped1", "east", NOW - 60, 1.0, STOPPED, interrupted="SIGTERM",
                          steps=(StepRecord("token", "token", PASS, 0.1),)))
    return made


@pytest.fixture
def history_file(tmp_path, monkeypatch):
    """Changes the time: the store's now is NOW (the runs are of the last 12 hours)."""
    monkeypatch.setattr("osops.history.store.time.time", lambda: NOW)
    path = tmp_path / "h.sqlite"
    with Store(path) as store:
        for run in runs():
            store.add(run)
    return path


def test_report_is_self_contained_with_its_sections(cli, history_file, tmp_path):
    page = tmp_path / "report.html"
    r = cli(EMPTY, "history", "report", "--history", str(history_file), "--html", str(page))
    assert r.code == 0, r.err
    assert r.out == f"wrote {page}: 25 run(s) of east, west\n"
    text = page.read_text()
    assert not EXTERNAL.search(text)
    assert "<script" not in text.lower() and "<img" not in text.lower()  # plots are inline SVG
    for section in ("timeline", "durations", "slowest", "failing"):
        assert f'<section id="{section}">' in text
    plots = re.findall(r'<figure class="plot" id="plot-([a-z-]+)"><svg [^>]*>(.*?)</svg>', text, re.S)
    assert [name for name, _ in plots] == ["timeline", "step-token", "step-boot"]  # ping never ran
    assert all(body.count("<path") > 3 for _, body in plots)  # something drawn
    assert len(set(re.findall(r'\bid="([^"]+)"', text))) == len(re.findall(r'\bid="([^"]+)"', text))
    boot = [s.duration for run in runs() for s in run.steps if s.name == "boot"]
    assert f"boot: median {statistics.median(boot):.2f} s, 95th percentile {percentile(boot, 95):.2f} s" in text
    failing = text[text.index('<section id="failing">'):]
    assert "boot: ERROR: No valid host &lt;found&gt;" in failing  # escaped
    assert failing.count("<tr><td>") == 3 and "SIGTERM" in failing
    slowest = text[text.index('<section id="slowest">'):text.index('<section id="failing">')]
    assert slowest.count("<tr><td>") == 10 and "<td>6.7</td><td>boot (6.5 s)</td>" in slowest  # west at 6.5 s


def test_report_of_one_cloud_and_a_while(cli, history_file, tmp_path):
    page = tmp_path / "east.html"
    r = cli(EMPTY, "history", "report", "--history", str(history_file), "--cloud", "east", "--since", "3h",
            "--html", str(page))
    assert r.code == 0, r.err
    assert r.out == f"wrote {page}: 4 run(s) of east\n"  # started 3, 2 and 1 h ago, and the stopped one


def test_report_with_no_runs_is_one_line(cli, history_file, tmp_path):
    r = cli(EMPTY, "history", "report", "--history", str(history_file), "--cloud", "north",
            "--html", str(tmp_path / "r.html"))
    assert r.code == 1
    assert r.err.strip() == ("no runs in the history on cloud north in the last 1w; "
                             "run osops smoke first, or widen --since")
    assert not (tmp_path / "r.html").exists()


def test_report_without_the_extra_says_how_to_install_it(cli, history_file, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as when it is not installed
    r = cli(EMPTY, "history", "report", "--history", str(history_file), "--html", str(tmp_path / "r.html"))
    assert r.code == 2
    assert r.err.strip() == ("osops history report draws its plots with matplotlib, which is not installed; "
                             "install the report extra: pip install 'osops[report]'")


def test_report_into_a_missing_directory_is_one_line(cli, history_file, tmp_path):
    r = cli(EMPTY, "history", "report", "--history", str(history_file), "--html", str(tmp_path / "no" / "r.html"))
    assert r.code == 1
    assert r.err.strip().startswith(f"cannot write the report {tmp_path / 'no' / 'r.html'}: No such file")


def test_step_stats_leave_out_skipped_steps():
    stats = step_stats(runs())
    assert set(stats) == {"token", "boot"}
    assert stats["token"][0] == 25


@given(st.lists(st.floats(0, 1e6), min_size=1), st.integers(1, 100))
def test_percentile_is_one_of_the_values_in_order(values, pct):
    got = percentile(values, pct)
    assert got in values and min(values) <= got <= max(values)
    assert percentile(values, 100) == max(values)
    assert sum(v <= got for v in values) >= pct / 100 * len(values)
