"""Tying bridge ports to servers through a replayed Neutron port list and
Nova server list: one call each, whatever the number of ports.  The ports
are named after the recorded ones (tests/host/cloud.py)."""

from osops.host import ports
from osops.host.models import Bridge, BridgePort
from osops.testing import replay
from tests.host import cloud


def calls_to(player, path):
    return [c for c in player.calls if c.split("?")[0].endswith(path)]


def test_tap_qvo_qvb_and_iface_id_tie_to_the_server(clean_env):
    port_id, dhcp_id = cloud.PORT["id"], cloud.DHCP_PORT["id"]  # hostrec's port, the network:dhcp one
    bridge = Bridge("br-int", "ovs", ports=(
        BridgePort(f"tap{port_id[:11]}"), BridgePort(f"qvo{port_id[:11]}"), BridgePort(f"qvb{port_id[:11]}"),
        BridgePort("eth1", iface_id=port_id), BridgePort(f"tap{dhcp_id[:11]}"),
        BridgePort("tap00000000-00"), BridgePort("patch-tun")))
    with replay(cloud.recorded("host-bridge-show")) as player:
        [tied] = ports.tie([bridge], cloud.connect(player), domains={})
    owners = {p.name: (p.owner, p.port_id, p.server_id) for p in tied.ports}
    for name in (f"tap{port_id[:11]}", f"qvo{port_id[:11]}", f"qvb{port_id[:11]}", "eth1"):
        assert owners[name] == ("hostrec", port_id, cloud.SERVER["id"])
    assert owners[f"tap{dhcp_id[:11]}"] == ("network:dhcp", dhcp_id, "")
    assert owners["tap00000000-00"] == ("no Neutron port", "", "")
    assert owners["patch-tun"] == ("", "", "")
    assert len(calls_to(player, "/v2.0/ports")) == 1
    assert len(calls_to(player, "/servers/detail")) == 1


def test_many_ports_still_two_calls(clean_env):
    data = cloud.recorded("host-bridge-show-many")  # hostrec with 41 interfaces
    ids = [p["id"] for p in cloud.body(data, "/v2.0/ports")["ports"] if p["device_id"] == cloud.SERVER["id"]]
    assert len(ids) > 40
    bridge = Bridge("brq", "linux", ports=tuple(BridgePort(f"tap{i[:11]}") for i in ids))
    with replay(data) as player:
        [tied] = ports.tie([bridge], cloud.connect(player), domains={})
    assert {p.owner for p in tied.ports} == {"hostrec"}
    assert len(calls_to(player, "/v2.0/ports")) == 1
    assert len(calls_to(player, "/servers/detail")) == 1


def test_vnet_through_libvirt_domain_uuid(clean_env):
    bridge = Bridge("br100", "linux", ports=(BridgePort("vnet0"), BridgePort("vnet1")))
    domains = {"vnet0": (cloud.SERVER["OS-EXT-SRV-ATTR:instance_name"], cloud.SERVER["id"])}
    with replay(cloud.recorded("host-bridge-show")) as player:  # its port list is recorded, not asked
        [tied] = ports.tie([bridge], cloud.connect(player), domains=domains)
    assert [(p.name, p.owner) for p in tied.ports] == [("vnet0", "hostrec"), ("vnet1", "unknown")]
    assert calls_to(player, "/v2.0/ports") == []


def test_without_a_cloud_ports_stay_untied_and_vnet_uses_the_domain_name():
    bridge = Bridge("br100", "linux", ports=(BridgePort("tap3f2a1b4c-9d"), BridgePort("vnet0"),
                                             BridgePort("vnet1")))
    [tied] = ports.tie([bridge], None, domains={"vnet0": ("instance-0000002a", "0c3e5a8e")})
    assert [(p.name, p.owner) for p in tied.ports] == [
        ("tap3f2a1b4c-9d", ""), ("vnet0", "instance-0000002a"), ("vnet1", "unknown")]
