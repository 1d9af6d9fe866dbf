"""osops doctor for people: one line per check on a terminal, wrapped to
its width, the fix beneath, a verdict; the table everywhere else."""

import re
import sys

import pytest

from osops.cli.doctor_report import render
from osops.doctor.core import Check

RESULT = re.compile(r"^(\x1b\[[\d;]+m)?(OK|WARN|FAIL|SKIP) ")


@pytest.fixture
def terminal(cli, monkeypatch):
    """``terminal()``: from now on stdout (pytest's capture, once ``cli``
    has it in place) is an 80-column terminal."""
    def make():
        monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
        monkeypatch.setenv("COLUMNS", "80")
        monkeypatch.setenv("LINES", "24")
    return make


def test_on_a_terminal_one_line_per_check_wrapped_then_a_verdict(cli, terminal, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    terminal()
    rows = cli("doctor", "doctor", "--no-host", "-f", "json").json()
    r = cli("doctor", "doctor", "--no-host")
    lines = r.out.splitlines()
    assert [RESULT.match(line)[2] for line in lines if RESULT.match(line)] == [row["Result"] for row in rows]
    assert "\x1b[" not in r.out
    assert all(len(line) <= 80 or " " not in line.strip() for line in lines)
    assert all(line.startswith("      ") for line in lines[:-1] if not RESULT.match(line))
    counts = {k: sum(row["Result"] == k for row in rows) for k in ("OK", "WARN", "FAIL", "SKIP")}
    assert lines[-1].startswith("doctor ") and f"{len(rows)} checks" in lines[-1]
    assert f"{counts['OK']} OK" in lines[-1]
    assert r.code == (1 if counts["FAIL"] else 0)


def test_colours_unless_no_color(cli, terminal):
    terminal()
    r = cli("doctor", "doctor", "--no-host")
    assert "\x1b[32mOK  \x1b[0m  " in r.out


def test_table_when_not_a_terminal_or_asked_for(cli, terminal, monkeypatch):
    terminal()
    assert "| Check" in cli("doctor", "doctor", "--no-host", "-f", "table").out
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    assert "| Check" in cli("doctor", "doctor", "--no-host").out


def test_the_fix_goes_indented_beneath_the_finding():
    checks = [Check("Keystone", "FAIL", "cannot reach http://192.0.2.10:5000: connection refused " * 3,
                    "start keystone (systemctl start devstack@keystone) or check OS_AUTH_URL " * 2),
              Check("Clock", "OK", "within 1 s")]
    lines = render(checks, width=60)
    assert lines[0].startswith("FAIL  Keystone: cannot reach")
    fix = next(i for i, line in enumerate(lines) if line.startswith("      fix: "))
    assert all(line.startswith("      ") for line in lines[1:fix])
    assert all(line.startswith("           ") for line in lines[fix + 1:-2])
    assert lines[-2] == "OK    Clock: within 1 s"
    assert lines[-1] == "doctor failed: 2 checks, 1 OK, 1 FAIL"
    assert max(map(len, lines)) <= 60
