"""The doctor's OVN rows (osops.doctor.ovn) against a stand-in for this
host: which OVN programs run, and what ovs-vsctl, ovn-nbctl, ovn-sbctl and
ovn-appctl answer (each answer as its exit status, output and error, the
errors as those tools print them).  tests/integration/test_ovn.py has the
same on the loopback cloud's real OVN."""

from types import SimpleNamespace

import pytest

from osops.doctor import ovn
from osops.doctor.core import FAIL, OK, SKIP, WARN, run_checks

SB_DENIED = "ovn-sbctl: unix:/run/ovn/ovnsb_db.sock: database connection failed (Permission denied)"


class Host:
    """The programs running (name -> pids) and the tools' answers ((tool, keyword) -> answer)."""

    def __init__(self, monkeypatch, running=("ovn-northd", "ovn-controller", "neutron-ovn-metadata-agent"),
                 settings=None, answers=None):
        self.settings = {"system-id": "node1", "ovn-remote": "unix:/run/ovn/ovnsb_db.sock",
                         "ovn-bridge-mappings": "public:br-ex", **(settings or {})}
        self.answers = {("ovn-appctl", "status"): (0, "Status: active", ""),
                        ("ovn-appctl", "connection-status"): (0, "connected", ""),
                        ("ovn-sbctl", "Chassis"): (0, "node1.example", ""), **(answers or {})}
        monkeypatch.setattr(ovn, "running", lambda name: [42] if name in running else [])
        monkeypatch.setattr(ovn, "ovs_setting", lambda key: self.settings.get(key, ""))
        monkeypatch.setattr(ovn, "tool", self.tool)
        monkeypatch.setattr(ovn, "_local_db", lambda ctl: True)

    def tool(self, name, *args):
        for (tool, keyword), answer in self.answers.items():
            if tool == name and keyword in args:
                return answer
        return (0, "", "")


def ctx(agents=(), admin=True, physnets=("public",)):
    networks = [SimpleNamespace(provider_physical_network=p) for p in physnets]
    return SimpleNamespace(agents=lambda: list(agents), is_admin=admin,
                           conn=SimpleNamespace(network=SimpleNamespace(networks=lambda **kw: networks)))


def metadata(alive=True):
    return SimpleNamespace(agent_type=ovn.METADATA_AGENT, host="node1", is_alive=alive)


def rows(context):
    return {r.name: r for r in run_checks(context, [ovn.ovn_checks])}


def test_all_ok_on_a_healthy_ovn_host(monkeypatch):
    Host(monkeypatch)
    found = rows(ctx([metadata()]))
    assert list(found) == ["OVN northbound", "OVN southbound", "ovn-northd", "ovn-controller", "OVN chassis",
                           "OVN metadata agent"]
    assert {r.result for r in found.values()} == {OK}
    assert found["OVN chassis"].found == "node1 (node1.example) registered; public:br-ex"


def test_skip_where_ovn_does_not_run(monkeypatch):
    Host(monkeypatch, running=(), settings={"ovn-remote": ""})
    (row,) = run_checks(ctx(), [ovn.ovn_checks])
    assert (row.name, row.result) == ("OVN", SKIP)


def test_a_stopped_ovn_controller_is_named_with_what_it_breaks(monkeypatch):
    Host(monkeypatch, running=("ovn-northd",))
    row = rows(ctx([metadata()]))["ovn-controller"]
    assert row.result == FAIL and row.found.startswith("not running: ports on this host are never bound")
    assert "start ovn-controller" in row.fix


def test_a_controller_that_lost_the_southbound_database(monkeypatch):
    Host(monkeypatch, answers={("ovn-appctl", "connection-status"): (0, "not connected", "")})
    row = rows(ctx([metadata()]))["ovn-controller"]
    assert row.result == FAIL and "not connected" in row.found and "ovn-remote" in row.fix


def test_an_unreadable_database_is_said_to_be_unreadable_not_down(monkeypatch):
    Host(monkeypatch, answers={("ovn-sbctl", "SB_Global"): (1, "", SB_DENIED),
                               ("ovn-sbctl", "Chassis"): (1, "", SB_DENIED)})
    found = rows(ctx([metadata()]))
    assert found["OVN southbound"].result == WARN and "Permission denied" in found["OVN southbound"].found
    assert found["OVN southbound"].fix == ovn.SUDO and found["OVN chassis"].result == WARN


def test_an_external_network_whose_physical_network_has_no_bridge(monkeypatch):
    Host(monkeypatch, settings={"ovn-bridge-mappings": ""})
    row = rows(ctx([metadata()], physnets=("public",)))["OVN chassis"]
    assert row.result == FAIL and "physical network public" in row.found
    assert row.fix.startswith("ovs-vsctl set Open_vSwitch . external_ids:ovn-bridge-mappings=public:br-ex")


def test_a_chassis_missing_from_the_southbound_database(monkeypatch):
    Host(monkeypatch, answers={("ovn-sbctl", "Chassis"): (0, "", "")})
    row = rows(ctx([metadata()]))["OVN chassis"]
    assert row.result == FAIL and row.found == "chassis node1 is not in the southbound database"


@pytest.mark.parametrize("agents, result", [([metadata(alive=False)], FAIL), ([], FAIL), ([metadata()], OK)])
def test_the_metadata_agent(monkeypatch, agents, result):
    Host(monkeypatch)
    assert rows(ctx(agents))["OVN metadata agent"].result == result


def test_running_finds_programs_and_python_scripts(tmp_path):
    for pid, argv in (("1", b"/usr/bin/ovn-controller\0unix:/x\0"),
                      ("2", b"/venv/bin/python3\0/venv/bin/neutron-ovn-metadata-agent\0--config-file\0"),
                      ("3", b"bash\0")):
        (tmp_path / pid).mkdir()
        (tmp_path / pid / "cmdline").write_bytes(argv)
    (tmp_path / "self").mkdir()
    assert ovn.running("ovn-controller", proc=str(tmp_path)) == [1]
    assert ovn.running("neutron-ovn-metadata-agent", proc=str(tmp_path)) == [2]
    assert ovn.running("ovn-northd", proc=str(tmp_path)) == []


def test_a_database_whose_socket_is_elsewhere_is_a_warning_saying_where_to_point(monkeypatch):
    """OVN runs, but not with its sockets where the tools look (no OVN_RUNDIR for a cloud like the loopback one)."""
    missing = "ovn-nbctl: unix:/run/ovn/ovnnb_db.sock: database connection failed (No such file or directory)"
    Host(monkeypatch, answers={("ovn-nbctl", "NB_Global"): (1, "", missing)})
    row = rows(ctx([metadata()]))["OVN northbound"]
    assert row.result == WARN and row.found.startswith("not found where ovn-nbctl looks")
    assert row.fix == ovn.FIND_DB
