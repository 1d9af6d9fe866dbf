"""Parsers of host command output, on output recorded on a real machine
(tests/host/data): ip -j -d link, ovs-vsctl --format=json, ping, virsh."""

import json
import pathlib

import pytest

from osops.host import libvirt, linux_bridge, ovs
from osops.host.ping import NO_PERMISSION, parse_ping_output

DATA = pathlib.Path(__file__).parent.parent / "host" / "data"


def text(name):
    return (DATA / name).read_text()


@pytest.fixture(scope="module")
def linux():
    return {b.name: b for b in linux_bridge.parse_links(json.loads(text("ip-j-d-link.json")))}


@pytest.fixture(scope="module")
def switch():
    return {b.name: b for b in ovs.parse_tables(text("ovs-vsctl-list.json"))}


def test_only_bridges_are_listed(linux):
    assert sorted(linux) == ["brmany", "brnone", "brstp"]  # not lo, eth0, ifb0 or the veths


def test_bridge_with_no_ports(linux):
    b = linux["brnone"]
    assert (b.ports, b.bridge_id, b.stp, b.type) == ((), "8000.000000000000", False, "linux")


def test_bridge_with_many_ports_in_brctl_shape(linux):
    b = linux["brmany"]
    assert b.bridge_id == "8000.0017a447a8a9"  # what /sys/class/net/brmany/bridge/bridge_id said
    assert [p.name for p in b.ports] == [f"tap3f2a1b4{i}-9d" for i in range(8)]
    assert {p.state for p in b.ports[1:]} == {"forwarding"} and b.ports[0].state == "disabled"
    assert {(p.kind, p.mtu) for p in b.ports} == {("veth", 1500)}


def test_stp_bridge_port_state_and_mtu(linux):
    b = linux["brstp"]
    assert (b.stp, b.bridge_id, b.mtu) == (True, "1000.228168533a0c", 1450)
    assert [(p.name, p.state, p.mtu) for p in b.ports] == [("vnet0", "listening", 1450)]


@pytest.mark.parametrize("ip_form, brctl", [
    ("8000.0:17:a4:47:a8:a9", "8000.0017a447a8a9"),
    ("1000.22:81:68:53:3a:c", "1000.228168533a0c"),
    ("8000.0:0:0:0:0:0", "8000.000000000000"),
])
def test_bridge_id_in_brctl_shape(ip_form, brctl):
    assert linux_bridge.brctl_id(ip_form) == brctl


def test_ovs_bridge_without_ports_hides_its_local_port(switch):
    assert switch["br-empty"].ports == ()
    assert switch["br-empty"].type == "ovs"


def test_ovs_many_ports_and_stp(switch):
    b = switch["br-many"]
    assert b.stp is True
    assert len(b.ports) == 20 and all(p.name.startswith("qvo") and p.kind == "system" for p in b.ports)


def test_ovs_patch_internal_tunnel_and_bond_ports(switch):
    kinds = {p.name: p.kind for b in switch.values() for p in b.ports}
    assert kinds["patch-int"] == "patch to br-t2 (peer patch-ex)"  # the bridge its peer is on
    assert kinds["patch-ex"] == "patch to br-t1 (peer patch-int)"
    assert kinds["int-port"] == "internal"
    assert kinds["vxlan-0a000001"] == "vxlan"
    assert kinds["bond0"] == "bond"


def test_ovs_iface_id_from_external_ids(switch):
    tap = next(p for p in switch["br-t1"].ports if p.name == "tap3f2a1b4c-9d")
    assert tap.iface_id == "3f2a1b4c-9d11-4c52-8f0e-2a3b4c5d6e7f"
    assert tap.mtu is None  # no ovs-vswitchd ran, so OVS reported no MTU


