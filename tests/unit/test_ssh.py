"""osops ssh's parts: the login user from the image, the identity file's
permissions, osops's known_hosts when addresses are reused, the ssh
command line (inside ``ip netns exec`` when needed) and the remote
command after ``--``."""

import argparse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from osops import ssh
from osops.cli.ssh import after_dashes
from osops.errors import OsopsError, UsageError
from osops.models import Address, Server

V4 = Address("private", "10.0.0.5", 4, "fixed", "fa:16:3e:00:00:01")
FIP = Address("private", "172.24.4.9", 4, "floating", "fa:16:3e:00:00:01")


def server(*addresses, name="web"):
    return Server(id=f"id-{name}", name=name, status="ACTIVE", task_state=None, power_state="Running",
                  addresses=tuple(addresses))


# -- the user ------------------------------------------------------------------

@pytest.mark.parametrize("name, properties, user, expected", [
    ("ubuntu-24.04", {"os_admin_user": "ubuntu"}, None, "ubuntu"),
    ("debian-12", {"default_user": "debian"}, None, "debian"),
    ("rhel", {"os_admin_user": "cloud-user", "default_user": "other"}, None, "cloud-user"),
    ("cirros-0.6.2-x86_64-disk", {}, None, "cirros"),
    ("CirrOS", {"os_admin_user": " "}, None, "cirros"),
    ("ubuntu-24.04", {"os_admin_user": "ubuntu"}, "root", "root"),
    ("anything", {}, "admin", "admin"),
])
def test_the_user_comes_from_the_image_unless_given(name, properties, user, expected):
    assert ssh.login_user(name, properties, user) == expected


def test_an_image_with_no_known_user_and_no_user_given_is_a_usage_error():
    with pytest.raises(UsageError) as err:
        ssh.login_user("fedora-40", {"stores": "fs"})
    assert err.value.exit_code == 2
    assert "fedora-40" in str(err.value) and "--user" in str(err.value)


@given(st.text(max_size=40))
def test_any_user_given_is_taken_or_refused_in_one_line(user):
    try:
        assert ssh.login_user("cirros", {}, user) == (user or "cirros")
    except UsageError as exc:
        assert "\n" not in str(exc) and "--user" in str(exc)


# -- the identity file -----------------------------------------------------------

def test_a_private_key_others_may_read_is_refused_with_the_chmod_fix(tmp_path):
    key = tmp_path / "id"
    key.write_text("key")
    key.chmod(0o644)
    with pytest.raises(UsageError) as err:
        ssh.check_identity(str(key))
    assert err.value.exit_code == 2 and f"chmod 600 {key}" in str(err.value) and "0644" in str(err.value)
    key.chmod(0o600)
    assert ssh.check_identity(str(key)) == str(key)


def test_a_missing_identity_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="No such file"):
        ssh.check_identity(str(tmp_path / "nope"))


# -- known_hosts -------------------------------------------------------------------

KNOWN = ("10.0.0.5 ssh-ed25519 AAAAold\n"
         "10.0.0.6 ssh-ed25519 AAAAother\n"
         "# a comment naming 10.0.0.5\n"
         "[10.0.0.5]:2222 ssh-rsa AAAAport\n"
         "10.0.0.50,10.0.0.7 ssh-ed25519 AAAAnear\n")


def test_an_address_now_of_another_server_forgets_its_old_key(tmp_path):
    known = tmp_path / "known_hosts"
    known.write_text(KNOWN)
    assert ssh.forget_reused("10.0.0.5", "server-a", known) is None  # first seen: remembered, nothing dropped
    assert known.read_text() == KNOWN
    assert ssh.forget_reused("10.0.0.5", "server-a", known) is None  # the same server: its key stays
    assert known.read_text() == KNOWN
    assert ssh.forget_reused("10.0.0.5", "server-b", known) == "server-a"
    assert known.read_text() == ("10.0.0.6 ssh-ed25519 AAAAother\n"
                                 "# a comment naming 10.0.0.5\n"
                                 "10.0.0.50,10.0.0.7 ssh-ed25519 AAAAnear\n")
    assert oct(known.stat().st_mode & 0o777) == "0o600"
    assert ssh.forget_reused("10.0.0.5", "server-b", known) is None


