"""{{ name.field }} substitution: values, text, safety, and the report shapes."""

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from osops.host.models import PingResult, Target
from osops.models import Address, Server
from osops.scenario import junit, template, text
from osops.scenario.results import FAIL, PASS, SKIP, Report, SkipStep, StepResult
from osops.scenario.steps import judge_ping
from osops.scenario.template import TemplateError


def server(n, status="ACTIVE", addr=None):
    addresses = (Address("private", addr or f"10.0.0.{n}", 4, "fixed", ""),)
    return Server(id=f"id-{n}", name=f"lab-{n}", status=status, task_state=None, power_state="Running",
                  addresses=addresses)


LAB = [server(1), server(2), server(3, "SUSPENDED")]
VALUES = {"lab": LAB, "count": 3, "image": "cirros", "tags": ["a", "b"]}


def render(value):
    return template.render(value, VALUES.__getitem__)


def test_a_whole_reference_gives_the_value_itself():
    assert render("{{ lab }}") is LAB
    assert render("  {{ lab.0 }} ") is LAB[0]
    assert render("{{ count }}") == 3
    assert render(["{{ lab.1 }}", "x"]) == [LAB[1], "x"]


def test_fields_on_lists_apply_to_each_item():
    assert render("{{ lab.addresses }}") == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    assert render("{{ lab.name }}") == ["lab-1", "lab-2", "lab-3"]
    assert render("{{ lab.count }}") == 3
    assert render("{{ lab.2.status }}") == "SUSPENDED"


def test_references_inside_text_become_text():
    assert render("ping {{ lab.addresses }} x{{ count }}") == "ping 10.0.0.1, 10.0.0.2, 10.0.0.3 x3"
    assert render("first: {{ lab.0 }}") == "first: lab-1"
    assert render("no refs {here}") == "no refs {here}"


def test_keep_leaves_references_for_later():
    assert template.render("{{ lab.0 }} of {{ count }}", VALUES.__getitem__, keep={"lab"}) == "{{ lab.0 }} of 3"


@pytest.mark.parametrize("value, message", [
    ("{{ lab.nmae }}", "lab has no 'nmae' (did you mean lab.name?)"),
    ("{{ lab.7 }}", "lab has 3 item(s): there is no lab.7"),
    ("{{ image.id }}", "image is 'cirros', which has no .id"),
    ("{{ lab.__class__ }}", "has no '__class__'"),
    ("{{ lab[0] }}", "is not a reference"),
    ("{{ __import__('os') }}", "is not a reference"),
    ("{{ count", "unbalanced braces"),
])
def test_errors_name_the_problem_and_nothing_is_evaluated(value, message):
    with pytest.raises(TemplateError) as info:
        render(value)
    assert message in str(info.value)


def test_what_a_reference_gives_is_not_read_again():
    values = {"a": "{{ count }}", "b": "{{ x", "count": 3}
    assert template.render("{{ a }}", values.__getitem__) == "{{ count }}"
    assert template.render("{{ a }} {{ b }} {{ count }}", values.__getitem__) == "{{ count }} {{ x 3"


def test_a_name_nothing_has_is_a_template_error():
    with pytest.raises(TemplateError, match="^{{ nope.x }} names no variable or saved result 'nope'$"):
        render("at {{ nope.x }}")


def test_placeholders_for_dry_runs():
    assert template.placeholders({"a": ["{{ lab.0 }}", "x {{ count }}"]}) == {"a": ["<lab.0>", "x <count>"]}
    assert template.placeholders("{{ lab.0 }} on {{ n }}", {"n": "{{ m }}"}) == "<lab.0> on {{ m }}"


@given(st.text(max_size=60))
def test_any_text_renders_or_fails_cleanly(s):
    try:
        template.render(s, VALUES.__getitem__)
    except TemplateError:
        pass


# -- ping verdicts ---------------------------------------------------------------

def result(addr, sent, received, reason=""):
    return PingResult(Target(address=addr, server=f"s-{addr}"), sent, received,
                      *((0.1, 0.2, 0.3) if received else ()), reason=reason)