def test_ovs_permission_denied_is_one_line_with_what_to_do():
    err = ovs.failure(text("ovs-vsctl-permission-denied.txt"))
    assert isinstance(err, ovs.OvsPermissionDenied)
    message = str(err)
    assert "\n" not in message
    assert "permission denied on /var/run/openvswitch/db.sock" in message
    assert "sudo" in message and "group" in message
    assert "chmod" not in message and "777" not in message


def test_ovs_not_running():
    err = ovs.failure(text("ovs-vsctl-no-socket.txt"))
    assert isinstance(err, ovs.OvsNotRunning)
    assert "not running" in str(err)


def test_ovs_other_failure_keeps_its_line():
    err = ovs.failure("ovs-vsctl: no bridge named br-x\n")
    assert type(err) is ovs.OvsError and str(err) == "ovs-vsctl failed: ovs-vsctl: no bridge named br-x"


def test_ping_output_answered():
    assert parse_ping_output(text("ping-ok.txt")) == (3, 3, (0.033, 0.034, 0.036), "")


def test_ping_output_silent():
    assert parse_ping_output(text("ping-no-arp.txt")) == (3, 0, None, "")


def test_ping_output_host_unreachable():
    assert parse_ping_output(text("ping-host-unreachable.txt")) == (
        5, 0, None, "Destination Host Unreachable (reported by 192.0.2.1)")


def test_ping_output_no_route():
    assert parse_ping_output(text("ping-no-route.txt")) == (0, 0, None, "Network is unreachable")


def test_ping_output_not_permitted_says_what_to_do():
    # root without CAP_NET_RAW running a ping that has no file capability
    sent, received, rtt, error = parse_ping_output(text("ping-not-permitted.txt"))
    assert (sent, received, rtt, error) == (0, 0, None, NO_PERMISSION)
    assert "ping_group_range" in error and "cap_net_raw" in error
    assert "chmod" not in error and "sudo" not in error and "root" not in error


@pytest.mark.parametrize("line", ["ping: socket: Permission denied",
                                  "ping: => missing cap_net_raw+p capability or setuid?"])
def test_ping_other_permission_complaints(line):
    assert parse_ping_output(f"ping: socktype: SOCK_RAW\n{line}\n")[3] == NO_PERMISSION


def test_ping_sendmsg_refused_by_a_firewall_is_not_a_permission_problem():
    assert parse_ping_output("ping: sendmsg: Operation not permitted\n")[3] == "Operation not permitted"


def test_virsh_permission_denied_is_one_line_with_what_to_do():
    # a socket of nobody's, mode 0700, asked by root without CAP_DAC_OVERRIDE
    err = libvirt.failure("qemu+unix:///system?socket=/tmp/wh-virt/libvirt-sock",
                          text("virsh-permission-denied.txt"))
    assert str(err) == ("cannot ask libvirt whose vnet ports these are (virsh -c qemu+unix:///system?socket="
                        "/tmp/wh-virt/libvirt-sock: Failed to connect socket to '/tmp/wh-virt/libvirt-sock': "
                        "Permission denied); run with sudo, or join the group that owns the socket")


def test_virsh_without_libvirtd():
    err = libvirt.failure("qemu:///system", text("virsh-not-running.txt"))
    assert str(err).endswith("; is libvirtd running? (systemctl start libvirtd)")
    assert "'/var/run/libvirt/libvirt-sock': No such file or directory" in str(err)


def test_virsh_domiflist():
    assert libvirt.parse_domiflist(text("virsh-domiflist.txt")) == [("testnet0", "fa:16:3e:5c:1d:02")]


def test_virsh_domiflist_skips_interfaces_without_a_device():
    out = (" Interface   Type      Source    Model    MAC\n"
           "-------------------------------------------------------\n"
           " -           network   default   virtio   52:54:00:aa:bb:cc\n"
           " vnet3       bridge    br100     virtio   52:54:00:aa:bb:cd\n")
    assert libvirt.parse_domiflist(out) == [("vnet3", "52:54:00:aa:bb:cd")]
