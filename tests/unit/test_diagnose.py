"""osops diagnose on its recorded session (tests/cassettes/diagnose.json:
h5-diag on private, in the project's default group, which admits only its
own members), with this host stood in by :class:`FakeHere`; the failure
cases are edits of that recording, each documented where it is made."""

import socket
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import osops
from osops import diagnose
from osops.diagnose import console, security
from osops.diagnose.facts import Facts
from osops.errors import OsopsError
from osops.host import ovs
from osops.host.banner import read_banner
from osops.host.models import Bridge, BridgePort, PingResult, Target
from osops.models import Server
from tests.unit.conftest import cassette, edit, list_of_all

NAMES = ["Server", "Port", "Security ICMP", "Security SSH", "Floating IP", "Router", "Namespace",
         "Bridge port", "DHCP", "Metadata", "Login prompt", "Ping", "SSH"]


def recorded_port():
    """h5-diag's port as recorded (its ports by device id)."""
    return next(i for i in cassette("diagnose")["interactions"]
                if "device_id" in (i["request"]["query"] or {}))["response"]["json"]["ports"][0]


def port_id():
    return recorded_port()["id"]


NET = recorded_port()["network_id"]  # the private network, as recorded
NS = f"ovnmeta-{NET}"
ADDRESS = recorded_port()["fixed_ips"][0]["ip_address"]  # h5-diag's address on it


class FakeHere:
    """This host as on the loopback cloud: the network's ovnmeta- namespace,
    the port's tap on br-int, packets leaving from the metadata port's
    10.0.0.2; the guest answers ping and SSH when *answers*."""

    def __init__(self, answers=False):
        self.answers = answers
        self.pinged = []

    def targets(self, conn, server, from_netns=None):
        return [Target(address=a, server=server.name, netns=from_netns or NS) for a in server.ips()]

    def namespaces(self):
        return ["devcloud-ext", NS]

    def bridges(self):
        tap = BridgePort(name=f"tap{port_id()[:11]}", kind="system", state="up", iface_id=port_id())
        return [Bridge(name="br-int", type="ovs", ports=(tap,))], ""

    def source(self, address, namespace=None):
        return "10.0.0.2"

    def ping(self, todo, count=3):
        self.pinged += todo
        return [PingResult(t, count, count if self.answers else 0, 0.4, 0.5, 0.6,
                           reason="" if self.answers else "no reply in 2 s") for t in todo]

    def banner(self, address, namespace=None, port=22):
        if not self.answers:
            raise OsopsError(f"no answer from {address}:22 in 5 s")
        return "SSH-2.0-dropbear_2022.83"


@pytest.fixture
def run(clean_env, osops_replay):
    """``run(cassette, **options)``: the diagnosis of h5-diag under a replay."""

    def go(data="diagnose", here=None, **options):
        player = osops_replay(cassette(data) if isinstance(data, str) else data)
        conn = osops.connect(auth_url=player.auth_url, username="admin", password="pw", project_name="admin",
                             user_domain_id="default", project_domain_id="default")
        return diagnose.diagnose(conn, "h5-diag", here=here or FakeHere(), **options)

    return go


def rows(d):
    return {c.name: c for c in d.checks}


def response(interactions, url_part, **query):
    """The recorded JSON answer to the request whose URL has *url_part* (and *query*)."""
    return next(i["response"]["json"] for i in interactions if url_part in i["request"]["url"]
                and all(k in (i["request"]["query"] or {}) for k in query))


def open_rules(protocols=("icmp", "tcp")):
    """Edit: the default group also lets *protocols* in from 0.0.0.0/0 (tcp: port 22), as
    ``osops security group allow default ping|ssh`` would."""
    def change(interactions):
        rules = response(interactions, "/security-groups/")["security_group"]["security_group_rules"]
        for protocol in protocols:
            port = 22 if protocol == "tcp" else None
            rules.append({"direction": "ingress", "ethertype": "IPv4", "protocol": protocol,
                          "port_range_min": port, "port_range_max": port, "remote_ip_prefix": "0.0.0.0/0",
                          "remote_group_id": None, "id": f"rule-{protocol}"})
    return change


