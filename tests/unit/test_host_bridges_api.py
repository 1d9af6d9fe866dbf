"""osops.host.bridges: problems go to on_problem (or are raised), one bridge
by name, the bridges of one server."""

import pathlib
import subprocess

import pytest

from osops.errors import NotFound
from osops.host import bridges, ovs
from osops.host.models import Bridge, BridgePort

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
    found = bridges.list_bridges(on_problem=seen.append)
    assert [b.name for b in found] == ["br100"] and found[0].ports[0].owner == "unknown"
    assert [type(e) for e in seen] == [ovs.OvsPermissionDenied]


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
