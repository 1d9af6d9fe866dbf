"""tools/devcloud/seed.py network-node on the loopback cloud: one
network:dhcp port per network, with an address on each of its IPv4 DHCP
subnets, also on one made after the port.  Only Neutron is asked: no
namespace or bridge is made here (devcloud plugs them at `up`)."""

import ipaddress
import json
import subprocess

import pytest

import osops
from tests.devcloud_tool import DEVCLOUD
from tests.integration.devcloud import KEYSTONE, STATE

pytestmark = pytest.mark.integration
CIDRS = ("192.0.2.0/26", "192.0.2.64/26")  # TEST-NET-1: nothing is plugged on them anyway


def network_node():
    """seed.py network-node's lines, {network id: line}, run in the services' venv."""
    [venv] = [p for p in STATE.glob("venv-*") if (p / ".devcloud-complete").exists()]
    done = subprocess.run([str(venv / "bin" / "python"), str(DEVCLOUD / "seed.py"), str(STATE), "network-node"],
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return {line["network_id"]: line for line in map(json.loads, done.stdout.splitlines())}


def test_one_dhcp_port_per_network_with_an_address_on_each_dhcp_subnet(cloud):
    conn = osops.connect(auth_url=KEYSTONE + "/v3", username="admin", password=cloud.password,
                         project_name="admin", user_domain_id="default", project_domain_id="default")
    net = conn.network.create_network(name=f"{cloud.prefix}-two-subnets")
    try:
        conn.network.create_subnet(network_id=net.id, ip_version=4, cidr=CIDRS[0], enable_dhcp=True)
        first = network_node()[net.id]
        conn.network.create_subnet(network_id=net.id, ip_version=4, cidr=CIDRS[1], enable_dhcp=True)
        second = network_node()[net.id]
        [port] = conn.network.ports(network_id=net.id, device_owner="network:dhcp")
        assert first["port_id"] == second["port_id"] == port.id
        assert [str(ipaddress.ip_interface(a).network) for a in first["addresses"]] == [CIDRS[0]]
        assert sorted(str(ipaddress.ip_interface(a).network) for a in second["addresses"]) == list(CIDRS)
        assert sorted(a.split("/")[0] for a in second["addresses"]) == sorted(f["ip_address"] for f in port.fixed_ips)
    finally:
        conn.network.delete_network(net.id)  # Neutron deletes its network:dhcp port with it
