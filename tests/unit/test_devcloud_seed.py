"""tools/devcloud/seed.py's network node: one DHCP port per network, with
an address on each of its IPv4 DHCP subnets.  The port is the recorded
network:dhcp port of the loopback cloud (tests/host/cloud.py) on its
seeded subnet private-subnet, 10.0.0.0/26; the edits each test makes add
a second subnet, 10.0.0.64/26, on the same network (id: the first's
reversed), and the port's address on it."""

import copy

import pytest

from tests.devcloud_tool import load
from tests.host import cloud

PORT = cloud.DHCP_PORT
[FIXED] = PORT["fixed_ips"]
FIRST = {"id": FIXED["subnet_id"], "network_id": PORT["network_id"], "cidr": "10.0.0.0/26"}
SECOND = {"id": FIXED["subnet_id"][::-1], "network_id": PORT["network_id"], "cidr": "10.0.0.64/26"}


@pytest.fixture
def seed():
    return load("seed.py")


def test_subnets_grouped_by_network_in_order(seed):
    other = {**FIRST, "id": "x", "network_id": "other"}
    assert seed.by_network([FIRST, other, SECOND]) == {PORT["network_id"]: [FIRST, SECOND], "other": [other]}


def test_a_port_made_before_the_second_subnet_lacks_an_address_there(seed):
    assert seed.fixed_ips_missing(PORT, [FIRST, SECOND]) == [{"subnet_id": SECOND["id"]}]
    assert seed.fixed_ips_missing(PORT, [FIRST]) == []


def test_the_line_for_devcloud_has_every_address_with_its_prefix(seed):
    port = copy.deepcopy(PORT)
    port["fixed_ips"].append({"subnet_id": SECOND["id"], "ip_address": "10.0.0.66"})
    assert seed.port_line(port, [FIRST, SECOND]) == {
        "network_id": PORT["network_id"], "port_id": PORT["id"], "mac": PORT["mac_address"],
        "addresses": [f"{FIXED['ip_address']}/26", "10.0.0.66/26"]}
    assert seed.port_line(port, [FIRST])["addresses"] == [f"{FIXED['ip_address']}/26"]  # not a DHCP subnet's
