"""osops diagnose on one real guest, breaking one thing at a time.

The module's guest h5-guest lives on a network of its own (h5-net,
h5-subnet 10.55.5.0/24, an interface on router1) in a group of its own
(h5-sg, ICMP and SSH from anywhere) with a floating IP from ``public``,
all made with openstacksdk and deleted at the end, so that breaking them
touches nothing another test uses.  Diagnose of the intact guest passes
(ping and SSH from the network's ovnmeta- namespace, and of the floating
IP from the external network's outside, devcloud-ext); then each test
breaks one thing, checks that diagnose names exactly that thing first,
and puts it back: the ICMP rule, the floating IP, DHCP on the subnet (a
guest keeps its lease until it renews it, so diagnose names the subnet's
setting, from the API; the console still shows the old lease), and a
suspended server.
"""

import json
import time

import pytest

from osops import security_groups

pytestmark = [pytest.mark.integration, pytest.mark.guest]

NAME = "h5-guest"
CIDR = "10.55.5.0/24"


@pytest.fixture(scope="module")
def conn(guests):
    return guests.connect()


@pytest.fixture(scope="module")
def guest(guests, conn):
    """h5-guest on h5-net behind router1, in h5-sg, with a floating IP; all deleted at the end."""
    undo = []
    try:
        net = conn.network.create_network(name="h5-net")
        undo.append(lambda: conn.network.delete_network(net))
        subnet = conn.network.create_subnet(name="h5-subnet", network_id=net.id, cidr=CIDR, ip_version=4)
        undo.append(lambda: conn.network.delete_subnet(subnet))
        router = conn.network.find_router("router1", ignore_missing=False)
        conn.network.add_interface_to_router(router, subnet=subnet.id)
        undo.append(lambda: conn.network.remove_interface_from_router(router, subnet=subnet.id))
        group = conn.network.create_security_group(name="h5-sg")
        undo.append(lambda: security_groups.delete_groups(conn, [group]))
        rules = {protocol: conn.network.create_security_group_rule(
            security_group_id=group.id, direction="ingress", ethertype="IPv4", protocol=protocol,
            remote_ip_prefix="0.0.0.0/0", **({"port_range_min": 22, "port_range_max": 22} if port else {}))
            for protocol, port in (("icmp", None), ("tcp", 22))}
        image = conn.image.find_image("cirros-0.6.2-x86_64-disk", ignore_missing=False)
        flavor = conn.compute.find_flavor("m1.tiny", ignore_missing=False)
        server = conn.compute.create_server(name=NAME, image_id=image.id, flavor_id=flavor.id,
                                            networks=[{"uuid": net.id}], security_groups=[{"name": group.id}])
        undo.append(lambda: (conn.compute.delete_server(server),
                             conn.compute.wait_for_delete(server, interval=0.5, wait=300)))
        server = conn.compute.wait_for_server(server, interval=0.5, wait=300)
        (port,) = conn.network.ports(device_id=server.id)
        public = conn.network.find_network("public", ignore_missing=False)
        fip = conn.network.create_ip(floating_network_id=public.id, port_id=port.id)
        undo.append(lambda: conn.network.delete_ip(fip))
        assert until(lambda: "login:" in console(conn, server.id), 180), console(conn, server.id)[-2000:]
        yield {"server": server, "port": port, "group": group, "rules": rules, "subnet": subnet, "fip": fip,
               "netns": f"ovnmeta-{net.id}"}
    finally:
        for step in reversed(undo):
            try:
                step()
            except Exception as exc:  # the rest is still undone
                print(f"test_diagnose: could not undo a setup step: {exc}")


def console(conn, server_id):
    return conn.compute.get_server_console_output(server_id)["output"] or ""


def until(check, seconds):
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(1)
    return True


def diagnose(guests, *options):
    """(exit status, {check: [rows]}, stderr) of osops diagnose h5-guest -f json."""
    done = guests.run("diagnose", NAME, "-f", "json", *options, timeout=180)
    rows = {}
    for row in json.loads(done.stdout or "[]"):
        rows.setdefault(row["Check"], []).append(row)
    return done.returncode, rows, done.stderr


