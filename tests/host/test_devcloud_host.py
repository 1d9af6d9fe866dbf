"""tools/devcloud on real kernel objects: devcloud_netns plugs a server's
port (its namespace, the tap on the network's bridge) and the record lets
``down`` remove exactly that; a plug that fails midway leaves nothing
behind; and devcloud refuses, before making anything, where root may not
make network namespaces or bridges.  The plugging runs in a thread that
entered a namespace of the test's own, so the bridge and taps are made
there; addresses are TEST-NET-1."""

import subprocess
import sys
import uuid

import pytest

from tests.devcloud_tool import DEVCLOUD, load
from tests.host import cloud
from tests.host.conftest import ip, need

pytestmark = pytest.mark.host


@pytest.fixture
def netns():
    return load("lib/devcloud_netns.py")


@pytest.fixture
def server(kernel, tmp_path):
    """Where to plug: a namespace standing in for the host (``host``), the
    name of a server's namespace (made by the plug; removed at the end in
    any case), a network, a port and a record."""
    name = f"osops-t-{uuid.uuid4().hex[:8]}"
    kernel.undo.append(["ip", "netns", "del", name])
    return {"host": kernel.netns(), "netns": name, "network": str(uuid.uuid4()), "port": str(uuid.uuid4()),
            "record": tmp_path / "kernel"}


def plug(netns, s, mac="fa:16:3e:00:00:01", addresses=("192.0.2.5/24",)):
    record = netns.Record(str(s["record"]))
    cloud.in_namespace(s["host"], netns.plug, s["netns"], None, s["network"], s["port"], mac, list(addresses), record)
    return record


def links(ns):
    return ip("-n", ns, "-o", "link", "show")


def test_plug_makes_the_server_namespace_and_the_tap_on_the_bridge(netns, server):
    record = plug(netns, server)
    tap, bridge = netns.tap_name(server["port"]), netns.bridge_name(server["network"])
    assert f"master {bridge}" in ip("-n", server["host"], "-o", "link", "show", tap)
    assert cloud.in_namespace(server["host"], netns.devices, server["netns"], "eth") == ["eth0"]
    assert "link/ether fa:16:3e:00:00:01" in ip("-n", server["netns"], "-o", "link", "show", "eth0")
    assert "inet 192.0.2.5/24" in ip("-n", server["netns"], "-o", "addr", "show", "eth0")
    assert record.entries() == [("netns", server["netns"]), ("link", bridge)]
    removed, left = cloud.in_namespace(server["host"], record.remove_all)
    assert (removed, left) == ([f"netns-{server['netns']}", f"link-{bridge}"], [])
    assert not netns.netns_exists(server["netns"]) and bridge not in links(server["host"])


def test_a_plug_that_fails_midway_leaves_no_tap_and_a_later_one_works(netns, server):
    """The MAC is refused after the veth pair was made and moved: the tap
    goes again, and with it its peer; the next plug is not skipped."""
    with pytest.raises(RuntimeError, match="address"):
        plug(netns, server, mac="not-a-mac")
    tap = netns.tap_name(server["port"])
    assert tap not in links(server["host"]) and f"dc{server['port'][:11]}" not in links(server["host"])
    assert netns.link_names(links(server["netns"])) == ["lo"]
    plug(netns, server)
    assert netns.link_names(links(server["netns"])) == ["lo", "eth0"]


def refused(*drop):
    """devcloud's reason for not running, from a devcloud whose root lacks *drop* (capabilities)."""
    need("setpriv", "util-linux")
    caps = ",".join(f"-{c}" for c in drop)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from tests.devcloud_tool import part; "
            "print(part('install').namespaces_refused())")
    done = subprocess.run(["setpriv", "--bounding-set", caps, "--inh-caps", caps, sys.executable, "-c", code,
                           str(DEVCLOUD.parents[1])], capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.parametrize("drop, why", [
    (("net_admin",), "no CAP_NET_ADMIN"),
    (("sys_admin",), "unshare(CLONE_NEWNET): Operation not permitted"),  # ip netns add needs it too
])
def test_devcloud_refuses_where_root_cannot_make_namespaces(kernel, drop, why):
    assert refused(*drop) == why


def test_devcloud_runs_where_root_can(kernel):
    assert refused("sys_boot") == "None"  # a capability devcloud does not need, so that setpriv runs the same way
