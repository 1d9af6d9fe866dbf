"""osops bridge list|show on real Linux bridges: exactly the ports made,
their state and MTU, and a tap port tied to its server through a recorded
Neutron port list (tests/host/cloud.py); vnet ports through a real virsh (libvirt's test driver)."""

import json
import os
import socket

import pytest

from osops.host import ovs
from osops.testing import replay
from tests.host import cloud
from tests.host.conftest import ip, need, osops_in

pytestmark = pytest.mark.host


@pytest.fixture
def no_ovs(tmp_path):
    """Point ovs-vsctl at an empty run directory: no OVS database here."""
    return {"OVS_RUNDIR": str(tmp_path)}


def test_list_shows_exactly_the_bridges_and_ports_made(lan, kernel, no_ovs):
    empty = kernel.bridge(lan["switch"])
    ip("-n", lan["switch"], "link", "set", empty, "type", "bridge", "stp_state", "1")
    done = osops_in(lan["switch"], "bridge", "list", "--no-cloud", "-f", "json", env=no_ovs)
    assert done.returncode == 0, done.stderr
    listed = {row["Bridge"]: row for row in json.loads(done.stdout)}
    assert sorted(listed) == sorted([lan["bridge"], empty])
    row = listed[lan["bridge"]]
    assert row["Interfaces"].split("\n") == sorted(lan["ports"])
    assert (row["Type"], row["STP"]) == ("linux", "no")
    assert row["Bridge ID"] == bridge_id(lan["switch"], lan["bridge"])
    assert (listed[empty]["Interfaces"], listed[empty]["STP"]) == ("", "yes")
    if ovs.available():  # the note that OVS is installed but not running, one line
        [note] = done.stderr.strip().splitlines()
        assert note.startswith("note: ") and "not running" in note
    else:
        assert done.stderr == ""


def bridge_id(ns, bridge):
    """brctl's bridge id of a bridge with the default priority: 8000.<its MAC>."""
    return "8000." + ip("-n", ns, "-br", "link", "show", bridge).split()[2].replace(":", "")


def test_show_gives_the_bridge_then_state_and_mtu_per_port(lan, no_ovs):
    ip("-n", lan["switch"], "link", "set", lan["ports"][1], "mtu", "1450")
    done = osops_in(lan["switch"], "bridge", "show", lan["bridge"], "--no-cloud", "-f", "json", env=no_ovs)
    assert done.returncode == 0, done.stderr
    [me, *ports] = json.loads(done.stdout)
    # its own state is left out: the kernel sets a bridge UP a moment after a port forwards
    assert (me["Port"], me["Type"], me["MTU"], me["Owner"]) == (
        lan["bridge"], f"linux bridge (id {bridge_id(lan['switch'], lan['bridge'])}, STP no)", 1450, "-")
    got = [(r["Port"], r["Type"], r["State"], r["MTU"], r["Owner"]) for r in ports]
    assert got == [(lan["ports"][0], "veth", "forwarding", 1500, "-"),
                   (lan["ports"][1], "veth", "forwarding", 1450, "-")]


def test_show_an_empty_bridge(kernel, no_ovs):
    """A bridge with no port, never set up (so DOWN from the start), and
    STP on; its id is all zeros, as the kernel (and brctl) say until a
    port comes.  It goes with its namespace."""
    ns = kernel.netns()
    br = kernel.name("br")
    ip("-n", ns, "link", "add", br, "mtu", "1400", "type", "bridge", "stp_state", "1")
    done = osops_in(ns, "bridge", "show", br, "--no-cloud", "-f", "json", env=no_ovs)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"Port": br, "Type": "linux bridge (id 8000.000000000000, STP yes)",
                                        "State": "DOWN", "MTU": 1400, "Owner": "-", "Neutron Port": "-"}]


