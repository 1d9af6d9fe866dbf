"""The loopback cloud's real networking, ML2/OVN, and osops on it.

A server (a real guest, or a namespace standing in for it where the cloud's
servers are fake: tools/devcloud/lib/devcloud_virt.py) takes its address
from OVN's DHCP through its port on br-int; its security
groups are enforced (the network's ovnmeta- namespace is no member of the
default group, so a fresh server does not answer ping from there until a
group lets ICMP in); a floating IP answers from devcloud-ext, the outside
of the external network `public`; `osops bridge list` ties its br-int port
to it; suspend silences it and delete takes its namespace away; `osops
doctor` has no FAIL, and names ovn-controller when it is stopped.  Every
packet stays in the namespaces and bridges the cloud made.
"""

import json
import subprocess
import time

import pytest

from osops import security_groups
from tests.devcloud_tool import DEVCLOUD
from tests.integration.devcloud import STATE, virt

pytestmark = pytest.mark.integration

FAST = ("--count", "1", "--interval", "0.2", "--timeout", "1")
ICMP = {"direction": "ingress", "protocol": "icmp", "ethertype": "IPv4"}
REAL = virt() in ("kvm", "qemu")
BOOTED = 180 if REAL else 10  # seconds a new server may take to answer: a guest under TCG boots in seconds


def console(conn, server_id):
    return conn.compute.get_server_console_output(server_id)["output"] or ""


def wait_console(conn, server_id, text, seconds=BOOTED):
    """The server's console log once it shows *text* (a real guest's boot); AssertionError after *seconds*."""
    deadline = time.monotonic() + seconds
    while True:
        out = console(conn, server_id)
        if text in out:
            return out
        assert time.monotonic() < deadline, f"no {text!r} on the console in {seconds}s; its tail:\n{out[-2000:]}"
        time.sleep(1)


@pytest.fixture(scope="module")
def conn(ovn):
    return ovn.connect()


@pytest.fixture(scope="module")
def closed_group(ovn, conn):
    """A group of the tests' own with no ingress rule (its servers answer nobody outside it)."""
    group = conn.network.create_security_group(name=f"{ovn.prefix}-closed")
    yield group
    security_groups.delete_groups(conn, [group])  # once its servers' ports let go of it


@pytest.fixture(scope="module")
def server(ovn, conn, closed_group):
    """A server booted in the closed group, deleted at the end."""
    name = f"{ovn.prefix}-ovn"
    [row] = ovn.ok("boot", name, "--flavor", "m1.tiny", "--image", "cirros-0.6", "-f", "json", timeout=600)
    found = conn.compute.get_server(row["ID"])
    [port] = conn.network.ports(device_id=found.id)
    conn.network.update_port(port, security_group_ids=[closed_group.id])
    if REAL:
        wait_console(conn, found.id, "login:")  # up, its network configured
    yield {"name": name, "id": found.id, "port": port, "address": port.fixed_ips[0]["ip_address"]}
    ovn.run("delete", name, "--wait", timeout=300)


def in_namespace(ns, *argv):
    return subprocess.run(["ip", "netns", "exec", ns, *argv], capture_output=True, text=True, timeout=30)


def ping(cloud, name, *extra):
    done = cloud.run("ping", name, "--netns", "auto", *FAST, *extra, "-f", "json", timeout=60)
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else done.stderr


def answers_within(cloud, name, seconds, *extra):
    deadline = time.monotonic() + seconds
    while True:
        code, rows = ping(cloud, name, *extra)
        if code == 0 or time.monotonic() > deadline:
            return code, rows


def test_the_server_takes_its_address_from_ovn_dhcp(conn, server):
    """Nothing sets the address but the DHCP client: the one the server has
    is Neutron's, with the subnet's router as its gateway and OVN's route to
    the metadata service (a real guest says so on its console)."""
    if REAL:
        out = console(conn, server["id"])
        assert f"Lease of {server['address']} obtained" in out, out[-2000:]
        assert "route-info: default via 10.0.0.1 dev eth0" in out and "route-info: 169.254.169.254 via 10.0.0." in out
        return
    ns = f"devcloud-{server['id']}"
    addresses = in_namespace(ns, "ip", "-4", "-o", "addr", "show", "eth0").stdout
    assert f"inet {server['address']}/26 " in addresses
    routes = in_namespace(ns, "ip", "-4", "route").stdout
    assert "default via 10.0.0.1 dev eth0" in routes and "169.254.169.254 via 10.0.0." in routes


