"""The doctor's host checks against real objects: unix sockets with
restricted permissions opened by an unprivileged process, the kernel's
sysctls, ping's file capabilities; plus when the host checks run at all."""

import grp
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from osops.doctor import host, ovn
from osops.doctor.core import FAIL, OK, SKIP, WARN, Context, Skip, run_checks

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOBODY = 65534
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make files another user may not open")


def _python_for_nobody():
    """An interpreter user nobody can run (the venv's may live under /root)."""
    for candidate in (sys.executable, "/usr/bin/python3"):
        done = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                               candidate, "-c", "pass"], capture_output=True)
        if done.returncode == 0:
            return candidate
    return None


@pytest.fixture
def shared_dir():
    """A folder every user may enter (pytest's tmp_path is root's only)."""
    path = pathlib.Path(tempfile.mkdtemp(prefix="osops-doctor-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


@pytest.fixture
def listening(shared_dir):
    """listening(mode, gid): a unix socket like ovsdb-server's db.sock."""
    socks = []

    def make(mode=0o750, gid=0, name="db.sock"):
        path = shared_dir / name
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(str(path))
        s.listen(4)
        os.chown(path, 0, gid)
        os.chmod(path, mode)
        socks.append(s)
        return path

    yield make
    for s in socks:
        s.close()


def run_as(groups, path):
    """socket_check(path) in a bare interpreter as user nobody with *groups*."""
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed")
    python = _python_for_nobody()
    if python is None:
        pytest.skip("no Python interpreter that user nobody may run")
    group_args = [f"--groups={','.join(map(str, groups))}"] if groups else ["--clear-groups"]
    code = ("import json, sys; from osops.doctor.host import socket_check; "
            "print(json.dumps(socket_check(sys.argv[1]).__dict__))")
    done = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", *group_args,
                           python, "-c", code, str(path)],
                          capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(ROOT), "PATH": os.defpath, "PYTHONDONTWRITEBYTECODE": "1"},
                          cwd="/")
    assert done.returncode == 0, done.stderr
    import json

    return json.loads(done.stdout)


def _some_group():
    """A group other than root's and nobody's, to own a socket."""
    for g in grp.getgrall():
        if g.gr_gid not in (0, NOBODY) and g.gr_gid < 1000:
            return g
    pytest.skip("no spare system group on this machine")


@as_root
def test_socket_of_root_group_refuses_nobody_and_says_sudo(listening):
    path = listening(0o750, gid=0)
    got = run_as([], path)
    assert got["result"] == FAIL
    assert f"permission denied on {path} (srwxr-x--- root:root)" in got["found"]
    assert "Permission denied" in got["found"]
    assert got["fix"].startswith("run with sudo")
    assert f"ls -l {path}" in got["fix"]
    assert "chmod" not in got["fix"] and "777" not in got["fix"]


@as_root
def test_socket_of_a_group_says_join_it_and_joining_works(listening):
    group = _some_group()
    path = listening(0o770, gid=group.gr_gid)
    refused = run_as([], path)
    assert refused["result"] == FAIL
    assert f"join the socket's group {group.gr_name} (ls -l {path} shows it)" in refused["fix"]
    assert f"sudo usermod -aG {group.gr_name} $USER" in refused["fix"]
    assert "chmod" not in refused["fix"]
    # Following the advice: the same user in that group gets in.
    admitted = run_as([group.gr_gid], path)
    assert admitted["result"] == OK and "lets nobody in" in admitted["found"]


@as_root
def test_socket_its_group_may_not_write_says_joining_will_not_help(listening):
    # The audit's srwxr-x--- root:adm: connecting needs write permission, so
    # the group's members are refused too; usermod -aG would change nothing.
    group = _some_group()
    path = listening(0o750, gid=group.gr_gid)
    outside = run_as([], path)
    assert outside["result"] == FAIL and "(srwxr-x---" in outside["found"]
    assert outside["fix"].startswith(f"run with sudo; joining a group will not help: its group {group.gr_name} "
                                     "may not write to it (srwxr-x---), and connecting needs that.")
    assert "ovs-ctl --ovs-user=USER:GROUP" in outside["fix"]
    # What the audit's user saw: already in the group, and still refused.
    inside = run_as([group.gr_gid], path)
    assert inside["result"] == FAIL
    assert inside["fix"].startswith(f"run with sudo; joining a group will not help: you are in its group "
                                    f"{group.gr_name} already.")
    for fix in (outside["fix"], inside["fix"]):
        assert "usermod" not in fix and "chmod" not in fix and "777" not in fix


