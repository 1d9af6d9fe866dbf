"""The report as JUnit XML for CI systems: one testcase per step (cleanup
included, narration left out), failures and skips marked."""

import xml.etree.ElementTree as ET

from osops.scenario.results import FAIL, SKIP, Report


def to_xml(report: Report) -> str:
    """The report as a JUnit XML string."""
    results = report.counted
    failures = sum(r.status == FAIL for r in results)
    skipped = sum(r.status == SKIP for r in results)
    suites = ET.Element("testsuites", name="osops", tests=str(len(results)), failures=str(failures),
                        errors="0", skipped=str(skipped), time=f"{report.duration:.3f}")
    suite = ET.SubElement(suites, "testsuite", name=report.name, tests=str(len(results)),
                          failures=str(failures), errors="0", skipped=str(skipped),
                          time=f"{report.duration:.3f}", timestamp=report.started)
    props = ET.SubElement(suite, "properties")
    for name, value in (("run_id", report.run_id), ("source", report.source),
                        ("interrupted", report.interrupted), ("left", ", ".join(report.left))):
        if value:
            ET.SubElement(props, "property", name=name, value=value)
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=f"osops.{report.name}", name=r.name,
                             time=f"{r.duration:.3f}")
        if r.status == FAIL:
            failure = ET.SubElement(case, "failure", message=_clean(r.detail), type="FAIL")
            failure.text = _clean("\n".join([r.detail] + r.output))
        elif r.status == SKIP:
            ET.SubElement(case, "skipped", message=_clean(r.detail))
        out = [r.detail] + r.output + [f"created {x}" for x in r.resources]
        ET.SubElement(case, "system-out").text = _clean("\n".join(x for x in out if x))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def write(report: Report, path: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(to_xml(report))


def _clean(text):
    """Text without the control characters XML 1.0 cannot carry."""
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)
