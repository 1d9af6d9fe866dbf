"""osops smoke on the loopback cloud: every step passes (the server, a
real guest booted with the run's keypair, gets a floating IP on public
through router1; ping reaches it from the network's ovnmeta- namespace,
through the run's own security group, see test_ovn.py, and so does SSH),
and no server, group, keypair or floating IP is left behind, also after
Ctrl-C."""

import json
import signal
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET

import pytest

from tests.integration.devcloud import ROOT

pytestmark = pytest.mark.integration

STEPS = ["token", "catalog", "compute-services", "image", "flavor", "network", "keypair", "boot", "address",
         "floating_ip", "ping", "ssh", "suspend", "resume", "delete"]


@pytest.fixture
def run_id(cloud):
    rid = f"it{uuid.uuid4().hex[:8]}"
    yield rid
    cloud.run("cleanup", "--run", rid, timeout=300)  # a backstop; the tests check it has nothing to do


def left_by(cloud, rid):
    return [n for n in cloud.servers() if n.startswith(f"osops-{rid}-")]


def test_smoke_passes_and_leaves_nothing(cloud, run_id, tmp_path):
    junit = tmp_path / "smoke.xml"
    done = cloud.run("smoke", "--run-id", run_id, "-f", "json", "--junit", str(junit), timeout=900)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    status = {s["name"]: s["status"] for s in report["steps"]}
    assert list(status) == STEPS
    assert {n for n, s in status.items() if s != "PASS"} == set(), done.stderr
    ping = report["steps"][STEPS.index("ping")]
    assert ping["detail"].startswith(f"answered: osops-{run_id}-smoke 10.0.0."), ping  # from the ovnmeta- namespace
    fip = report["steps"][STEPS.index("floating_ip")]
    assert fip["detail"].startswith(f"osops-{run_id}-smoke 172.24.4."), fip
    ssh = report["steps"][STEPS.index("ssh")]
    assert ssh["detail"].endswith("exit 0, output has 'smoke'") and f"osops-{run_id}-smoke" in ssh["output"][-1], ssh
    assert report["cleanup"]["status"] == "PASS" and report["left"] == []
    assert "PASS boot " in done.stderr and f"osops-{run_id}-smoke ACTIVE on private=10.0.0." in done.stderr
    suite = ET.parse(junit).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("16", "0", "0")
    assert left_by(cloud, run_id) == []


def test_ctrl_c_while_booting_still_cleans_up(cloud, run_id):
    proc = subprocess.Popen([sys.executable, "-m", "osops", "smoke", "--run-id", run_id, "-f", "json"],
                            env=cloud.os_env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        err = []
        for line in proc.stderr:  # interrupt once the network is chosen: boot comes next
            err.append(line)
            if line.startswith(("PASS network", "FAIL network")):
                proc.send_signal(signal.SIGINT)
                break
        out, rest = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    err = "".join(err) + rest
    assert proc.returncode == 130, err
    report = json.loads(out)
    assert report["interrupted"] == "SIGINT"
    assert report["cleanup"]["status"] in ("PASS", "SKIP"), err
    assert "SIGINT: stopping; cleaning up" in err
    assert left_by(cloud, run_id) == []


def test_cleanup_removes_what_keep_left(cloud, run_id):
    done = cloud.run("smoke", "--keep", "--only", "boot", "--run-id", run_id, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"remove with: osops cleanup --run {run_id}" in done.stdout
    assert left_by(cloud, run_id) == [f"osops-{run_id}-smoke"]
    removed = cloud.ok("cleanup", "--run", run_id, "-f", "json", timeout=300)
    assert [(r["Name"], r["Run"], r["Status"]) for r in removed] == [(f"osops-{run_id}-smoke", run_id, "DELETED"),
                                                                     (f"osops-{run_id}-sg", run_id, "DELETED"),
                                                                     (f"osops-{run_id}-key", run_id, "DELETED")]
    assert left_by(cloud, run_id) == []