@as_root
def test_socket_folder_closed_to_the_user(shared_dir, listening):
    path = listening(0o777)
    shared_dir.chmod(0o700)
    got = run_as([], path)
    assert got["result"] == FAIL and "permission denied looking up" in got["found"]
    assert got["fix"] == "run with sudo"


def test_socket_that_accepts(listening):
    got = host.socket_check(str(listening(0o750)))
    assert got.result == OK and "lets" in got.found and "srwxr-x---" in got.found


def test_socket_nobody_listens_on(shared_dir):
    path = shared_dir / "db.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    s.close()  # the file stays, nothing listens: ovsdb-server died
    got = host.socket_check(str(path))
    assert got.result == FAIL and "nothing listens" in got.found
    assert got.fix == "start it: sudo systemctl start openvswitch-switch"


def test_socket_missing_and_not_a_socket(shared_dir):
    assert host.socket_check(str(shared_dir / "db.sock")).result == FAIL
    plain = shared_dir / "plain"
    plain.write_text("")
    got = host.socket_check(str(plain))
    assert got.result == FAIL and "is not a socket" in got.found


# -- sysctls ---------------------------------------------------------------

def test_ip_forward_reads_the_real_sysctl():
    real = pathlib.Path("/proc/sys/net/ipv4/ip_forward").read_text().strip()
    assert host.read_sysctl("net.ipv4.ip_forward") == real
    got = host.ip_forward(None)
    assert got.result == (OK if real == "1" else WARN)
    assert got.found.startswith(real + ":")


def fake_proc(tmp_path, forward="0\n", ping_range="1\t0\n"):
    ipv4 = tmp_path / "net" / "ipv4"
    ipv4.mkdir(parents=True)
    (ipv4 / "ip_forward").write_text(forward)
    (ipv4 / "ping_group_range").write_text(ping_range)
    return str(tmp_path)


def test_ip_forward_off_and_on(tmp_path):
    off = host.ip_forward(None, root=fake_proc(tmp_path / "off", forward="0\n"))
    assert off.result == WARN and off.fix.startswith("sudo sysctl -w net.ipv4.ip_forward=1")
    on = host.ip_forward(None, root=fake_proc(tmp_path / "on", forward="1\n"))
    assert on.result == OK


def test_ping_group_range_reads_the_real_sysctl():
    real = " ".join(pathlib.Path("/proc/sys/net/ipv4/ping_group_range").read_text().split())
    got = host.ping_group_range(None)
    assert got.found.startswith(real + " (")
    assert got.result in (OK, WARN)


def test_ping_group_range_admitting_the_users_group(tmp_path):
    got = host.ping_group_range(None, root=fake_proc(tmp_path, ping_range="0\t2147483647\n"),
                                euid=1000, groups=[1000], ping="")
    assert got.result == OK and "admits your group" in got.found


def test_ping_group_range_excluding_the_user_without_a_capable_ping(tmp_path):
    ping = tmp_path / "ping"
    ping.write_text("")
    got = host.ping_group_range(None, root=fake_proc(tmp_path / "proc"), euid=1000, groups=[1000],
                                ping=str(ping))
    assert got.result == WARN
    assert got.found.startswith("1 0 (no group) admits none of your groups")
    assert "sudo sysctl -w net.ipv4.ping_group_range='0 2147483647'" in got.fix
    assert f"sudo setcap cap_net_raw+ep {ping}" in got.fix


def test_ping_group_range_excluding_the_user_with_a_capable_ping(tmp_path):
    ping = tmp_path / "ping"
    ping.write_text("")
    try:  # what setcap cap_net_raw+ep writes (VFS_CAP_REVISION_2)
        os.setxattr(ping, "security.capability",
                    (0x02000001).to_bytes(4, "little") + (1 << 13).to_bytes(4, "little") + bytes(12))
    except OSError as exc:
        pytest.skip(f"cannot set file capabilities here: {exc}")
    got = host.ping_group_range(None, root=fake_proc(tmp_path / "proc"), euid=1000, groups=[1000],
                                ping=str(ping))
    assert got.result == OK and "has cap_net_raw" in got.found


