"""Server lifecycle on the loopback cloud: boot by image prefix to ACTIVE with
an address, suspend, resume, delete; and the errors a user meets first."""

import pytest

from tests.integration.devcloud import PRIVATE, addresses, one_line

pytestmark = pytest.mark.integration

IMAGE_PREFIX = "cirros-0.6"  # plain "cirros" matches two boot images


def test_boot_suspend_resume_delete(cloud):
    name = f"{cloud.prefix}-life"
    booted = cloud.ok(
        "boot", name, "--flavor", "m1.tiny", "--image", IMAGE_PREFIX, "--wait",
        "-f", "json", timeout=600,
    )
    assert [s["Name"] for s in booted] == [name]
    assert booted[0]["Status"] == "ACTIVE"
    ips = addresses(booted[0]["Networks"])
    assert ips and all(ip in PRIVATE for ip in ips), booted[0]["Networks"]

    shown = cloud.ok("server", "show", name, "-f", "json")
    assert shown["status"] == "ACTIVE"
    assert shown["flavor"] == "m1.tiny"

    cloud.ok("suspend", name, "--wait", "-f", "json", timeout=300)
    assert cloud.servers()[name]["Status"] == "SUSPENDED"

    cloud.ok("resume", name, "--wait", "-f", "json", timeout=300)
    assert cloud.servers()[name]["Status"] == "ACTIVE"

    cloud.ok("delete", name, "--wait", "-f", "json", timeout=300)
    assert name not in cloud.servers()


def test_boot_several_by_count(cloud):
    name = f"{cloud.prefix}-count"
    booted = cloud.ok(
        "boot", name, "--count", "3", "--flavor", "1", "--image", IMAGE_PREFIX,
        "-f", "json", timeout=600,
    )
    assert sorted(s["Name"] for s in booted) == [f"{name}-{i}" for i in (1, 2, 3)]
    assert {s["Status"] for s in booted} == {"ACTIVE"}
    ips = [ip for s in booted for ip in addresses(s["Networks"])]
    assert len(set(ips)) == 3 and all(ip in PRIVATE for ip in ips)
    cloud.ok("delete", *(s["Name"] for s in booted), "--wait", "-f", "json", timeout=300)
    assert not [n for n in cloud.servers() if n.startswith(name)]


def test_unknown_flavor_is_one_line_exit_1(cloud):
    name = f"{cloud.prefix}-noflavor"
    done = cloud.run("boot", name, "--flavor", "m1.huge", "--image", IMAGE_PREFIX)
    assert done.returncode == 1
    assert one_line(done.stderr), done.stderr
    assert "m1.huge" in done.stderr
    assert name not in cloud.servers()


def test_ambiguous_image_prefix_is_one_line_exit_1(cloud):
    name = f"{cloud.prefix}-ambiguous"
    done = cloud.run("boot", name, "--flavor", "m1.tiny", "--image", "cirros")
    assert done.returncode == 1
    assert one_line(done.stderr), done.stderr
    assert "ambiguous" in done.stderr
    assert name not in cloud.servers()
