"""Real guests on the loopback cloud (Nova's libvirt driver under QEMU):
what people run osops for after an install, "does a VM really come up and
can I reach it".  A guest booted with a keypair and a group that lets ping
and SSH in takes its DHCP lease (its console log says so, through Nova's
API), reads the metadata service (its hostname is the server's name),
answers ping from the network's ovnmeta- namespace, and lets the keypair in
over SSH from there; `devcloud status` lists it with its console log.
Its lifecycle is real: paused it does not answer and unpaused it does, at
the same address; a hard reboot boots its kernel again (a new boot id);
deleted, its QEMU process and the memory it held are gone.  An integration
test that fails prints the guest's console tail.
"""

import os
import pathlib
import subprocess
import time

import pytest

from osops import security_groups
from tests.devcloud_tool import DEVCLOUD

pytestmark = [pytest.mark.integration, pytest.mark.guest]

OPEN = [{"protocol": "icmp"}, {"protocol": "tcp", "port_range_min": 22, "port_range_max": 22}]


@pytest.fixture(scope="module")
def conn(guests):
    return guests.connect()


@pytest.fixture(scope="module")
def guest(guests, conn, tmp_path_factory):
    """A guest with the test's keypair, in a group that lets ping and SSH in; all deleted at the end."""
    key = tmp_path_factory.mktemp("ssh") / "id"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    name = f"{guests.prefix}-guest"
    keypair = conn.compute.create_keypair(name=name, public_key=key.with_suffix(".pub").read_text())
    group = conn.network.create_security_group(name=name)
    for rule in OPEN:
        conn.network.create_security_group_rule(security_group_id=group.id, direction="ingress",
                                                ethertype="IPv4", **rule)
    server = None
    try:
        image = conn.image.find_image("cirros-0.6.2-x86_64-disk", ignore_missing=False)
        flavor = conn.compute.find_flavor("m1.tiny", ignore_missing=False)
        network = conn.network.find_network("private", ignore_missing=False)
        server = conn.compute.create_server(name=name, image_id=image.id, flavor_id=flavor.id,
                                            networks=[{"uuid": network.id}], key_name=name,
                                            security_groups=[{"name": group.id}])
        server = conn.compute.wait_for_server(server, interval=0.5, wait=300)
        address = next(a["addr"] for a in server.addresses["private"] if a["version"] == 4)
        yield {"name": name, "id": server.id, "address": address, "key": key, "netns": f"ovnmeta-{network.id}"}
    finally:
        if server is not None:  # the last test deleted it already
            conn.compute.delete_server(server, ignore_missing=True)
            conn.compute.wait_for_delete(server, interval=0.5, wait=300)
        conn.compute.delete_keypair(keypair)
        security_groups.delete_groups(conn, [group])


def tail(conn, guest):
    return "console tail:\n" + (conn.compute.get_server_console_output(guest["id"])["output"] or "")[-2000:]


def until(check, seconds):
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(1)
    return True


def test_the_guest_boots_takes_its_lease_and_reads_its_metadata(conn, guest):
    def console():
        return conn.compute.get_server_console_output(guest["id"])["output"] or ""

    assert until(lambda: "login:" in console(), 180), tail(conn, guest)
    out = console()
    assert f"Lease of {guest['address']} obtained" in out, tail(conn, guest)
    assert "=== datasource: metadata ===" in out and f"name: {guest['name']}" in out, tail(conn, guest)
    assert f"{guest['name']} login:" in out, tail(conn, guest)  # its hostname: the server's name


def answers_ping(guests, guest):
    return guests.run("ping", guest["name"], "--netns", "auto", "--count", "1", timeout=60).returncode == 0


def ssh(guest, command):
    """*command* run on the guest over SSH from its network's namespace (a CompletedProcess)."""
    return subprocess.run(
        ["ip", "netns", "exec", guest["netns"], "ssh", "-o", "StrictHostKeyChecking=no", "-o",
         "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=3", "-o", "BatchMode=yes", "-i",
         str(guest["key"]), f"cirros@{guest['address']}", command],
        capture_output=True, text=True, timeout=30)


def test_the_guest_answers_ping_and_lets_its_keypair_in_over_ssh(guests, conn, guest):
    ping = guests.run("ping", guest["name"], "--netns", "auto", "--count", "1", "-f", "json", timeout=60)
    assert until(lambda: answers_ping(guests, guest), 180), ping.stdout + tail(conn, guest)
    assert until(lambda: ssh(guest, "hostname").returncode == 0, 120), tail(conn, guest)
    assert ssh(guest, "hostname").stdout.strip() == guest["name"]


def test_devcloud_status_lists_the_guest_and_its_console_log(guest):
    status = subprocess.run([str(DEVCLOUD / "devcloud"), "status"], capture_output=True, text=True, timeout=60)
    assert status.returncode == 0, status.stdout + status.stderr
    [line] = [line for line in status.stdout.splitlines() if line.startswith("guest ") and "running" in line
              and guest["id"] in line]
    assert line.endswith(f"{guest['id']}/console.log") and "NOT BOOTED" not in line
    # what tells a guest that never booted: libvirt's pid file, written as its QEMU started
    assert os.path.exists(f"/run/libvirt/qemu/{line.split()[1]}.pid")


def test_paused_the_guest_does_not_answer_and_unpaused_it_does_at_the_same_address(guests, conn, guest):
    conn.compute.pause_server(guest["id"])
    conn.compute.wait_for_server(conn.compute.get_server(guest["id"]), status="PAUSED", interval=0.5, wait=60)
    assert not answers_ping(guests, guest)
    conn.compute.unpause_server(guest["id"])
    server = conn.compute.wait_for_server(conn.compute.get_server(guest["id"]), interval=0.5, wait=60)
    assert until(lambda: answers_ping(guests, guest), 60), tail(conn, guest)
    assert guest["address"] in [a["addr"] for a in server.addresses["private"]]


def test_a_hard_reboot_boots_the_guest_again(conn, guest):
    before = ssh(guest, "cat /proc/sys/kernel/random/boot_id")
    assert before.returncode == 0, before.stderr + tail(conn, guest)
    conn.compute.reboot_server(guest["id"], "HARD")
    time.sleep(2)  # Nova shows REBOOT, then ACTIVE again
    conn.compute.wait_for_server(conn.compute.get_server(guest["id"]), interval=0.5, wait=120)
    assert until(lambda: ssh(guest, "true").returncode == 0, 180), tail(conn, guest)
    after = ssh(guest, "cat /proc/sys/kernel/random/boot_id")
    assert after.stdout.strip() and after.stdout != before.stdout


def qemu_of(server_id):
    """(pid, resident kB) of the QEMU process running the server, or None."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
            status = pathlib.Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if b"qemu-system" in cmdline and server_id.encode() in cmdline:
            return int(pid), int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
    return None


def test_deleted_the_guest_frees_its_memory(conn, guest):
    held = qemu_of(guest["id"])
    assert held and held[1] > 32 * 1024, held  # a booted 128 MB guest holds tens of MB at least
    conn.compute.delete_server(guest["id"])
    conn.compute.wait_for_delete(conn.compute.get_server(guest["id"]), interval=0.5, wait=120)
    assert until(lambda: qemu_of(guest["id"]) is None, 30)
    assert guest["id"] not in subprocess.run(["virsh", "-c", "qemu:///system", "list", "--all", "--uuid"],
                                            capture_output=True, text=True, timeout=30).stdout
