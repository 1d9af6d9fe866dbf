"""osops ssh and boot's readiness on a real guest of the loopback cloud:
one guest booted with ``wait_for="ssh"`` (the boot returns once its port
22 sends an SSH banner, seen from its network's namespace), with a
keypair made with openstacksdk and a group that lets SSH in; osops ssh
reaches it from that namespace as cirros (the image's name says so),
prints what the remote command prints and exits with its status."""

import subprocess

import pytest

from osops import security_groups, servers

pytestmark = [pytest.mark.integration, pytest.mark.guest]

OPEN = [{"protocol": "icmp"}, {"protocol": "tcp", "port_range_min": 22, "port_range_max": 22}]


@pytest.fixture(scope="module")
def guest(guests, tmp_path_factory):
    conn = guests.connect()
    key = tmp_path_factory.mktemp("ssh") / "id"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    name = f"{guests.prefix}-ssh"
    keypair = conn.compute.create_keypair(name=name, public_key=key.with_suffix(".pub").read_text())
    group = conn.network.create_security_group(name=name)
    try:
        for rule in OPEN:
            conn.network.create_security_group_rule(security_group_id=group.id, direction="ingress",
                                                    ethertype="IPv4", **rule)
        with servers.booted(conn, name, image="cirros-0.6", flavor="m1.tiny", network="private",
                            key_name=name, security_groups=[group.id], wait_for="ssh", timeout=300) as (server,):
            yield {"name": name, "server": server, "key": str(key)}
    finally:
        conn.compute.delete_keypair(keypair)
        security_groups.delete_groups(conn, [group])


def ssh(guests, guest, *command, identity=None):
    return guests.run("ssh", guest["name"], "--identity", identity or guest["key"], "--batch", "--", *command,
                      timeout=120)


def test_ssh_runs_the_command_and_passes_its_status_through(guests, guest):
    done = ssh(guests, guest, "hostname")
    assert (done.returncode, done.stdout.strip()) == (0, guest["name"]), done.stderr
    assert ssh(guests, guest, "false").returncode == 1
    assert ssh(guests, guest, "exit", "7").returncode == 7
    known = guests.home / ".local" / "state" / "osops" / "known_hosts"
    [address] = guest["server"].ips("fixed")
    # osops's own known_hosts (shared with the other guests' ssh steps of the session), the guest's key in it
    assert any(line.startswith(f"{address} ssh-") for line in known.read_text().splitlines())


def test_a_key_others_may_read_is_refused_with_the_fix(guests, guest, tmp_path):
    key = tmp_path / "id"
    key.write_bytes(open(guest["key"], "rb").read())
    key.chmod(0o644)
    done = ssh(guests, guest, "true", identity=str(key))
    assert done.returncode == 2 and done.stderr.strip().endswith(f"chmod 600 {key}")
