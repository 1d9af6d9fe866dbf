"""Image, flavor and server lists from the loopback cloud, as JSON."""

import pytest

pytestmark = pytest.mark.integration

DEVSTACK_FLAVORS = {
    "1": "m1.tiny",
    "2": "m1.small",
    "3": "m1.medium",
    "4": "m1.large",
    "5": "m1.xlarge",
    "42": "m1.nano",
    "84": "m1.micro",
}


def test_image_list(cloud):
    images = {i["Name"]: i for i in cloud.ok("image", "list", "-f", "json")}
    assert images["cirros-0.6.2-x86_64-disk"]["Disk Format"] == "qcow2"
    assert images["cirros-0.3.4-x86_64-uec"]["Disk Format"] == "ami"
    assert images["cirros-0.3.4-x86_64-uec-kernel"]["Disk Format"] == "aki"
    assert images["cirros-0.3.4-x86_64-uec-ramdisk"]["Disk Format"] == "ari"
    assert all(i["Status"] == "active" for i in images.values())
    # a kernel or a ramdisk is no boot image
    assert images["cirros-0.6.2-x86_64-disk"]["Bootable"] is True
    assert images["cirros-0.3.4-x86_64-uec"]["Bootable"] is True
    assert images["cirros-0.3.4-x86_64-uec-kernel"]["Bootable"] is False
    assert images["cirros-0.3.4-x86_64-uec-ramdisk"]["Bootable"] is False


def test_flavor_list_has_devstack_ids(cloud):
    flavors = {f["ID"]: f for f in cloud.ok("flavor", "list", "-f", "json")}
    assert {i: flavors[i]["Name"] for i in DEVSTACK_FLAVORS} == DEVSTACK_FLAVORS
    tiny = flavors["1"]
    assert (tiny["Memory_MB"], tiny["Disk"], tiny["VCPUs"]) == (512, 1, 1)


def test_server_list_is_json_list(cloud):
    servers = cloud.ok("server", "list", "-f", "json")
    assert isinstance(servers, list)
    for s in servers:
        assert {"ID", "Name", "Status", "Networks"} <= set(s)


def test_requests_reach_the_access_logs(cloud):
    """Each API keeps an access log, so tests and benchmarks can count calls."""
    logs = cloud.state / "logs"
    before = _lines(logs / "nova-api-access.log")
    cloud.ok("server", "list", "-f", "json")
    assert _lines(logs / "nova-api-access.log") > before
    # osops may reuse a cached token, so Keystone need not see this run
    for name in ("keystone", "glance", "placement", "neutron"):
        assert _lines(logs / f"{name}-access.log") > 0


def _lines(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)