def test_columns_chosen_with_c(lan, no_ovs):
    done = osops_in(lan["switch"], "bridge", "list", "--no-cloud", "-f", "csv", "-c", "Interfaces", "-c", "Bridge",
                    env=no_ovs)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ['"Bridge","Interfaces"', f'"{lan["bridge"]}","{lan["ports"][0]}',
                                        f'{lan["ports"][1]}"']  # one cell, two lines
    done = osops_in(lan["switch"], "bridge", "show", lan["bridge"], "--no-cloud", "-f", "value", "-c", "Port",
                    env=no_ovs)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [lan["bridge"], *lan["ports"]]


def test_show_unknown_bridge(lan, no_ovs):
    done = osops_in(lan["switch"], "bridge", "show", "nosuchbr", "--no-cloud", env=no_ovs)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == f"no bridge nosuchbr on this host (bridges: {lan['bridge']})"


def test_tap_port_tied_to_its_server(kernel, osops_cli, monkeypatch, tmp_path):
    """A bridge in a namespace of its own (no traffic goes through it) with
    a tap named after hostrec's recorded Neutron port; osops runs in a
    thread that entered the namespace, against the recorded port list."""
    port_id = cloud.PORT["id"]
    tap = f"tap{port_id[:11]}"
    ns = kernel.netns()  # the recorded id is the same in every run: its tap stays out of this namespace
    br = kernel.bridge(ns)
    kernel.veth(br, ns, name=tap)
    other = kernel.veth(br, ns)
    monkeypatch.setenv("OVS_RUNDIR", str(tmp_path))
    with replay(cloud.recorded("host-bridge-show")) as player:
        for k, v in cloud.env(player).items():
            monkeypatch.setenv(k, v)
        code, out, err = cloud.in_namespace(ns, osops_cli, "bridge", "show", br, "-f", "json")
        assert code == 0, err
        rows = {r["Port"]: r for r in json.loads(out)}
        assert sorted(rows) == sorted([br, tap, other])
        assert (rows[tap]["Owner"], rows[tap]["Neutron Port"]) == ("hostrec", port_id)
        assert (rows[other]["Owner"], rows[other]["Neutron Port"]) == ("-", "-")
        assert sum("/v2.0/ports" in c for c in player.calls) == 1
        assert sum("/servers/detail" in c for c in player.calls) == 1
        code, out, err = cloud.in_namespace(ns, osops_cli, "bridge", "list", "--server", "hostrec", "-f", "json")
        assert code == 0, err
        assert json.loads(out) == [{"Bridge": br, "Type": "linux", "Bridge ID": json.loads(out)[0]["Bridge ID"],
                                    "STP": "no", "Interfaces": f"{tap} (hostrec)"}]


@pytest.mark.parametrize("argv, why", [
    ((), "no cloud is configured"),
    (("--no-cloud",), "--no-cloud was given"),
])
def test_server_filter_without_ties_says_why(lan, no_ovs, tmp_path, argv, why):
    done = osops_in(lan["switch"], "bridge", "list", "--server", "demo-1", *argv, env={**no_ovs, "HOME": str(tmp_path)})
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        f"no bridge port of server demo-1 on this host: {why}, so ports are not tied to servers")


REFUSING = {"auth_url": "http://127.0.0.1:9/v3", "username": "admin", "password": "secret-pw",
            "project_name": "admin", "user_domain_id": "default", "project_domain_id": "default"}


