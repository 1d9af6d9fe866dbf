"""osops ssh on its recorded session (the guest h3-ssh; its network's
ovnmeta- namespace stands in as this host's) with a fake ssh and ip on
PATH: the command line it runs and the exit status it passes through."""

import copy

import pytest

from tests.unit.conftest import cassette


def port():
    """The recorded h3-ssh's one port."""
    [ports] = [i for i in cassette("ssh")["interactions"] if i["request"]["url"].endswith("/ports")]
    return ports["response"]["json"]["ports"][0]


def network_id():
    return port()["network_id"]


def address():
    """The fixed IP the recorded h3-ssh has (so a re-recording keeps the tests)."""
    return port()["fixed_ips"][0]["ip_address"]


@pytest.fixture
def here(monkeypatch):
    """This host has the recorded network's ovnmeta- namespace."""
    namespace = f"ovnmeta-{network_id()}"
    monkeypatch.setattr("osops.host.netns.list_namespaces", lambda: [namespace])
    return namespace


@pytest.mark.parametrize("status", [0, 1, 42])
def test_the_remote_commands_status_is_osops_status(cli, fake_ssh, here, monkeypatch, status):
    monkeypatch.setenv("FAKE_SSH_EXIT", str(status))
    r = cli("ssh", "ssh", "h3-ssh", "--batch", "--", "hostname", "-f")
    assert r.code == status, r.err
    ip, argv = fake_ssh.read_text().splitlines()
    assert ip == f"ip netns exec {here}"
    assert " -l cirros " in argv and "BatchMode=yes" in argv  # cirros: the image's name says so
    assert argv.endswith(f" -- {address()} hostname -f")


def test_ssh_that_cannot_log_in_is_said_and_exits_255(cli, fake_ssh, here, monkeypatch):
    monkeypatch.setenv("FAKE_SSH_EXIT", "255")
    r = cli("ssh", "ssh", "h3-ssh", "--batch", "--", "hostname")
    assert r.code == 255
    assert r.err.startswith(f"ssh could not log in to cirros@{address()} (from {here}) (its message is above); "
                            "is it up and does its security group allow SSH?")


def test_a_user_given_asks_no_image(cli, fake_ssh, here):
    r = cli("ssh", "ssh", "h3-ssh", "--user", "root", "--", "true")
    assert r.code == 0, r.err
    assert not [c for c in r.calls if "/images/" in c] and " -l root " in fake_ssh.read_text()


def test_an_identity_others_may_read_is_refused_before_the_cloud_is_asked(cli, fake_ssh, tmp_path):
    key = tmp_path / "key"
    key.write_text("not really a key")
    key.chmod(0o640)
    r = cli("ssh", "ssh", "h3-ssh", "--identity", str(key), unmatched_ok=True)
    assert r.code == 2 and r.err.endswith(f"; chmod 600 {key}\n") and r.calls == []
    assert not fake_ssh.exists()


def test_a_server_with_no_address_is_one_line_exit_1(cli, fake_ssh, here):
    data = copy.deepcopy(cassette("ssh"))
    [listed] = [i for i in data["interactions"] if i["request"]["url"].endswith("/servers/detail")]
    listed["response"]["json"]["servers"][0]["addresses"] = {}  # the edit: no port bound yet
    r = cli(data, "ssh", "h3-ssh")
    assert (r.code, r.err.count("\n")) == (1, 1)
    assert r.err.startswith("cannot reach h3-ssh from this host: h3-ssh has no address (ACTIVE)")
    assert not fake_ssh.exists()
