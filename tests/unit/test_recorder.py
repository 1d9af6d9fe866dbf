"""Record through the real CLI with requests-mock as the server, then replay."""

import json

import pytest
import requests_mock

from osops.cli.app import main
from osops.testing.replay import Replay
from tests.unit.conftest import cassette

PASSWORD = "known-Passw0rd-42"
TOKEN = "gAAAAABnRecordedTokenThatMustNeverReachTheDisk0123456789"
HOST = "cloud.example.test"


@pytest.fixture
def server(monkeypatch):
    """A fake cloud at HOST answering from a recorded cassette, with a known token."""

    def start(name):
        data = cassette(name)
        for item in data["interactions"]:
            headers = item["response"].get("headers", {})
            if "X-Subject-Token" in headers:
                headers["X-Subject-Token"] = TOKEN
        ports = {"identity": 5000, "image": 9292, "compute": 8774, "network": 9696, "placement": 8778}
        player = Replay(data, bases={n: f"http://{HOST}:{p}" for n, p in ports.items()})
        adapter = requests_mock.Adapter()
        adapter.add_matcher(player.match)
        monkeypatch.setattr("osops.testing.recorder.HTTPAdapter", lambda: adapter)
        return player

    return start


def record(clean_env, monkeypatch, argv, password=PASSWORD, user="admin", project="admin"):
    for k, v in {"OS_AUTH_URL": f"http://{HOST}:5000", "OS_USERNAME": user, "OS_PASSWORD": password,
                 "OS_PROJECT_NAME": project, "OS_USER_DOMAIN_ID": "default",
                 "OS_PROJECT_DOMAIN_ID": "default"}.items():
        monkeypatch.setenv(k, v)
    path = clean_env / "out.json"
    code = main(["--record", str(path), *argv])
    return code, path


def test_recording_scrubs_password_token_and_host_and_replays_the_same(server, clean_env, monkeypatch, capsys, cli):
    server("image-list")
    code, path = record(clean_env, monkeypatch, ["image", "list", "-f", "json"])
    first = capsys.readouterr().out
    assert code == 0
    text = path.read_text()
    assert PASSWORD not in text and TOKEN not in text and HOST not in text
    data = json.loads(text)
    assert data["command"] == "image list -f json"
    assert all(i["request"]["url"].startswith("{") for i in data["interactions"])
    auth = next(i for i in data["interactions"] if i["request"]["url"].endswith("/auth/tokens"))
    assert auth["request"]["body"]["auth"]["identity"]["password"]["user"]["password"] == "<password>"
    assert auth["response"]["headers"]["X-Subject-Token"] == "<token>"
    replayed = cli(data, "image", "list", "-f", "json")
    assert replayed.code == 0 and json.loads(replayed.out) == json.loads(first)


def test_a_failing_command_still_writes_its_cassette(server, clean_env, monkeypatch, capsys):
    server("wrong-password")
    code, path = record(clean_env, monkeypatch, ["image", "list"], password="wrong-one")
    assert code == 1
    data = json.loads(path.read_text())
    assert data["interactions"][-1]["response"]["status"] == 401
    assert "wrong-one" not in path.read_text()


def test_scrub_names_replaces_user_and_project(server, clean_env, monkeypatch, capsys):
    server("image-list")
    code, path = record(clean_env, monkeypatch, ["--scrub-names", "image", "list"], user="alice", project="lab")
    assert code == 0
    assert "alice" not in path.read_text() and '"lab"' not in path.read_text()
    auth = next(i for i in json.loads(path.read_text())["interactions"] if i["request"]["url"].endswith("/auth/tokens"))
    assert auth["request"]["body"]["auth"]["identity"]["password"]["user"]["name"] == "<user>"
    assert auth["request"]["body"]["auth"]["scope"]["project"]["name"] == "<project>"


def test_admin_pass_in_a_create_response_is_scrubbed():
    from osops.testing.recorder import Exchange
    from osops.testing.scrub import to_cassette

    body = json.dumps({"server": {"id": "s1", "adminPass": "dGBd6vj55vP2"}}).encode()
    x = Exchange("POST", "http://h:8774/v2.1/servers", b'{"server": {"name": "a"}}', {}, 202,
                 {"Content-Type": "application/json"}, body)
    data = to_cassette([x])
    assert "dGBd6vj55vP2" not in json.dumps(data)
    assert data["interactions"][0]["response"]["json"]["server"]["adminPass"] == "<password>"


def test_a_password_that_is_a_common_word_masks_only_the_password(server, clean_env, monkeypatch, capsys, cli):
    # "admin" is also the user, the project, a role, an endpoint interface
    # and the start of admin_state_up: only the password and names go.
    server("doctor")
    code, path = record(clean_env, monkeypatch, ["--scrub-names", "doctor", "--no-host", "-f", "json"],
                        password="admin", user="admin", project="admin")
    recorded = json.loads(capsys.readouterr().out)
    assert code == 0
    text = path.read_text()
    assert TOKEN not in text and "<password>_state_up" not in text and '"admin_state_up"' in text
    data = json.loads(text)
    auth = next(i for i in data["interactions"] if i["request"]["url"].endswith("/auth/tokens"))
    user = auth["request"]["body"]["auth"]["identity"]["password"]["user"]
    assert user["password"] == "<password>" and user["name"] == "<user>"
    token = auth["response"]["json"]["token"]
    assert token["user"]["name"] == "<user>" and token["project"]["name"] == "<project>"
    assert "admin" in {r["name"] for r in token["roles"]}
    assert {"public", "internal", "admin"} == {e["interface"] for s in token["catalog"] for e in s["endpoints"]}
    replayed = cli(data, "doctor", "--no-host", "-f", "json")
    assert replayed.code == 0, replayed.err
    results = {r["Check"]: r["Result"] for r in replayed.json()}
    assert results == {r["Check"]: r["Result"] for r in recorded}
    assert results["Compute services"] == "OK"  # the admin role survived: admin-only checks still run
    assert "to <user> on <project>; roles: admin, manager, member, reader" in next(
        r["Found"] for r in replayed.json() if r["Check"] == "Token")