def both(*changes):
    def change(interactions):
        for c in changes:
            c(interactions)
    return change


def test_recorded_default_group_names_the_missing_icmp_rule(run):
    d = run()
    assert [c.name for c in d.checks] == NAMES
    r = rows(d)
    assert r["Server"].result == r["Port"].result == "OK"
    assert "bound to host devcloud (ovs)" in r["Port"].found
    assert r["Security ICMP"].result == "FAIL"
    assert r["Security ICMP"].found == (f"no rule of default lets ICMP echo (ping) in to {ADDRESS} "
                                        f"from 10.0.0.2 ({NS})")
    assert r["Security ICMP"].fix == "osops security group allow default ping"
    assert r["Security SSH"].fix == "osops security group allow default ssh"
    assert r["Router"].result == "OK" and "router1" in r["Router"].found and "gateway on public" in r["Router"].found
    assert (r["Floating IP"].result, r["Floating IP"].fix) == ("WARN", "osops floating ip add h5-diag")
    assert r["Namespace"].found == f"{NS} (network private)"
    assert r["Bridge port"].result == "OK" and "br-int" in r["Bridge port"].found
    assert [r[n].result for n in ("DHCP", "Metadata", "Login prompt")] == ["OK"] * 3
    assert r["DHCP"].found == f"console: lease of {ADDRESS} obtained"
    assert (r["Ping"].result, r["SSH"].result) == ("FAIL", "FAIL")
    assert not d.reachable
    assert d.summary().startswith("h5-diag is not reachable: Security ICMP failed: ")
    assert d.summary().endswith("fix: osops security group allow default ping")


def test_open_group_is_reachable_with_a_warning_for_no_floating_ip(run):
    here = FakeHere(answers=True)
    d = run(edit("diagnose", open_rules()), here=here)
    r = rows(d)
    assert [c.name for c in d.checks if c.result != "OK"] == ["Floating IP"]
    assert r["Security ICMP"].found == (f"default: ingress IPv4 icmp from 0.0.0.0/0 lets 10.0.0.2 ({NS}) "
                                        f"in to {ADDRESS}")
    assert "SSH-2.0-dropbear" in r["SSH"].found
    assert [t.netns for t in here.pinged] == [NS]
    assert d.reachable
    assert d.summary().startswith("h5-diag is reachable; but Floating IP: h5-diag has no floating IP")


def test_no_icmp_rule_but_ssh(run):
    d = run(edit("diagnose", open_rules(("tcp",))))
    r = rows(d)
    assert (r["Security ICMP"].result, r["Security SSH"].result) == ("FAIL", "OK")
    assert d.first().name == "Security ICMP"


def test_port_binding_failed_skips_the_rest(run):
    def binding_failed(interactions):
        """Edit: the server's port as Neutron leaves it when no agent could bind it."""
        for i in interactions:
            if "device_id" in (i["request"]["query"] or {}):
                i["response"]["json"]["ports"][0].update({"binding:vif_type": "binding_failed", "status": "DOWN"})

    d = run(edit("diagnose", binding_failed))
    r = rows(d)
    assert r["Port"].result == "FAIL"
    assert "binding_failed on host devcloud" in r["Port"].found
    assert "ovn-controller" in r["Port"].fix
    assert [c.result for c in d.checks[2:]] == ["SKIP"] * (len(NAMES) - 2)
    assert all(c.found.startswith("skipped: Port failed") for c in d.checks[2:])
    assert d.summary().startswith("h5-diag is not reachable: Port failed: ")


def test_no_router_interface_on_the_subnet(run):
    def no_interface(interactions):
        """Edit: router1 has no interface on private-subnet (router interface list empty)."""
        response(interactions, "/ports", device_owner=1)["ports"].clear()

    d = run(edit("diagnose", both(open_rules(), no_interface)), here=FakeHere(answers=True))
    r = rows(d)
    assert r["Router"].result == "WARN"  # no floating IP: the namespace still reaches it
    assert r["Router"].found.startswith("no router has an interface on subnet private-subnet")
    assert r["Router"].fix == "openstack router add subnet ROUTER private-subnet"


