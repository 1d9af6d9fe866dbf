"""osops smoke --every on the loopback cloud: short rounds, then SIGTERM;
nothing left behind, the metrics file valid, the history has the rounds.
Slow (two or three real smokes): marked slow."""

import signal
import subprocess
import sys
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from osops.history.store import Store
from tests.integration.devcloud import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.guest, pytest.mark.slow]


def test_canary_rounds_then_sigterm_leaves_nothing(guests, tmp_path):
    cloud = guests
    rid = f"h6{uuid.uuid4().hex[:6]}"  # every round reuses it: servers osops-h6...-smoke
    prom, history = tmp_path / "osops.prom", tmp_path / "history.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "osops", "smoke", "--every", "5s", "--run-id", rid,
                             "--metrics-textfile", str(prom), "--history", str(history)],
                            env=cloud.os_env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out = []
        for line in proc.stdout:  # SIGTERM once two rounds are over: the third is stopped and undone
            out.append(line)
            if line.startswith("round 2 "):
                proc.send_signal(signal.SIGTERM)
                break
        rest, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
        cloud.run("cleanup", "--run", rid, timeout=300)  # a backstop; asserted below to have had nothing to do
    out = "".join(out) + rest
    assert proc.returncode == 143, err
    assert [line.split(":")[0] for line in out.splitlines()[:2]] == ["round 1 envvars", "round 2 envvars"]
    assert all(" PASS run " in line for line in out.splitlines()[:2]), err
    assert [n for n in cloud.servers() if n.startswith(f"osops-{rid}-")] == []
    families = {f.name: f for f in text_string_to_metric_families(prom.read_text())}
    runs = {s.labels["verdict"]: s.value for s in families["osops_smoke_runs"].samples
            if s.name == "osops_smoke_runs_total"}
    assert runs["PASS"] >= 2
    with Store(history) as store:
        kept = store.runs(steps=True)
    assert [r.verdict for r in kept][:2] == ["PASS", "PASS"] and len(kept) in (2, 3)
    assert all(r.cloud == "envvars" and r.region == "RegionOne" and r.cloud_version.startswith("compute 2.")
               for r in kept)
