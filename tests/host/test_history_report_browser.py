"""The HTML report opened in a real headless browser (Debian's chromium),
inside a network namespace of its own (no network at all: the page must
need none): every plot rendered with a size and drawn marks, and a
screenshot kept (in $OSOPS_TEST_ARTIFACTS when set, else the test's
tmp directory).  Where chromium or unshare is missing or the namespace
cannot be made (needs root) it skips saying why, and fails in CI
(OSOPS_REQUIRE_HOST=1; tools/host-deps installs chromium)."""

import json
import os
import pathlib
import re
import shutil
import subprocess

from osops.history.report import render
from tests.host.conftest import cannot_run, need
from tests.unit.test_history_report import runs

MEASURE = """<script>
const plots = [...document.querySelectorAll("figure.plot")].map(f => {
  const svg = f.querySelector("svg"), box = svg.getBoundingClientRect();
  const marks = [...svg.querySelectorAll("path, use")].filter(p => {
    const b = p.getBBox(); return b.width > 0 || b.height > 0; }).length;
  return {id: f.id, width: box.width, height: box.height, marks: marks};
});
const out = document.createElement("pre"); out.id = "measured"; out.textContent = JSON.stringify(plots);
document.body.appendChild(out);
</script>"""


def browser():
    need("chromium", "chromium")
    need("unshare", "util-linux")
    if subprocess.run(["unshare", "--net", "true"], capture_output=True).returncode != 0:
        cannot_run("cannot make a network namespace for the browser (needs root)")
    return shutil.which("chromium")


def headless(binary, tmp_path, *args):
    return subprocess.run(["unshare", "--net", binary, "--headless", "--no-sandbox", "--disable-gpu",
                           "--no-first-run", "--disable-background-networking", "--disable-component-update",
                           f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120)


def test_report_plots_render_in_a_browser(tmp_path):
    binary = browser()
    page = render(runs())
    measured = tmp_path / "measured.html"
    measured.write_text(page.replace("</body>", MEASURE + "</body>"))
    done = headless(binary, tmp_path, "--dump-dom", measured.as_uri())
    found = re.search(r'<pre id="measured">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    plots = json.loads(found[1].replace("&quot;", '"'))
    assert [p["id"] for p in plots] == ["plot-timeline", "plot-step-token", "plot-step-boot"]
    for p in plots:
        assert p["width"] > 300 and p["height"] > 100 and p["marks"] > 10, p
    shown = tmp_path / "report.html"
    shown.write_text(page)
    artifacts = pathlib.Path(os.environ.get("OSOPS_TEST_ARTIFACTS") or tmp_path)
    artifacts.mkdir(parents=True, exist_ok=True)
    shot = artifacts / "history-report.png"
    headless(binary, tmp_path, f"--screenshot={shot}", "--window-size=1200,2400", shown.as_uri())
    assert shot.stat().st_size > 10_000  # a page with plots, not a blank one

