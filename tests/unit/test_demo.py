"""The offline demo cloud: every demo command works with no cloud."""

import pytest
import yaml

from osops.cli.app import main

COMMANDS = [
    (["image", "list", "-f", "value", "-c", "Name"], "cirros-0.6.2-x86_64-disk"),
    (["flavor", "list", "-f", "value", "-c", "Name"], "m1.tiny"),
    (["boot", "--flavor", "m1.tiny", "--image", "cirros-0.6", "-f", "value", "-c", "Status"], "ACTIVE"),
    (["server", "list", "-f", "value", "-c", "Name"], "demo-1"),
    (["server", "show", "demo-1", "-f", "value", "-c", "status"], "ACTIVE"),
    (["suspend", "demo-1", "--wait", "-f", "value", "-c", "Status"], "SUSPENDED"),
    (["resume", "demo-1", "--wait", "-f", "value", "-c", "Status"], "ACTIVE"),
    (["delete", "demo-1", "--wait", "-f", "value", "-c", "Status"], "DELETED"),
]


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr("osops.wait.intervals", lambda: iter(lambda: 0.0, None))


@pytest.mark.parametrize("argv,expected", COMMANDS, ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_demo_command(clean_env, capsys, fast, argv, expected):
    assert main(["--os-cloud", "demo", *argv]) == 0
    out, err = capsys.readouterr()
    assert expected in out.split("\n")
    assert err.count("\n") == 1 and "demo cloud: replaying osops/demo/" in err


def test_os_cloud_variable_selects_the_demo(clean_env, capsys, fast, monkeypatch):
    monkeypatch.setenv("OS_CLOUD", "demo")
    assert main(["flavor", "list", "-f", "value", "-c", "ID"]) == 0
    assert "42" in capsys.readouterr().out.split("\n")


def test_a_command_the_demo_has_not_recorded_says_what_it_has(clean_env, capsys):
    assert main(["--os-cloud", "demo", "server", "list", "--all-projects"]) == 1
    assert "no recorded interaction" in capsys.readouterr().err


def test_a_clouds_yaml_cloud_named_demo_wins(clean_env, capsys, monkeypatch):
    path = clean_env / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"demo": {"auth": {"auth_url": "http://127.0.0.1:9/v3",
                    "username": "u", "password": "p", "project_name": "p", "user_domain_id": "default",
                    "project_domain_id": "default"}}}}))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    assert main(["--os-cloud", "demo", "image", "list"]) == 1
    err = capsys.readouterr().err
    assert "demo cloud" not in err and "127.0.0.1:9" in err