def test_error_with_fault(run):
    def error(interactions):
        """Edit: h5-diag as Nova shows a failed build."""
        server = response(interactions, "/servers/detail")["servers"]
        s = next(s for s in server if s["name"] == "h5-diag")
        s.update({"status": "ERROR", "OS-EXT-STS:vm_state": "error", "OS-EXT-STS:power_state": 0,
                  "fault": {"code": 500, "message": "No valid host was found. There are not enough hosts."}})

    d = run(edit("diagnose", error))
    r = rows(d)
    assert r["Server"].result == "FAIL"
    assert "ERROR" in r["Server"].found and "No valid host was found" in r["Server"].found
    assert "osops delete h5-diag" in r["Server"].fix
    assert [c.result for c in d.checks[1:]] == ["SKIP"] * (len(NAMES) - 1)
    assert d.summary().startswith("h5-diag is not reachable: Server failed: h5-diag is ERROR")


def test_suspended_names_resume(run):
    def suspended(interactions):
        """Edit: h5-diag suspended."""
        s = next(s for s in response(interactions, "/servers/detail")["servers"] if s["name"] == "h5-diag")
        s.update({"status": "SUSPENDED", "OS-EXT-STS:power_state": 7})

    d = run(edit("diagnose", suspended))
    assert (d.checks[0].result, d.checks[0].fix) == ("FAIL", "osops resume h5-diag")


def test_dhcp_off_on_the_subnet(run):
    def dhcp_off(interactions):
        """Edit: private-subnet with DHCP disabled."""
        response(interactions, "/subnets/")["subnet"]["enable_dhcp"] = False

    r = rows(run(edit("diagnose", dhcp_off)))
    assert r["DHCP"].result == "FAIL"
    assert r["DHCP"].fix == "openstack subnet set --dhcp private-subnet"


def test_no_ping_sends_nothing(run):
    here = FakeHere()
    r = rows(run(here=here, ping=False))
    assert (r["Ping"].result, r["SSH"].result) == ("SKIP", "SKIP") and here.pinged == []


def test_cli_table_json_and_exit_status(cli, monkeypatch):
    monkeypatch.setattr("osops.diagnose.here.HostView", lambda *a, **k: FakeHere())
    done = cli("diagnose", "diagnose", "h5-diag", "-f", "json")
    assert done.code == 1
    import json

    assert [row["Check"] for row in json.loads(done.out)] == NAMES
    assert done.err.strip().splitlines()[-1].startswith("h5-diag is not reachable: Security ICMP failed")
    monkeypatch.setattr("osops.diagnose.here.HostView", lambda *a, **k: FakeHere(answers=True))
    done = cli(edit("diagnose", open_rules()), "diagnose", "h5-diag", "-c", "Check", "-c", "Result")
    assert done.code == 0 and "| Ping" in done.out and "FAIL" not in done.out


def test_cli_unknown_namespace_is_a_usage_error(cli):
    done = cli("diagnose", "diagnose", "h5-diag", "--from-netns", "no-such-ns-h5", unmatched_ok=True)
    assert done.code == 2
    assert done.err.strip() == ("namespace no-such-ns-h5 does not exist on this host (see 'ip netns list'); "
                                "name one of 'ip netns list', or leave --from-netns out")