def test_security_groups_are_enforced(ovn, conn, server, closed_group):
    code, rows = ping(ovn, server["name"])
    assert code == 1 and rows[0]["Namespace"].startswith("ovnmeta-") and rows[0]["Received"] == 0, rows
    rule = conn.network.create_security_group_rule(security_group_id=closed_group.id, **ICMP)
    try:
        code, rows = answers_within(ovn, server["name"], 5)
        assert code == 0 and rows[0]["Received"] == 1, rows
    finally:
        conn.network.delete_security_group_rule(rule)
    code, rows = answers_within(ovn, server["name"], 0)
    assert code == 1, rows


def test_a_floating_ip_answers_from_the_outside(ovn, conn, server, closed_group):
    public = conn.network.find_network("public", ignore_missing=False)
    rule = conn.network.create_security_group_rule(security_group_id=closed_group.id, **ICMP)
    fip = conn.network.create_ip(floating_network_id=public.id, port_id=server["port"].id)
    try:
        code, rows = answers_within(ovn, server["name"], 10, "--address-type", "floating")
        assert code == 0, rows
        assert (rows[0]["Address"], rows[0]["Namespace"]) == (fip.floating_ip_address, "devcloud-ext")
    finally:
        conn.network.delete_ip(fip)
        conn.network.delete_security_group_rule(rule)


def test_bridge_list_ties_the_port_on_br_int_to_its_server(ovn, server):
    [bridge] = ovn.ok("bridge", "list", "--server", server["name"], "-f", "json")
    assert (bridge["Bridge"], bridge["Type"]) == ("br-int", "ovs")
    assert f"tap{server['port'].id[:11]} ({server['name']})" in bridge["Interfaces"]


def test_suspend_silences_the_server_and_delete_takes_its_namespace(ovn, conn, closed_group):
    name = f"{ovn.prefix}-sleep"
    group = conn.network.create_security_group(name=f"{ovn.prefix}-icmp")
    conn.network.create_security_group_rule(security_group_id=group.id, **ICMP)
    try:
        [row] = ovn.ok("boot", name, "--flavor", "m1.tiny", "--image", "cirros-0.6", "-f", "json", timeout=600)
        [port] = conn.network.ports(device_id=row["ID"])
        conn.network.update_port(port, security_group_ids=[group.id])
        assert answers_within(ovn, name, BOOTED)[0] == 0
        ovn.ok("suspend", name, "--wait", "-f", "json", timeout=300)
        code, rows = ping(ovn, name)
        assert code == 1 and f"{name} is SUSPENDED" in rows[0]["Result"], rows
        ovn.ok("resume", name, "--wait", "-f", "json", timeout=300)
        assert answers_within(ovn, name, 10)[0] == 0  # the same address (a fake server asks DHCP again)
        ovn.ok("delete", name, "--wait", "-f", "json", timeout=300)
        listed = subprocess.run(["virsh", "-c", "qemu:///system", "list", "--all", "--uuid"] if REAL else
                                ["ip", "netns", "list"], capture_output=True, text=True).stdout
        assert row["ID"] not in listed  # the guest's domain, or the fake server's namespace, is gone
    finally:
        ovn.run("delete", name, "--wait", timeout=300)
        security_groups.delete_groups(conn, [group])


def doctor_rows(cloud):
    done = cloud.run("doctor", "-f", "json", timeout=120)
    return done.returncode, {r["Check"]: r for r in json.loads(done.stdout)}


def test_doctor_finds_no_fault_and_names_a_stopped_ovn_controller(ovn):
    code, rows = doctor_rows(ovn)
    assert code == 0 and not [r for r in rows.values() if r["Result"] == "FAIL"], rows
    assert {rows[c]["Result"] for c in ("OVN northbound", "OVN southbound", "ovn-northd", "ovn-controller",
                                        "OVN chassis", "OVN metadata agent")} == {"OK"}
    pid = int((STATE / "run" / "ovn-controller.pid").read_text().split()[0])
    subprocess.run(["kill", str(pid)], check=True)
    try:
        for _ in range(50):
            if subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode:
                break
            time.sleep(0.1)
        code, rows = doctor_rows(ovn)
        assert code == 1 and rows["ovn-controller"]["Result"] == "FAIL", rows
        assert rows["ovn-controller"]["Found"].startswith("not running")
    finally:
        up = subprocess.run([str(DEVCLOUD / "devcloud"), "up"], capture_output=True, text=True, timeout=300)
        assert up.returncode == 0, up.stderr
    assert doctor_rows(ovn)[1]["ovn-controller"]["Result"] == "OK"
