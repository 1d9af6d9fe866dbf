"""Record through the real CLI with requests-mock as the server, then replay."""

import json
import os
import pathlib

import pytest
import requests_mock

from osops.cli.app import main
from osops.testing.replay import Replay
from tests.unit.conftest import cassette

PASSWORD = "known-Passw0rd-42"
# A made-up token in Fernet's shape, written in two parts so that secret scanners
# of the repository do not take it for a real one.
TOKEN = "gAAAAA" "BnRecordedTokenThatMustNeverReachTheDisk0123456789"
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


def point_at_server(monkeypatch, password=PASSWORD, user="admin", project="admin"):
    """OS_* variables for the fake cloud at HOST."""
    for k, v in {"OS_AUTH_URL": f"http://{HOST}:5000", "OS_USERNAME": user, "OS_PASSWORD": password,
                 "OS_PROJECT_NAME": project, "OS_USER_DOMAIN_ID": "default",
                 "OS_PROJECT_DOMAIN_ID": "default"}.items():
        monkeypatch.setenv(k, v)


def record(clean_env, monkeypatch, argv, password=PASSWORD, user="admin", project="admin"):
    point_at_server(monkeypatch, password, user, project)
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


def test_this_machines_name_as_a_value_is_scrubbed(monkeypatch):
    """A hypervisor on the recording machine carries its host name; a name
    that merely contains it stays."""
    from osops.testing.recorder import Exchange
    from osops.testing.scrub import to_cassette

    monkeypatch.setattr("socket.gethostname", lambda: "labhost")
    monkeypatch.setattr("socket.getfqdn", lambda: "labhost.example.org")
    body = json.dumps({"server": {"OS-EXT-SRV-ATTR:hypervisor_hostname": "labhost", "host": "labhost.example.org",
                                  "name": "labhost-web"}}).encode()
    x = Exchange("GET", "http://h:8774/v2.1/servers/s1", None, {}, 200, {"Content-Type": "application/json"}, body)
    server = to_cassette([x])["interactions"][0]["response"]["json"]["server"]
    assert server == {"OS-EXT-SRV-ATTR:hypervisor_hostname": "cloud-host", "host": "cloud-host",
                      "name": "labhost-web"}


def test_the_command_line_is_scrubbed_like_the_bodies():
    from osops.testing.recorder import Exchange
    from osops.testing.scrub import to_cassette

    auth = json.dumps({"auth": {"identity": {"password": {"user": {"name": "admin", "password": PASSWORD}}}}})
    x = Exchange("POST", "http://192.0.2.7:5000/v3/auth/tokens", auth.encode(), {}, 401,
                 {"Content-Type": "application/json"}, b'{"error": {"code": 401}}')
    command = f"scenario run lab --var pw={PASSWORD} --var host=192.0.2.7 --var token={TOKEN} --var user=admin"
    assert to_cassette([x], command)["command"] == ("scenario run lab --var pw=<password> --var host=cloud-host "
                                                    "--var token=<token> --var user=admin")


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


RECORD_TWO_CONNECTIONS = """
import os, socket, sys
from tests.conftest import _guarded, _real_connect
socket.socket.connect = _guarded(_real_connect)  # loopback only, as in every test
import requests_mock
import osops
from osops import cloud, flavors, images
from osops.testing.replay import Replay
player = Replay(sys.argv[1], bases={n: f"http://{sys.argv[2]}:{p}" for n, p in
                (("identity", 5000), ("image", 9292), ("compute", 8774), ("network", 9696))})
adapter = requests_mock.Adapter()
adapter.add_matcher(player.match)
cloud._recorded_session(os.environ["OSOPS_RECORD"], transport=adapter)  # the process's recorder sends to the replay
for listing in (images.list_images, flavors.list_flavors):
    conn = osops.connect(auth_url=f"http://{sys.argv[2]}:5000", username="admin", password=sys.argv[3],
                         project_name="admin", user_domain_id="default", project_domain_id="default")
    listing(conn)
"""


def test_osops_record_saves_every_connection_of_a_python_script_once_at_exit(clean_env):
    import subprocess
    import sys

    path = clean_env / "api.json"
    source = pathlib.Path(__file__).parent.parent / "cassettes" / "boot.json"
    done = subprocess.run([sys.executable, "-c", RECORD_TWO_CONNECTIONS, str(source), HOST, PASSWORD],
                          env={**os.environ, "OSOPS_RECORD": str(path)}, capture_output=True, text=True,
                          timeout=120, cwd=pathlib.Path(__file__).parent.parent.parent)
    assert done.returncode == 0, done.stderr
    text = path.read_text()
    assert PASSWORD not in text and HOST not in text
    data = json.loads(text)
    assert data["command"] == "python api"
    calls = [f"{i['request']['method']} {i['request']['url']}" for i in data["interactions"]]
    assert calls.count("POST {identity}/v3/auth/tokens") == 2  # both connections
    assert "GET {image}/v2/images" in calls and "GET {compute}/v2.1/flavors/detail" in calls


def test_record_into_a_missing_directory_is_refused_before_any_call(server, clean_env, monkeypatch, capsys):
    player = server("image-list")
    missing = clean_env / "no" / "such" / "dir" / "x.json"
    point_at_server(monkeypatch)
    assert main(["--record", str(missing), "image", "list"]) == 2
    err = capsys.readouterr().err
    assert err == f"--record {missing}: there is no directory {missing.parent}; create it or record elsewhere\n"
    assert player.calls == []


def test_a_recording_that_cannot_be_written_is_one_line_and_exit_1(server, clean_env, monkeypatch, capsys):
    server("image-list")
    target = clean_env / "full.json"

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("osops.testing.cassette.tempfile.mkstemp", disk_full)
    point_at_server(monkeypatch)
    code = main(["--record", str(target), "image", "list", "-f", "value", "-c", "Name"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "cirros-0.6.2-x86_64-disk" in out  # the command itself ran
    assert err.splitlines()[-1] == f"osops: cannot write the recording {target}: No space left on device"
    assert "Traceback" not in err and not target.exists()
