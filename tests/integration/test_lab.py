"""The bundled lab demo on the loopback cloud, as a class would run it:
boot servers in one request with the run's keypair (in the run's own
security group, which lets ping and SSH in), wait for the first one's
login prompt on its console, run a command on each over SSH,
ping them all from the network's ovnmeta- namespace, suspend one
and see it fall silent, show br-int with every tap tied to its server (and
the metadata port to its owner), and clean up, the group included."""

import json
import uuid

import pytest

pytestmark = pytest.mark.integration


def run_lab(cloud, count):
    rid = f"lab{uuid.uuid4().hex[:8]}"
    try:
        done = cloud.run("scenario", "run", "lab-demo", "--var", f"count={count}", "--run-id", rid, "-f", "json",
                         timeout=900)
    finally:
        cloud.run("cleanup", "--run", rid, timeout=300)  # a backstop; the run cleans up itself
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    steps = {s["name"]: s for s in report["steps"] if s["action"] != "say"}
    assert {n: s["status"] for n, s in steps.items() if s["status"] != "PASS"} == {}, done.stderr
    assert report["cleanup"]["status"] == "PASS" and report["left"] == []
    assert not [n for n in cloud.servers() if n.startswith(f"osops-{rid}-")]
    return rid, steps


def test_lab_demo_pings_three_servers_and_one_falls_silent(cloud):
    rid, steps = run_lab(cloud, 3)
    lab = [f"osops-{rid}-lab-{i}" for i in (1, 2, 3)]
    assert steps["boot"]["detail"].startswith("3 servers ACTIVE"), steps["boot"]
    assert f"'login:' on {lab[0]}'s console" in steps["console"]["detail"], steps["console"]
    ssh = steps["ssh"]
    assert ssh["detail"].startswith("'uname -sr; uptime' on ") and all(n in ssh["detail"] for n in lab), ssh
    assert sum(line.strip().startswith("Linux ") for line in ssh["output"]) == 3, ssh["output"]
    assert steps["ping"]["detail"].startswith("answered: ") and all(n in steps["ping"]["detail"] for n in lab)
    silent = steps["ping-suspended"]["detail"]  # the suspended one, lab.0, alone
    assert silent.startswith(f"no answer, as expected: {lab[0]} 10.0.0."), silent
    tied = "\n".join(steps["bridge"]["output"])
    assert "br-int" in tied and all(f"({n})" in tied for n in lab) and "(network:distributed)" in tied


@pytest.mark.slow
def test_lab_demo_with_ten_servers(cloud):
    rid, steps = run_lab(cloud, 10)
    assert steps["boot"]["detail"].startswith("10 servers ACTIVE")
    assert steps["ping"]["detail"].count(" 3/3 ") == 10
