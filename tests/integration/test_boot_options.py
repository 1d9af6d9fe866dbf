"""boot's options on the loopback cloud: one server booted with two
networks (private and a network made here), a security group made here,
user data, a config drive and a zone; what Nova and Neutron made of them is
read back through the API.  On real guests, the console log shows the
config drive read and the user data run under the server's name."""

import json
import time
import uuid

import pytest

from osops import security_groups
from osops.recordings import USER_DATA
from tests.integration.devcloud import ROOT

pytestmark = pytest.mark.integration

PREFIX = f"h4-{uuid.uuid4().hex[:6]}"  # every resource this module makes
CIDR = "192.168.214.0/28"  # the second network's subnet (no router, no gateway)


@pytest.fixture(scope="module")
def conn(cloud):
    return cloud.connect()


@pytest.fixture(scope="module")
def booted(cloud, conn):
    """The server, its second network and its group; all deleted at the end."""
    net = conn.network.create_network(name=f"{PREFIX}-net")
    group = server = None
    try:
        conn.network.create_subnet(network_id=net.id, name=f"{PREFIX}-subnet", ip_version=4, cidr=CIDR,
                                   gateway_ip=None)
        group = conn.network.create_security_group(name=f"{PREFIX}-sg", description="osops boot options test")
        name = f"{PREFIX}-opts"
        done = cloud.run("boot", name, "--flavor", "m1.tiny", "--image", "cirros-0.6", "--network", "private",
                         "--network", net.name, "--security-group", group.name, "--user-data", str(ROOT / USER_DATA),
                         "--config-drive", "--availability-zone", "nova", "-f", "json", timeout=300)
        assert done.returncode == 0, done.stderr
        [shown] = json.loads(done.stdout)
        server = conn.compute.get_server(shown["ID"])
        yield {"server": server, "net": net, "group": group, "shown": shown, "stderr": done.stderr}
    finally:
        if server is not None:
            conn.compute.delete_server(server)
            conn.compute.wait_for_delete(server, interval=0.5, wait=300)
        if group is not None:
            security_groups.delete_groups(conn, [group])
        for _ in range(20):  # the ports of a server just deleted go a moment later
            try:
                conn.network.delete_network(net, ignore_missing=True)
                break
            except Exception:
                time.sleep(0.5)


def test_the_server_has_a_port_on_each_network_in_its_group(booted, conn):
    server, net, group = booted["server"], booted["net"], booted["group"]
    private = conn.network.find_network("private", ignore_missing=False)
    ports = list(conn.network.ports(device_id=server.id))
    assert sorted(p.network_id for p in ports) == sorted([private.id, net.id])
    assert all(p.security_group_ids == [group.id] for p in ports)
    assert set(booted["shown"]["Networks"]) == {"private", net.name}
    assert booted["stderr"] == ""  # a new name: no warning


def test_nova_has_the_config_drive_and_the_zone(booted):
    server = booted["server"]
    assert str(server.has_config_drive).lower() in ("true", "1")
    assert server.availability_zone == "nova"


def test_a_second_boot_of_the_name_is_refused_with_unique(booted, cloud):
    name = booted["server"].name
    done = cloud.run("boot", name, "--flavor", "m1.tiny", "--image", "cirros-0.6", "--network", "private",
                     "--unique")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (f"--unique: a server called {name} exists already: {name} ({booted['server'].id}, "
                           "ACTIVE); choose another name, or delete it first (osops delete ... --wait)\n")


@pytest.mark.guest
def test_the_guest_reads_its_config_drive_and_runs_the_user_data(booted, conn, guests):
    server = booted["server"]
    wanted = ("=== datasource: configdrive ===", f"osops user-data ran on {server.name}")
    log = ""
    for _ in range(120):  # TCG: the guest reads its drive and runs the script within seconds of ACTIVE
        log = conn.compute.get_server_console_output(server.id)["output"] or ""
        if all(w in log for w in wanted):
            break
        time.sleep(1)
    assert all(w in log for w in wanted), "console tail:\n" + log[-2000:]