def test_the_known_hosts_file_is_under_xdg_state(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert ssh.known_hosts_path() == tmp_path / "osops" / "known_hosts"


# -- the address and the ssh command line -------------------------------------------

def test_the_floating_address_is_taken_first_and_from_this_host(monkeypatch):
    monkeypatch.setattr("osops.host.targets.default_route_only", lambda *a: "")
    monkeypatch.setattr("osops.host.netns.list_namespaces", lambda: [])
    target = ssh.address_of(Ports([]), server(V4, FIP))
    assert (target.address, target.netns) == ("172.24.4.9", None)


def test_a_fixed_address_is_reached_from_its_networks_namespace(monkeypatch):
    monkeypatch.setattr("osops.host.netns.list_namespaces", lambda: ["ovnmeta-net1"])
    target = ssh.address_of(Ports([Port("id-web", V4.mac, "net1")]), server(V4))
    assert (target.address, target.netns) == ("10.0.0.5", "ovnmeta-net1")


def test_a_server_with_no_reachable_address_is_one_line(monkeypatch):
    monkeypatch.setattr("osops.host.netns.list_namespaces", lambda: [])
    with pytest.raises(ssh.Unreachable) as err:
        ssh.address_of(Ports([]), server(name="lonely"))
    assert err.value.exit_code == 1 and "lonely has no address" in str(err.value)
    assert "\n" not in str(err.value)


def test_the_argv_enters_the_namespace_and_ends_options_before_the_address(tmp_path):
    target = ssh.Reach(server(V4), "10.0.0.5", "ovnmeta-net1", "cirros")
    argv = ssh.ssh_argv(target, tmp_path / "kh", "/keys/id", ["ls", "-l"], batch=True)
    assert argv[:5] == ["ip", "netns", "exec", "ovnmeta-net1", "ssh"]
    assert argv[-4:] == ["--", "10.0.0.5", "ls", "-l"]
    options = argv[5:-4]
    assert f"UserKnownHostsFile={tmp_path / 'kh'}" in options and "StrictHostKeyChecking=accept-new" in options
    assert "BatchMode=yes" in options and options[options.index("-i") + 1] == "/keys/id"
    assert options[options.index("-l") + 1] == "cirros"
    plain = ssh.ssh_argv(ssh.Reach(server(FIP), "172.24.4.9", None, "ubuntu"), tmp_path / "kh")
    assert plain[0] == "ssh" and plain[-2:] == ["--", "172.24.4.9"] and "BatchMode=yes" not in plain


@given(st.lists(st.text(max_size=12), max_size=6))
def test_the_remote_command_is_taken_word_for_word(words):
    try:
        got = ssh.check_command(words)
    except UsageError as exc:
        assert any("\0" in w for w in words) and "\n" not in str(exc)
    else:
        assert got == (words[1:] if words[:1] == ["--"] else words)


@given(st.lists(st.text(alphabet="-abx ", min_size=1, max_size=6), max_size=5))
def test_everything_after_the_dashes_is_the_command_even_options(words):
    parser = after_dashes(_parser())
    parsed = parser.parse_args(["web", "--user", "u", "--", *words])
    assert (parsed.server, parsed.user, parsed.command) == ("web", "u", words)
    assert parser.parse_args(["web"]).command == []


def _parser():
    parser = argparse.ArgumentParser(prog="osops ssh")
    parser.add_argument("server")
    parser.add_argument("--user")
    return parser


# -- running ssh: exit status passthrough with a fake ssh ------------------------------

class Port:
    def __init__(self, device_id, mac_address, network_id):
        self.device_id, self.mac_address, self.network_id = device_id, mac_address, network_id


class Ports:
    """A connection whose network lists *ports* of servers (no router ports, no networks)."""

    def __init__(self, ports):
        self.network = self
        self._ports = ports

    def ports(self, device_id=(), **filters):
        return [p for p in self._ports if p.device_id in device_id]

    def networks(self):
        return []


@pytest.mark.parametrize("status", [0, 1, 7])
def test_the_remote_status_passes_through(fake_ssh, monkeypatch, status):
    monkeypatch.setenv("FAKE_SSH_EXIT", str(status))
    monkeypatch.setattr("osops.host.netns.list_namespaces", lambda: ["ovnmeta-net1"])
    done = ssh.run(Ports([Port("id-web", V4.mac, "net1")]), server(V4), ["hostname"], user="cirros",
                   capture=True)
    assert done.returncode == status and done.stdout == "fake says hi\n"
    logged = fake_ssh.read_text().splitlines()
    assert logged[0] == "ip netns exec ovnmeta-net1" and logged[1].endswith("-- 10.0.0.5 hostname")


def test_ssh_that_cannot_log_in_is_an_osops_message(fake_ssh, monkeypatch):
    monkeypatch.setenv("FAKE_SSH_EXIT", "255")
    monkeypatch.setattr("osops.host.netns.list_namespaces", lambda: ["ovnmeta-net1"])
    with pytest.raises(ssh.SshFailed) as err:
        ssh.run(Ports([Port("id-web", V4.mac, "net1")]), server(V4), ["true"], user="cirros", capture=True)
    assert err.value.exit_code == 255
    assert str(err.value).startswith("ssh could not log in to cirros@10.0.0.5 (from ovnmeta-net1) "
                                  "(Permission denied (publickey).)")
    assert "osops diagnose web" in str(err.value)


def test_a_reused_address_says_one_info_line(fake_ssh, monkeypatch, caplog):
    monkeypatch.setattr("osops.host.netns.list_namespaces", lambda: [])
    monkeypatch.setattr("osops.host.targets.default_route_only", lambda *a: "")
    known = ssh.known_hosts_path()
    known.parent.mkdir(parents=True)
    known.write_text("172.24.4.9 ssh-ed25519 AAAAold\n")
    ssh.run(Ports([]), server(FIP, name="old"), [], user="u", capture=True)
    caplog.set_level("INFO", "osops")
    ssh.run(Ports([]), server(FIP, name="new"), [], user="u", capture=True)
    assert known.read_text() == ""
    [line] = [r.getMessage() for r in caplog.records if r.levelname == "INFO"]
    assert line == "172.24.4.9 now belongs to new (it was server id-old's): its old host key is forgotten"


def test_no_ssh_installed_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr("osops.host.netns.list_namespaces", lambda: [])
    monkeypatch.setattr("osops.host.targets.default_route_only", lambda *a: "")
    with pytest.raises(OsopsError, match="ssh is not installed; install openssh-client"):
        ssh.run(Ports([]), server(FIP), [], user="u")