def test_terminal_report_is_the_doctors_and_ends_with_the_diagnosis(cli, monkeypatch):
    import sys

    monkeypatch.setattr("osops.diagnose.here.HostView", lambda *a, **k: FakeHere())
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    done = cli("diagnose", "diagnose", "h5-diag")
    lines = done.out.splitlines()
    assert done.code == 1 and done.err == ""  # said once, on the terminal
    assert lines[0] == "OK    Server: h5-diag is ACTIVE and running on host devcloud"
    assert "      fix: osops security group allow default ping" in lines
    assert all(len(line) <= 80 for line in lines)
    last = lines[lines.index(next(line for line in lines if line.startswith("h5-diag is not reachable"))):]
    assert " ".join(line.strip() for line in last) == (
        f"h5-diag is not reachable: Security ICMP failed: no rule of default lets ICMP echo (ping) in to "
        f"{ADDRESS} from 10.0.0.2 ({NS}); fix: osops security group allow default ping")


# The matcher


def rule(**kw):
    return {"direction": "ingress", "ethertype": "IPv4", "protocol": None, "port_range_min": None,
            "port_range_max": None, "remote_ip_prefix": None, "remote_group_id": None, **kw}


@pytest.mark.parametrize("r, want, allowed", [
    (rule(protocol="icmp"), "ping", True),
    (rule(protocol="icmp", port_range_min=8), "ping", True),
    (rule(protocol="icmp", port_range_min=0), "ping", False),  # echo reply only
    (rule(protocol="tcp", port_range_min=22, port_range_max=22), "ping", False),
    (rule(protocol="tcp", port_range_min=20, port_range_max=30), "ssh", True),
    (rule(protocol="tcp", port_range_min=80, port_range_max=80), "ssh", False),
    (rule(protocol="udp"), "ssh", False),
    (rule(), "ssh", True),  # any protocol from anywhere
    (rule(ethertype="IPv6"), "ping", False),  # an IPv4 source
    (rule(direction="egress"), "ping", False),
    (rule(protocol="icmp", remote_ip_prefix="10.0.0.0/26"), "ping", True),
    (rule(protocol="icmp", remote_ip_prefix="192.168.0.0/24"), "ping", False),
    (rule(protocol="icmp", remote_group_id="g1"), "ping", True),
    (rule(protocol="icmp", remote_group_id="g2"), "ping", False),
])
def test_allowing(r, want, allowed):
    assert (security.allowing([r], want, "10.0.0.2", {"g1"}) is r) == allowed


def test_allowing_ipv6_icmp():
    assert security.allowing([rule(ethertype="IPv6", protocol="ipv6-icmp")], "ping", "fd00::5")
    assert not security.allowing([rule(protocol="icmp")], "ping", "fd00::5")


RULE_FIELDS = st.fixed_dictionaries({}, optional={
    "direction": st.sampled_from(["ingress", "egress", None]),
    "ethertype": st.sampled_from(["IPv4", "IPv6", None]),
    "protocol": st.one_of(st.none(), st.sampled_from(["icmp", "tcp", "udp", "any", "6", "58", "ICMP", "x"])),
    "port_range_min": st.one_of(st.none(), st.integers(0, 65535)),
    "port_range_max": st.one_of(st.none(), st.integers(0, 65535)),
    "remote_ip_prefix": st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["0.0.0.0/0", "::/0", "10.0.0.0/8"])),
    "remote_group_id": st.one_of(st.none(), st.sampled_from(["g1", "g2"])),
})


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(RULE_FIELDS, max_size=4), st.sampled_from(["ping", "ssh"]),
       st.sampled_from(["10.0.0.2", "172.24.4.1", "fd00::2"]))
def test_allowing_any_rules_gives_one_of_them_or_none(rules, want, source):
    found = security.allowing(rules, want, source, {"g1"})
    assert found is None or any(found is r for r in rules)
    assert security.allowing(rules + [rule(ethertype="IPv6" if ":" in source else "IPv4")], want, source)


# The console log


def facts_with(log, dhcp=True):
    from types import SimpleNamespace as NS

    port = NS(fixed_ips=[{"ip_address": "10.0.0.5", "subnet_id": "s"}])
    subnet = NS(ip_version=4, is_dhcp_enabled=dhcp, name="private-subnet", id="s")
    server = Server(id="x", name="web", status="ACTIVE", task_state=None, power_state="Running")
    return Facts(server=server, ports=[port], subnets={"s": subnet}, console=log)