def test_ping_verdicts():
    assert judge_ping([result("10.0.0.1", 3, 3)]).status == PASS
    silent = judge_ping([result("10.0.0.1", 3, 3), result("10.0.0.2", 3, 0, "no reply in 2 s")])
    assert silent.status == FAIL and silent.detail == "no reply from s-10.0.0.2 10.0.0.2: no reply in 2 s"
    assert judge_ping([result("10.0.0.2", 3, 0)], "fail").status == PASS
    assert judge_ping([result("10.0.0.2", 3, 3)], "fail").status == FAIL
    mixed = judge_ping([result("10.0.0.1", 3, 3), result("10.0.0.9", 0, 0, "no route to 10.0.0.9")])
    assert mixed.status == PASS and mixed.detail.endswith("; not tried: s-10.0.0.9 10.0.0.9: no route to 10.0.0.9")
    with pytest.raises(SkipStep, match=r"^cannot ping from this host: s-10\.0\.0\.1 10\.0\.0\.1, s-10\.0\.0\.2 "
                                       r"10\.0\.0\.2: no route to 10\.0\.0\.1$"):
        judge_ping([result("10.0.0.1", 0, 0, "no route to 10.0.0.1"), result("10.0.0.2", 0, 0, "no route to 10.0.0.2")])


# -- report shapes -----------------------------------------------------------------

def report():
    r = Report(name="lab", run_id="abcd1234", started="2026-01-01T00:00:00+00:00", duration=7.25)
    r.steps = [StepResult("say", "say", PASS, detail="hello", narration=True),
               StepResult("boot", "boot", FAIL, 4.06, "went to ERROR: \x00No valid host", output=["x"]),
               StepResult("ping", "ping", SKIP, 0.1, "cannot ping"),
               StepResult("token", "token", PASS, 0.04, "admin"),
               StepResult("delete", "delete", SKIP, 0.0, "needs lab from step boot, which FAILED", ran=False)]
    r.cleanup = StepResult("cleanup", "cleanup", FAIL, 1.0, "cleanup interrupted by SIGINT; left lab-1 (id-1)")
    r.left = ["lab-1 (id-1)"]
    r.interrupted = "SIGINT"
    return r


def test_text_report_in_devstacks_shapes():
    lines = text.render(report())
    assert lines[:7] == ["=" * 69, "SKIP ping (cannot ping)", "SKIP delete (needs lab from step boot, which FAILED)",
                         "PASS token", "FAILED boot (went to ERROR: \\x00No valid host)",
                         "FAILED cleanup (cleanup interrupted by SIGINT; left lab-1 (id-1))", "=" * 69]
    timing = lines[lines.index("osops lab Step Timing") - 1:lines.index("osops lab Step Timing") + 12]
    assert timing == ["=" * 25, "osops lab Step Timing", " (times are in seconds)", "=" * 25,  # stack.sh's shape
                      "boot              4.1", "ping              0.1", "token             0.0",
                      "cleanup           1.0", "-" * 25, "Unaccounted time  2.1", "=" * 25,
                      "Total runtime     7.2", ""]  # delete never ran: no time
    assert lines[-3:] == ["lab run abcd1234: 1 PASS, 2 SKIP, 2 FAILED (SIGINT)", "left behind: lab-1 (id-1)",
                          "remove with: osops cleanup --run abcd1234"]
    assert text.live_lines(report().steps[0]) == ["== hello"]
    assert text.live_lines(report().steps[1], 6) == ["FAIL boot     4.1 s  went to ERROR: \\x00No valid host",
                                                    "    x"]  # no raw control characters on a terminal
    assert report().exit_code == 130


def test_junit_marks_failures_and_skips():
    root = ET.fromstring(junit.to_xml(report()))
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("5", "2", "2")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == ["boot", "ping", "token", "delete", "cleanup"]  # narration left out
    assert cases["boot"].find("failure").get("message") == "went to ERROR: No valid host"  # no NUL in XML
    assert cases["ping"].find("skipped").get("message") == "cannot ping"
    assert cases["token"].find("failure") is None and cases["token"].find("skipped") is None
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props == {"run_id": "abcd1234", "interrupted": "SIGINT", "left": "lab-1 (id-1)"}
