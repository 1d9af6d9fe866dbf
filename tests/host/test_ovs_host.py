"""Open vSwitch bridges from a real ovsdb-server started by the test (its
own database and socket, datapath_type=netdev, no ovs-vswitchd), and the
permission-denied socket."""

import json
import os
import subprocess
import sys
import uuid

import pytest

from osops.host import ovs
from osops.testing import replay
from tests.host import cloud
from tests.host.conftest import need

pytestmark = pytest.mark.host


def names():
    tag = uuid.uuid4().hex[:6]
    return f"br-{tag}-int", f"br-{tag}-tun"


def test_bridges_ports_and_interface_types(ovsdb):
    br_int, br_tun = names()
    ovsdb.add_bridge(br_int)
    ovsdb.add_bridge(br_tun)
    ovsdb.vsctl("add-port", br_int, "patch-tun", "--", "set", "interface", "patch-tun", "type=patch",
                "options:peer=patch-int")
    ovsdb.vsctl("add-port", br_tun, "patch-int", "--", "set", "interface", "patch-int", "type=patch",
                "options:peer=patch-tun")
    ovsdb.vsctl("add-port", br_int, "int-br-ex", "--", "set", "interface", "int-br-ex", "type=internal")
    ovsdb.vsctl("add-port", br_tun, "vxlan-c0000207", "--", "set", "interface", "vxlan-c0000207",
                "type=vxlan", "options:remote_ip=192.0.2.7")
    ovsdb.vsctl("add-port", br_int, "qvo12345678-ab")
    found = {b.name: b for b in ovs.list_bridges(ovsdb.db)}
    assert sorted(found) == sorted([br_int, br_tun])
    assert [(p.name, p.kind) for p in found[br_int].ports] == [
        ("int-br-ex", "internal"), ("patch-tun", f"patch to {br_tun} (peer patch-int)"), ("qvo12345678-ab", "system")]
    assert [(p.name, p.kind) for p in found[br_tun].ports] == [
        ("patch-int", f"patch to {br_int} (peer patch-tun)"), ("vxlan-c0000207", "vxlan")]


def test_bridge_without_ports(ovsdb):
    br, _ = names()
    ovsdb.add_bridge(br)
    [bridge] = ovs.list_bridges(ovsdb.db)
    assert (bridge.name, bridge.type, bridge.ports) == (br, "ovs", ())


def test_cli_lists_ovs_ports_tied_by_iface_id(ovsdb, osops_cli, monkeypatch):
    br, _ = names()
    port_id, mac = cloud.PORT["id"], cloud.PORT["mac_address"]  # hostrec's recorded port
    ovsdb.add_bridge(br)
    ovsdb.vsctl("add-port", br, f"tap{port_id[:11]}", "--", "set", "interface", f"tap{port_id[:11]}",
                f"external_ids:iface-id={port_id}", f"external_ids:attached-mac={mac}")
    monkeypatch.setenv("OVS_RUNDIR", ovsdb.rundir)
    with replay(cloud.recorded("host-bridge-show")) as player:
        for k, v in cloud.env(player).items():
            monkeypatch.setenv(k, v)
        code, out, err = osops_cli("bridge", "show", br, "-f", "json")
    assert code == 0, err
    assert json.loads(out) == [{"Port": br, "Type": "ovs bridge (STP no)", "State": "-", "MTU": "-",
                                "Owner": "-", "Neutron Port": "-"},
                               {"Port": f"tap{port_id[:11]}", "Type": "system", "State": "-", "MTU": "-",
                                "Owner": "hostrec", "Neutron Port": port_id}]


def test_permission_denied_on_the_socket(ovsdb, kernel, tmp_path):
    """The socket belongs to nobody:nogroup, mode 0700; osops runs as root
    without CAP_DAC_OVERRIDE, so like any user who may not open it."""
    need("setpriv", "util-linux")
    br, _ = names()
    ovsdb.add_bridge(br)
    os.chown(ovsdb.sock, 65534, 65534)
    os.chmod(ovsdb.sock, 0o700)
    linux = kernel.bridge()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    done = subprocess.run(
        ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps",
         "-dac_override,-dac_read_search", sys.executable, "-m", "osops", "bridge", "list", "--no-cloud",
         "-f", "json"], capture_output=True, text=True, env={**env, "OVS_RUNDIR": ovsdb.rundir}, timeout=60)
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"warning: cannot read Open vSwitch: permission denied on {ovsdb.sock}; ")
    assert "sudo" in line and "group" in line and "nogroup" in line
    assert "chmod" not in line and "777" not in line
    assert linux in [row["Bridge"] for row in json.loads(done.stdout)]  # Linux bridges still shown