@pytest.mark.parametrize("log, results", [
    ("Lease of 10.0.0.5 obtained, lease time 43200\n=== datasource: ec2 net ===\nweb login: ",
     ["OK", "OK", "OK"]),
    ("udhcpc: sending discover\nudhcpc: no lease, failing\n=== datasource: None None ===\n",
     ["FAIL", "FAIL", "WARN"]),
    ("Lease of 10.0.0.9 obtained\nfailed to read iid from metadata. tried 20\n", ["FAIL", "FAIL", "WARN"]),
    ("Cloud-init v. 24.1 finished at Fri. Datasource DataSourceConfigDrive [net,ver=2][source=/dev/sr0]."
     " Up 9 s\nubuntu login: ", ["WARN", "OK", "OK"]),
    ("", ["WARN", "WARN", "WARN"]),
])
def test_console(log, results):
    assert [c.result for c in console.checks(facts_with(log), None)] == results


def test_console_unreadable_skips_with_the_reason():
    facts = facts_with(None)
    facts.console_error = "the console log cannot be read: no console"
    assert {(c.result, c.found) for c in console.checks(facts, None)} == {("SKIP", facts.console_error)}


# This host's pieces, on recorded command output and a local socket


def test_bridge_port_found_by_iface_id_in_recorded_ovs_vsctl_output():
    from types import SimpleNamespace as NS

    from osops.diagnose import host
    from tests.unit.test_host_parsers import text

    bridges = ovs.parse_tables(text("ovs-vsctl-list.json"))
    port = NS(id="3f2a1b4c-9d11-4c52-8f0e-2a3b4c5d6e7f", binding_host_id="devcloud")
    here = NS(bridges=lambda: (bridges, ""))
    check = host._bridge_port(facts_with(""), here, port)
    assert (check.result, check.found) == ("OK", "tap3f2a1b4c-9d on br-t1 (iface-id 3f2a1b4c...), no state")
    other = NS(id="00000000-0000-0000-0000-000000000000", binding_host_id="compute2")
    assert host._bridge_port(facts_with(""), here, other).result == "SKIP"  # no br-int or brq bridge there


def test_banner_read_and_refused(closed_port):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def greet():
        conn, _ = listener.accept()
        conn.sendall(b"SSH-2.0-test_1.0\r\n")
        conn.close()

    threading.Thread(target=greet, daemon=True).start()
    try:
        assert read_banner("127.0.0.1", listener.getsockname()[1], timeout=5) == "SSH-2.0-test_1.0"
    finally:
        listener.close()
    with pytest.raises(OsopsError, match="refused the connection"):
        read_banner("127.0.0.1", closed_port, timeout=5)


# The scenario action


def test_scenario_action_shows_the_rows_and_passes_when_reachable(clean_env, osops_replay, monkeypatch):
    import textwrap

    from osops.scenario import Engine, load_text

    monkeypatch.setattr("osops.diagnose.here.HostView", lambda *a, **k: FakeHere(answers=True))
    scenario = load_text(textwrap.dedent("""\
        steps:
          - diagnose: h5-diag
          - diagnose:
              server: h5-diag
              ping: false
        """), "diag.yaml")
    for data, results in ((edit("diagnose", both(list_of_all, open_rules())), ["PASS", "PASS"]),
                          (edit("diagnose", list_of_all), ["FAIL", "FAIL"])):
        player = osops_replay(data)
        conn = osops.connect(auth_url=player.auth_url, username="admin", password="pw", project_name="admin",
                             user_domain_id="default", project_domain_id="default")
        report = Engine(conn, scenario, handle_signals=False).run()
        assert player.unmatched == []  # a FAIL is the diagnosis's, not a missing recording's
        steps = [s for s in report.steps if s.action == "diagnose"]
        assert [s.status for s in steps] == results
        assert any("| Security ICMP" in line for line in steps[0].output)
        assert steps[0].detail.startswith("h5-diag is ")
