"""Record from the real loopback cloud, check the scrubbing, replay offline."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration


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

    # Replay offline in a fresh interpreter: the guard below fails on any real connection.
    script = f"""
import json, socket, sys
def refuse(*a, **k): raise OSError("replay tried the network")
socket.socket.connect = refuse
from osops.testing import replay
from osops.cli.app import main
with replay({str(path)!r}) as player:
    import os
    os.environ.update(OS_AUTH_URL=player.auth_url, OS_USERNAME="admin", OS_PASSWORD="x",
                      OS_PROJECT_NAME="admin", OS_USER_DOMAIN_ID="default", OS_PROJECT_DOMAIN_ID="default")
    sys.exit(main(["flavor", "list", "-f", "json"]))
"""
    done = subprocess.run([sys.executable, "-c", script], env=cloud.env(), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == recorded


def test_a_failed_command_is_recorded_too(cloud, tmp_path):
    path = tmp_path / "denied.json"
    done = cloud.run("--record", str(path), "image", "list", env={**cloud.os_env(), "OS_PASSWORD": "wrong-pass-xyz"})
    assert done.returncode == 1
    text = path.read_text()
    assert "wrong-pass-xyz" not in text
    assert json.loads(text)["interactions"][-1]["response"]["status"] == 401
