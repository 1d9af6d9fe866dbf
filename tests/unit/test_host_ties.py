"""Tying bridge ports to servers through a replayed Neutron port list and
Nova server list: one call each, whatever the number of ports."""

import uuid

import pytest

from osops.host import ports
from osops.host.models import Bridge, BridgePort
from osops.testing import replay
from tests.host import cloud


def calls_to(player, path):
    return [c for c in player.calls if c.split("?")[0].endswith(path)]


@pytest.fixture
def port_id():
    return str(uuid.uuid4())


def test_tap_qvo_qvb_and_iface_id_tie_to_the_server(clean_env, port_id):
    dhcp_id = str(uuid.uuid4())
    bridge = Bridge("br-int", "ovs", ports=(
        BridgePort(f"tap{port_id[:11]}"), BridgePort(f"qvo{port_id[:11]}"), BridgePort(f"qvb{port_id[:11]}"),
        BridgePort("eth1", iface_id=port_id), BridgePort(f"tap{dhcp_id[:11]}"),
        BridgePort("tap00000000-00"), BridgePort("patch-tun")))
    neutron = [cloud.neutron_port(port_id),
               cloud.neutron_port(dhcp_id, device_id=f"dhcp-{cloud.NETWORK}", device_owner="network:dhcp")]
    with replay(cloud.cassette(ports=neutron)) as player:
        [tied] = ports.tie([bridge], cloud.connect(player), domains={})
    owners = {p.name: (p.owner, p.port_id, p.server_id) for p in tied.ports}
    for name in (f"tap{port_id[:11]}", f"qvo{port_id[:11]}", f"qvb{port_id[:11]}", "eth1"):
        assert owners[name] == ("demo-1", port_id, cloud.SERVER["id"])
    assert owners[f"tap{dhcp_id[:11]}"] == ("network:dhcp", dhcp_id, "")
    assert owners["tap00000000-00"] == ("no Neutron port", "", "")
    assert owners["patch-tun"] == ("", "", "")
    assert len(calls_to(player, "/v2.0/ports")) == 1
    assert len(calls_to(player, "/servers/detail")) == 1


def test_many_ports_still_two_calls(clean_env):
    ids = [str(uuid.uuid4()) for _ in range(40)]
    bridge = Bridge("brq", "linux", ports=tuple(BridgePort(f"tap{i[:11]}") for i in ids))
    with replay(cloud.cassette(ports=[cloud.neutron_port(i) for i in ids])) as player:
        [tied] = ports.tie([bridge], cloud.connect(player), domains={})
    assert {p.owner for p in tied.ports} == {"demo-1"}
    assert len(calls_to(player, "/v2.0/ports")) == 1
    assert len(calls_to(player, "/servers/detail")) == 1


def test_vnet_through_libvirt_domain_uuid(clean_env):
    bridge = Bridge("br100", "linux", ports=(BridgePort("vnet0"), BridgePort("vnet1")))
    domains = {"vnet0": ("instance-00000012", cloud.SERVER["id"])}
    with replay(cloud.cassette()) as player:
        [tied] = ports.tie([bridge], cloud.connect(player), domains=domains)
    assert [(p.name, p.owner) for p in tied.ports] == [("vnet0", "demo-1"), ("vnet1", "unknown")]
    assert calls_to(player, "/v2.0/ports") == []


def test_without_a_cloud_ports_stay_untied_and_vnet_uses_the_domain_name():
    bridge = Bridge("br100", "linux", ports=(BridgePort("tap3f2a1b4c-9d"), BridgePort("vnet0"),
                                             BridgePort("vnet1")))
    [tied] = ports.tie([bridge], None, domains={"vnet0": ("instance-0000002a", "0c3e5a8e")})
    assert [(p.name, p.owner) for p in tied.ports] == [
        ("tap3f2a1b4c-9d", ""), ("vnet0", "instance-0000002a"), ("vnet1", "unknown")]