@as_root
def test_setuid_root_ping_counts(tmp_path):
    ping = tmp_path / "ping"
    ping.write_text("")
    ping.chmod(0o4755)
    assert host._can_raw(str(ping))
    ping.chmod(0o755)
    assert not host._can_raw(str(ping))


def test_the_systems_ping_matches_getcap():
    ping = shutil.which("ping", path=host._sbin_path())
    getcap = shutil.which("getcap", path=host._sbin_path())
    if not ping or not getcap:
        pytest.skip("needs ping and getcap")
    caps = subprocess.run([getcap, ping], capture_output=True, text=True).stdout
    setuid = os.stat(ping).st_mode & 0o4000 and os.stat(ping).st_uid == 0
    assert host._can_raw(ping) == bool("cap_net_raw" in caps or setuid)


# -- when the host checks run, and the bridges ---------------------------

class FakeCtx(SimpleNamespace):
    """What the host checks ask of the context."""

    def __init__(self, auth_url="http://192.0.2.10:5000", agents=(), types=("network",), admin=True, run=True):
        super().__init__(auth_url=auth_url, host=run, is_admin=admin, _agents=list(agents), _types=set(types))

    def agents(self):
        if isinstance(self._agents, Exception):
            raise self._agents
        return self._agents

    def service_types(self):
        return self._types


def agent(kind="Open vSwitch agent", on=None, mappings=None):
    return SimpleNamespace(agent_type=kind, host=on or socket.gethostname(),
                           configuration={"bridge_mappings": mappings or {}})


def test_host_checks_skip_when_not_asked():
    (row,) = run_checks(FakeCtx(run=False), [host.host_checks])
    assert (row.name, row.result, row.found) == ("Host", SKIP, "not asked for (--no-host)")


def test_host_checks_skip_away_from_the_cloud(monkeypatch, tmp_path):
    monkeypatch.setattr(host, "MARKERS", (str(tmp_path / "nova.conf"),))
    (row,) = run_checks(FakeCtx(auth_url="http://192.0.2.10:5000"), [host.host_checks])
    assert row.result == SKIP and row.found.startswith("not a cloud host")
    assert "controller" in row.fix


def test_host_checks_without_an_auth_url_say_so(monkeypatch, tmp_path):
    # Not "Keystone is elsewhere": nothing says where Keystone is.
    monkeypatch.setattr(host, "MARKERS", (str(tmp_path / "nova.conf"),))
    ctx = Context(lambda: (_ for _ in ()).throw(RuntimeError("no credentials")), host=True)
    (row,) = run_checks(ctx, [host.host_checks])
    assert row.result == SKIP
    assert row.found.startswith("not a cloud host: no auth URL is configured to tell where Keystone runs, and "
                                "there is no")
    (row,) = run_checks(FakeCtx(auth_url="http://192.0.2.10:5000"), [host.host_checks])
    assert row.found.startswith("not a cloud host: Keystone's host 192.0.2.10 is not this machine, and")


def test_a_cloud_host_is_recognised_without_resolving_names(monkeypatch, tmp_path):
    monkeypatch.setattr(host, "MARKERS", (str(tmp_path / "nova.conf"),))
    assert "on this machine" in host.cloud_host(FakeCtx(auth_url="http://127.0.0.1:5000"))
    assert host.cloud_host(FakeCtx(auth_url="http://keystone.example.invalid:5000")) == ""
    (tmp_path / "nova.conf").write_text("")
    assert host.cloud_host(FakeCtx(auth_url="http://keystone.example.invalid:5000")).endswith("nova.conf exists")


def test_host_checks_run_on_a_cloud_host(monkeypatch, tmp_path):
    monkeypatch.setattr(host, "SOCKETS", (str(tmp_path / "db.sock"),))
    monkeypatch.delenv("OVS_RUNDIR", raising=False)
    monkeypatch.setattr(ovn, "running", lambda name: [])  # whatever runs on the machine of the test
    monkeypatch.setattr(ovn, "ovs_setting", lambda key: "")
    rows = run_checks(FakeCtx(auth_url="http://127.0.0.1:5000", agents=[]), [host.host_checks])
    assert [r.name for r in rows] == ["OVS db.sock", "OVS bridges", "OVN", "net.ipv4.ip_forward",
                                      "net.ipv4.ping_group_range"]
    assert rows[0].result == SKIP and "no Neutron agent here uses it" in rows[0].found
    assert rows[1].result == SKIP
    assert rows[2].result == SKIP and rows[2].found.startswith("OVN does not run here")


