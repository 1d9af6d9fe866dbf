"""Scenarios: ``osops smoke`` and YAML lab scripts, run step by step with a
report, and cleanup that always runs.  No cliff in here.

::

    import osops.scenario as sc

    scenario = sc.load_file("lab.yaml", {"count": "2"})   # validated first
    report = sc.Engine(conn, scenario, on_result=print).run()
    print("\\n".join(sc.text.render(report)))
    sc.junit.write(report, "smoke.xml")
    sc.cleanup.remove(conn, sc.cleanup.tagged(conn, run_id="1a2b3c4d"))

Files, one concern each: ``loader`` (YAML with line numbers), ``template``
(``{{ name.field }}``), ``schema`` (validation), ``steps`` and ``checks``
(the actions), ``context`` (what an action may use of its run),
``reach`` (whether and how to ping), ``engine`` (running,
deadlines, cleanup), ``signals``, ``cleanup``, ``results``, ``text`` and
``junit`` (reports), ``bundled`` (the scenarios in examples/).
"""

from osops.scenario import bundled, cleanup, junit, text
from osops.scenario.checker import load_file, load_text
from osops.scenario.engine import Engine, new_run_id, select
from osops.scenario.results import FAIL, PASS, SKIP, Report, StepResult
from osops.scenario.schema import Scenario, ScenarioError, Step, parse_vars

__all__ = ["Engine", "FAIL", "PASS", "Report", "SKIP", "Scenario", "ScenarioError", "Step",
           "StepResult", "bundled", "cleanup", "junit", "load_file", "load_text", "new_run_id",
           "parse_vars", "select", "text"]