def not_ok(rows):
    return [(name, r["Result"]) for name, found in rows.items() for r in found if r["Result"] != "OK"]


def test_the_intact_guest_passes_every_check(guests, guest):
    fip = guest["fip"].floating_ip_address
    # a guest at its login prompt answers ping a moment later (TCG is slow): a few tries
    for _ in range(5):
        code, rows, err = diagnose(guests)
        if code == 0:
            break
        time.sleep(3)
    assert code == 0, err
    assert not_ok(rows) == [], rows
    pinged = {r["Found"].split(" ")[0]: r["Found"] for r in rows["Ping"]}
    assert set(pinged) == {guest["server"].addresses["h5-net"][0]["addr"], fip}
    assert f"from {guest['netns']}" in pinged[guest["server"].addresses["h5-net"][0]["addr"]]
    assert all("SSH-2.0-" in r["Found"] for r in rows["SSH"])
    assert "h5-sg: ingress IPv4 icmp from 0.0.0.0/0" in rows["Security ICMP"][0]["Found"]
    assert rows["Floating IP"][0]["Found"] == f"{fip} (ACTIVE)"
    assert "br-int" in rows["Bridge port"][0]["Found"]
    assert err.strip() == ""


def test_no_icmp_rule(guests, conn, guest):
    conn.network.delete_security_group_rule(guest["rules"]["icmp"])
    try:
        code, rows, err = diagnose(guests)
        assert code == 1
        assert not_ok(rows)[0] == ("Security ICMP", "FAIL")
        assert rows["Security ICMP"][0]["Fix"] == "osops security group allow h5-sg ping"
        assert rows["Security SSH"][0]["Result"] == "OK"
        assert [r["Result"] for r in rows["Ping"]] == ["FAIL", "FAIL"]  # OVN enforces it
        assert err.strip().startswith("h5-guest is not reachable: Security ICMP failed: no rule of h5-sg")
    finally:
        guest["rules"]["icmp"] = conn.network.create_security_group_rule(
            security_group_id=guest["group"].id, direction="ingress", ethertype="IPv4", protocol="icmp",
            remote_ip_prefix="0.0.0.0/0")


def test_no_floating_ip(guests, conn, guest):
    conn.network.update_ip(guest["fip"], port_id=None)
    try:
        code, rows, err = diagnose(guests, "--no-ping")
        assert code == 0  # still reached from the network node's namespace
        assert not_ok(rows)[0] == ("Floating IP", "WARN")
        assert rows["Floating IP"][0]["Fix"] == f"osops floating ip add {NAME}"
    finally:
        conn.network.update_ip(guest["fip"], port_id=guest["port"].id)


def test_dhcp_off(guests, conn, guest):
    conn.network.update_subnet(guest["subnet"], enable_dhcp=False)
    try:
        code, rows, err = diagnose(guests, "--no-ping")
        assert code == 1
        assert [(n, r) for n, r in not_ok(rows) if r != "SKIP"][0] == ("DHCP", "FAIL")
        assert rows["DHCP"][0]["Fix"] == "openstack subnet set --dhcp h5-subnet"
    finally:
        conn.network.update_subnet(guest["subnet"], enable_dhcp=True)


def test_suspended(guests, conn, guest):
    server = guest["server"]
    conn.compute.suspend_server(server)
    try:
        conn.compute.wait_for_server(server, status="SUSPENDED", interval=0.5, wait=120)
        code, rows, err = diagnose(guests)
        assert code == 1
        assert rows["Server"][0]["Result"] == "FAIL" and "is SUSPENDED" in rows["Server"][0]["Found"]
        assert rows["Server"][0]["Fix"] == f"osops resume {NAME}"
        assert {r["Result"] for name, found in rows.items() if name != "Server" for r in found} == {"SKIP"}
    finally:
        conn.compute.resume_server(server)
        conn.compute.wait_for_server(server, status="ACTIVE", interval=0.5, wait=120)