def test_missing_socket_when_an_ovs_agent_runs_here_fails(monkeypatch, tmp_path):
    monkeypatch.setattr(host, "SOCKETS", (str(tmp_path / "db.sock"),))
    monkeypatch.delenv("OVS_RUNDIR", raising=False)
    row = host.ovs_socket(FakeCtx(agents=[agent()]))
    assert row.result == FAIL and "Open vSwitch agent@" in row.found
    assert row.fix == "start it: sudo systemctl start openvswitch-switch"


def test_expected_bridges_follow_neutron_and_ovs(monkeypatch, tmp_path, listening):
    monkeypatch.setattr(host, "SOCKETS", (str(tmp_path / "none.sock"),))
    monkeypatch.delenv("OVS_RUNDIR", raising=False)
    assert host.expected_bridges(FakeCtx(agents=[])) == {}
    assert host.expected_bridges(FakeCtx(agents=[agent(on="elsewhere")])) == {}
    here = host.expected_bridges(FakeCtx(agents=[agent(mappings={"public": "br-ex"})]))
    assert list(here) == ["br-int", "br-ex"]
    assert host.expected_bridges(FakeCtx(agents=[agent()], types=("compute",))) == {}
    # No agent visible (not admin), but OVS runs here and Neutron is in the catalog.
    monkeypatch.setattr(host, "SOCKETS", (str(listening(0o750)),))
    assert list(host.expected_bridges(FakeCtx(agents=[], admin=False))) == ["br-int"]


def test_expected_bridges_from_ovn_bridge_mappings(monkeypatch, tmp_path):
    # ovn-controller's agent reports its ovn-bridge-mappings as one string.
    monkeypatch.setattr(host, "SOCKETS", (str(tmp_path / "none.sock"),))
    monkeypatch.delenv("OVS_RUNDIR", raising=False)
    ovn = SimpleNamespace(agent_type="OVN Controller Gateway agent", host=socket.gethostname(),
                          configuration={"chassis_name": "c1", "bridge-mappings": "public:br-ex, physnet2:br-eth1"})
    expected = host.expected_bridges(FakeCtx(agents=[ovn]))
    assert list(expected) == ["br-int", "br-ex", "br-eth1"]
    assert expected["br-eth1"] == "bridge-mappings physnet2:br-eth1 of the agent"


NAME = st.text(st.characters(blacklist_characters=":,", blacklist_categories=("Cs", "Zs", "Cc")), min_size=1,
               max_size=8).filter(lambda t: t == t.strip())


@given(pairs=st.lists(st.tuples(NAME, NAME), max_size=4))
def test_ovn_bridge_mappings_round_trip(pairs):
    text = ",".join(f"{p}:{b}" for p, b in pairs)
    assert host.agent_mappings({"bridge-mappings": text}) == [(p, b, "bridge-mappings") for p, b in pairs]


def test_bridges_from_the_kernel_when_ovs_cannot_be_asked(monkeypatch, tmp_path):
    net = tmp_path / "net"
    net.mkdir()
    (net / "lo").mkdir()
    monkeypatch.setattr(host, "SYS_CLASS_NET", str(net))
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))  # no ovs-vsctl
    monkeypatch.setattr(host, "_sbin_path", lambda: str(tmp_path / "no-tools"))
    ctx = FakeCtx(agents=[agent(mappings={"public": "br-ex"})])
    row = host.bridges(ctx)
    assert row.result == FAIL and row.found.startswith("missing br-int, br-ex")
    assert "ovs-vsctl is not installed" in row.found
    assert "chmod" not in row.fix
    (net / "br-int").mkdir()
    (net / "br-ex").mkdir()
    assert host.bridges(ctx).result == OK


def test_bridges_skip_without_neutron_and_ovs():
    with pytest.raises(Skip):
        host.bridges(FakeCtx(agents=[], types=("compute",)))


def test_no_check_ever_suggests_chmod():
    text = pathlib.Path(host.__file__).read_text()
    assert "chmod" not in text and "777" not in text


def test_context_from_a_connection_factory_that_fails():
    ctx = Context(lambda: (_ for _ in ()).throw(RuntimeError("no")), host=True)
    with pytest.raises(Skip):
        ctx.conn  # noqa: B018