@pytest.mark.parametrize("how", ["OS_* variables", "--os-cloud"])
def test_server_filter_when_the_cloud_does_not_answer(lan, kernel, no_ovs, tmp_path, how):
    """A tap port makes osops ask the cloud, whose Keystone (127.0.0.1:9,
    where nothing listens) refuses the connection; the cloud is given by
    OS_* variables or as a clouds.yaml cloud."""
    kernel.veth(lan["bridge"], lan["switch"], name="tap0123456789a")
    if how == "--os-cloud":
        (tmp_path / ".config" / "openstack").mkdir(parents=True)
        (tmp_path / ".config" / "openstack" / "clouds.yaml").write_text(
            json.dumps({"clouds": {"refusing": {"auth": REFUSING}}}))  # JSON is YAML
        cli, cloud_env = ("--os-cloud", "refusing"), {}
    else:
        cli, cloud_env = (), {f"OS_{k.upper()}": v for k, v in REFUSING.items()}
    done = osops_in(lan["switch"], *cli, "bridge", "list", "--server", "demo-1",
                    env={**no_ovs, **cloud_env, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config")})
    assert done.returncode == 1
    *lines, last = done.stderr.strip().splitlines()
    [warning] = [line for line in lines if not line.startswith("note: ")]  # the OVS note aside
    assert warning.startswith("warning: cannot reach Keystone at http://127.0.0.1:9/v3/auth/tokens: connection refused")
    assert last == ("no bridge port of server demo-1 on this host: the cloud could not be asked (see the warning), "
                    "so ports are not tied to servers")


def test_vnet_ports_through_virsh(kernel, tmp_path, no_ovs):
    need("virsh", "libvirt-clients")
    node = tmp_path / "node.xml"  # libvirt's test driver: one running domain, its device is testnet0
    node.write_text("""<node><domain type="test"><name>instance-0000002a</name>
      <uuid>0c3e5a8e-4f1b-4d4e-9a36-7b1f0d2c9e11</uuid><memory>65536</memory><vcpu>1</vcpu>
      <os><type>hvm</type></os><devices><interface type="bridge"><mac address="fa:16:3e:5c:1d:02"/>
      <source bridge="br100"/><model type="virtio"/></interface></devices></domain></node>""")
    ns = kernel.netns()  # a namespace of its own, so the fixed name testnet0 cannot clash
    br = kernel.bridge(ns)
    kernel.veth(br, ns, name="testnet0")
    kernel.veth(br, ns, name="vnet7")
    done = osops_in(ns, "bridge", "show", br, "--no-cloud", "-f", "json",
                    env={**no_ovs, "LIBVIRT_DEFAULT_URI": f"test://{node}"})
    assert done.returncode == 0, done.stderr
    assert [(r["Port"], r["Owner"]) for r in json.loads(done.stdout)] == [
        (br, "-"), ("testnet0", "instance-0000002a"), ("vnet7", "unknown")]


def test_vnet_ports_when_libvirt_refuses(kernel, tmp_path, no_ovs):
    """libvirt's socket belongs to nobody:nogroup, mode 0700; osops runs as
    root without CAP_DAC_OVERRIDE, so like a user outside its group: one
    warning saying what to do, vnet ports unknown, exit 1."""
    need("virsh", "libvirt-clients")
    need("setpriv", "util-linux")
    ns = kernel.netns()
    br = kernel.bridge(ns)
    kernel.veth(br, ns, name="vnet7")
    sock_path = tmp_path / "libvirt-sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        os.chown(sock_path, 65534, 65534)
        os.chmod(sock_path, 0o700)
        os.chmod(tmp_path, 0o755)
        uri = f"qemu+unix:///system?socket={sock_path}"
        done = osops_in(ns, "bridge", "show", br, "--no-cloud", "-f", "json",
                        env={**no_ovs, "LIBVIRT_DEFAULT_URI": uri},
                        wrap=["setpriv", "--bounding-set", "-dac_override,-dac_read_search",
                              "--inh-caps", "-dac_override,-dac_read_search"])
    assert done.returncode == 1, done.stderr
    assert [(r["Port"], r["Owner"]) for r in json.loads(done.stdout)] == [(br, "-"), ("vnet7", "unknown")]
    [warning] = [line for line in done.stderr.splitlines() if not line.startswith("note: ")]  # the OVS note aside
    assert warning == (f"warning: cannot ask libvirt whose vnet ports these are (virsh -c {uri}: Failed to connect "
                       f"socket to '{sock_path}': Permission denied); run with sudo, or join the socket's group: "
                       "sudo usermod -aG nogroup $USER, then log in again")
