"""osops.host.bridges: problems go to on_problem (or are raised), one bridge
by name, the bridges of one server."""

import pathlib
import subprocess

import pytest

from osops.errors import NotFound, OsopsError
from osops.host import bridges, libvirt, ovs
from osops.host.models import Bridge, BridgePort
from osops.testing import replay
from tests.host import cloud

DENIED = (pathlib.Path(__file__).parent.parent / "host" / "data" / "ovs-vsctl-permission-denied.txt").read_text()
LINUX = [Bridge("br100", "linux", ports=(BridgePort("vnet0"),))]


@pytest.fixture
def denied(monkeypatch):
    """ovs-vsctl installed, answering with the recorded permission error."""
    monkeypatch.setattr(ovs, "available", lambda: True)
    monkeypatch.setattr(ovs.commands, "run", lambda argv, **kw: subprocess.CompletedProcess(argv, 1, "", DENIED))
    monkeypatch.setattr(bridges.linux_bridge, "list_bridges", lambda: list(LINUX))
    monkeypatch.setattr(bridges.ports.libvirt, "interfaces", lambda: {})


def test_ovs_problem_raised_without_a_handler(denied):
    with pytest.raises(ovs.OvsPermissionDenied):
        bridges.list_bridges()


def test_ovs_problem_reported_and_linux_bridges_kept(denied):
    seen = []
    found = bridges.list_bridges(on_problem=lambda source, exc: seen.append((source, type(exc))))
    assert [b.name for b in found] == ["br100"] and found[0].ports[0].owner == "unknown"
    assert seen == [(bridges.OVS, ovs.OvsPermissionDenied)]


@pytest.fixture
def linux_only(monkeypatch):
    """The Linux bridge of LINUX (a vnet port), no Open vSwitch."""
    monkeypatch.setattr(ovs, "available", lambda: False)
    monkeypatch.setattr(bridges.linux_bridge, "list_bridges", lambda: list(LINUX))


def test_a_virsh_that_cannot_start_is_a_libvirt_problem(linux_only, monkeypatch, tmp_path):
    """A virsh on PATH that is not a program (exec fails: ENOEXEC), as one
    that cannot start or hangs: a warning, the vnet port unknown."""
    virsh = tmp_path / "virsh"
    virsh.write_bytes(b"\x00not a program\n")
    virsh.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    seen = []
    found = bridges.list_bridges(on_problem=lambda source, exc: seen.append((source, exc)))
    assert found[0].ports[0].owner == "unknown"
    [(source, exc)] = seen
    assert source == bridges.LIBVIRT and isinstance(exc, libvirt.VirshError)
    assert str(exc) == f"cannot ask libvirt whose vnet ports these are: cannot run {virsh}: Exec format error"


def test_a_cloud_that_cannot_be_asked_is_a_cloud_problem(linux_only, clean_env, monkeypatch):
    """A tap port makes osops ask for the port list, which the replayed
    session (host-ping-all: a server list only) has no recording of."""
    tap = BridgePort(f"tap{cloud.PORT['id'][:11]}")
    monkeypatch.setattr(bridges.linux_bridge, "list_bridges", lambda: [Bridge("brq", "linux", ports=(tap,))])
    seen = []
    with replay(cloud.recorded("host-ping-all")) as player:
        found = bridges.list_bridges(cloud.connect(player), on_problem=lambda source, exc: seen.append((source, exc)))
    assert found[0].ports == (tap,)  # untied
    [(source, exc)] = seen
    assert source == bridges.CLOUD and isinstance(exc, OsopsError) and "no recorded interaction" in str(exc)


def test_find_bridge_names_the_ones_there_are():
    assert bridges.find_bridge(LINUX, "br100") is LINUX[0]
    with pytest.raises(NotFound, match=r"no bridge br-int on this host \(bridges: br100\)"):
        bridges.find_bridge(LINUX, "br-int")


def test_of_server_keeps_only_its_ports():
    found = [Bridge("br-int", "ovs", ports=(BridgePort("tapa", owner="vm1", server_id="id-1"),
                                            BridgePort("tapb", owner="vm2", server_id="id-2"))),
             Bridge("br-ex", "ovs", ports=(BridgePort("eth1"),))]
    assert bridges.of_server(found, "vm1") == [Bridge("br-int", "ovs", ports=(found[0].ports[0],))]
    assert bridges.of_server(found, "id-2")[0].ports == (found[0].ports[1],)
    assert bridges.of_server(found, "") == []
