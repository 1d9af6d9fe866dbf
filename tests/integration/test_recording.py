"""Record from the real loopback cloud, check the scrubbing, replay offline."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration

OFFLINE = """
import json, socket, sys
def refuse(*a, **k): raise OSError("replay tried the network")
socket.socket.connect = refuse
from osops.testing import replay
from osops.cli.app import main
with replay(sys.argv[1]) as player:
    import os
    os.environ.update(OS_AUTH_URL=player.auth_url, OS_USERNAME="admin", OS_PASSWORD="x",
                      OS_PROJECT_NAME="admin", OS_USER_DOMAIN_ID="default", OS_PROJECT_DOMAIN_ID="default")
    code = main(sys.argv[2:])
    assert player.unmatched == [], player.unmatched
    sys.exit(code)
"""


def replay_offline(cloud, path, *argv):
    """osops ARGV replayed from the cassette at *path* in a fresh interpreter
    that may not open any connection; its stdout as JSON."""
    done = subprocess.run([sys.executable, "-c", OFFLINE, str(path), *argv], env=cloud.env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_record_then_replay_gives_the_same_output(cloud, tmp_path):
    path = tmp_path / "flavors.json"
    recorded = cloud.ok("--record", str(path), "flavor", "list", "-f", "json")
    text = path.read_text()
    assert cloud.password not in text
    assert "127.0.0.1" not in text and ":5000" not in text
    assert "gAAAAA" not in text
    data = json.loads(text)
    tokens = [i["response"]["headers"]["X-Subject-Token"] for i in data["interactions"]
              if "X-Subject-Token" in i["response"].get("headers", {})]
    assert tokens == ["<token>"]
    assert replay_offline(cloud, path, "flavor", "list", "-f", "json") == recorded


def test_scrubbed_names_keep_the_admin_role_and_the_doctor_verdicts(cloud, tmp_path):
    path = tmp_path / "doctor.json"
    recorded = cloud.ok("--record", str(path), "--scrub-names", "doctor", "--no-host", "-f", "json")
    text = path.read_text()
    assert cloud.password not in text and "gAAAAA" not in text and '"admin_state_up"' in text
    tokens = [i["response"]["json"]["token"] for i in json.loads(text)["interactions"]
              if i["request"]["url"].endswith("/auth/tokens")]  # the connection's, and the Token check's own
    assert tokens and {(t["user"]["name"], t["project"]["name"]) for t in tokens} == {("<user>", "<project>")}
    assert all("admin" in {r["name"] for r in t["roles"]} for t in tokens)
    replayed = replay_offline(cloud, path, "doctor", "--no-host", "-f", "json")
    assert {r["Check"]: r["Result"] for r in replayed} == {r["Check"]: r["Result"] for r in recorded}


def test_a_failed_command_is_recorded_too(cloud, tmp_path):
    path = tmp_path / "denied.json"
    done = cloud.run("--record", str(path), "image", "list", env={**cloud.os_env(), "OS_PASSWORD": "wrong-pass-xyz"})
    assert done.returncode == 1
    text = path.read_text()
    assert "wrong-pass-xyz" not in text
    assert json.loads(text)["interactions"][-1]["response"]["status"] == 401
