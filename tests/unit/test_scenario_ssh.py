"""The scenario ssh action on the recorded guest h3-ssh (its network's
namespace standing in as this host's), with a fake ssh: its expect: of
the exit status and output, and boot's wait_for: argument."""


import pytest

from osops.cloud import connect
from osops.scenario import Engine, load_text
from osops.testing import replay
from tests.unit.conftest import edit, list_of_all
from tests.unit.test_cli_ssh import address, network_id


def run(steps):
    scenario = load_text(f"name: h3-ssh-test\nsteps:\n{steps}")
    with replay(edit("ssh", list_of_all)) as player:
        conn = connect(auth_url=player.auth_url, username="admin", password="x", project_name="admin",
                       user_domain_id="default", project_domain_id="default")
        report = Engine(conn, scenario, run_id="sshtest1", sleep=lambda s: None).run()
    return report.steps[0]


@pytest.fixture
def here(monkeypatch, fake_ssh):
    monkeypatch.setattr("osops.host.netns.list_namespaces", lambda: [f"ovnmeta-{network_id()}"])
    return fake_ssh


@pytest.mark.parametrize("status, expect, verdict, detail", [
    (0, "{exit: 0, output: fake says}", "PASS", "'hostname' on h3-ssh: exit 0, output has 'fake says'"),
    (3, "{exit: 3}", "PASS", "'hostname' on h3-ssh: exit 3"),
    (3, "{output: fake}", "FAIL", "h3-ssh exited 3, not 0"),
    (0, "{output: h3-ssh}", "FAIL", "h3-ssh's output lacks 'h3-ssh'"),
])
def test_ssh_expects_the_exit_status_and_output(clean_env, here, monkeypatch, status, expect, verdict, detail):
    monkeypatch.setenv("FAKE_SSH_EXIT", str(status))
    step = run(f"  - ssh: {{servers: h3-ssh, command: hostname, within: 0}}\n    expect: {expect}\n")
    assert (step.status, step.detail) == (verdict, detail)
    assert step.output == [f"h3-ssh: exit {status}", "  fake says hi"]
    assert "BatchMode=yes" in here.read_text()


def test_ssh_that_cannot_log_in_fails_the_step_saying_so(clean_env, here, monkeypatch):
    monkeypatch.setenv("FAKE_SSH_EXIT", "255")
    step = run("  - ssh: {servers: h3-ssh, command: hostname, within: 0}\n")
    assert step.status == "FAIL" and f"ssh could not log in to cirros@{address()}" in step.detail
    assert "Permission denied (publickey)." in step.detail


def test_ssh_to_a_server_this_host_cannot_reach_skips(clean_env, fake_ssh, monkeypatch):
    monkeypatch.setattr("osops.host.netns.list_namespaces", lambda: [])
    monkeypatch.setattr("osops.host.targets._auto_chooser",
                        lambda conn, pairs: lambda s, a: (None, "no namespace for network private on this host"))
    step = run("  - ssh: {servers: h3-ssh, command: hostname}\n")
    assert step.status == "SKIP" and "cannot reach h3-ssh from this host" in step.detail
    assert not fake_ssh.exists()


def test_boot_takes_wait_for_and_the_checker_refuses_another_phase():
    scenario = load_text("name: w\nsteps:\n  - boot: {image: cirros, flavor: m1.tiny, wait_for: SSH}\n")
    assert scenario.steps[0].args["wait_for"] == "ssh"
    with pytest.raises(Exception, match="wait_for is one of active, ping, ssh, login, not 'up'"):
        load_text("name: w\nsteps:\n  - boot: {image: cirros, flavor: m1.tiny, wait_for: up}\n")
