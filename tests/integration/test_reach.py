"""The loopback cloud's servers answer ping: tools/devcloud plugs each
server's port into a network namespace standing in for the server
(tools/devcloud/lib/devcloud_virt.py), next to the network's qdhcp
namespace, as on a Neutron host.  osops ping --netns auto reaches them,
bridge list ties their taps to them, suspend silences them, and delete
takes it all away.  Every packet stays in those namespaces and bridges."""

import json
import subprocess

import pytest

pytestmark = pytest.mark.integration

FAST = ("--count", "2", "--interval", "0.2", "--timeout", "1")


def namespaces():
    return subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout


def ping(cloud, name, *extra):
    return cloud.run("ping", name, "--netns", "auto", *FAST, *extra, "-f", "json", timeout=60)


def test_a_server_answers_until_suspended_and_is_gone_with_its_namespace(cloud):
    name = f"{cloud.prefix}-reach"
    [server] = cloud.ok("boot", name, "--flavor", "m1.tiny", "--image", "cirros-0.6", "-f", "json", timeout=600)
    assert f"devcloud-{server['ID']}" in namespaces()

    answered = ping(cloud, name)
    assert answered.returncode == 0, answered.stdout + answered.stderr
    [row] = json.loads(answered.stdout)
    assert (row["Server"], row["Received"], row["Result"]) == (name, 2, "ok"), row
    assert row["Namespace"].startswith("qdhcp-") and row["Address"] in server["Networks"]

    [bridge] = cloud.ok("bridge", "list", "--server", name, "-f", "json")
    assert bridge["Type"] == "linux" and bridge["Bridge"].startswith("brq")
    assert f"({name})" in bridge["Interfaces"]

    cloud.ok("suspend", name, "--wait", "-f", "json", timeout=300)
    silent = ping(cloud, name)
    assert silent.returncode == 1, silent.stdout + silent.stderr
    assert f"{name} is SUSPENDED" in silent.stdout
    assert ping(cloud, name, "--expect-fail").returncode == 0

    cloud.ok("resume", name, "--wait", "-f", "json", timeout=300)
    assert ping(cloud, name).returncode == 0

    cloud.ok("delete", name, "--wait", "-f", "json", timeout=300)
    assert f"devcloud-{server['ID']}" not in namespaces()

