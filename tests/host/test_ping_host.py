"""osops ping on real namespaces: across a Linux bridge, to an unused
address, with no route, from a namespace that is not there."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from osops.host import ping
from osops.host.models import Target
from osops.testing import replay
from tests.host import cloud
from tests.host.conftest import need

pytestmark = pytest.mark.host
FAST = ("--count", "2", "--interval", "0.2", "--timeout", "1")


def rows(out):
    return json.loads(out)


def test_ping_across_the_bridge(lan, osops_cli):
    code, out, err = osops_cli("ping", "--address", lan["addr_b"], "--netns", lan["a"], *FAST, "-f", "json")
    assert code == 0, err
    [row] = rows(out)
    assert row["Address"] == lan["addr_b"] and row["Namespace"] == lan["a"]
    assert (row["Sent"], row["Received"], row["Loss %"], row["Result"]) == (2, 2, 0.0, "ok")


def test_namespace_column_chosen_with_c(lan, osops_cli):
    code, out, err = osops_cli("ping", "--address", lan["addr_b"], "--netns", lan["a"], *FAST,
                               "-f", "value", "-c", "Namespace", "-c", "Received")
    assert code == 0, err
    assert out.split() == [lan["a"], "2"]


def test_unused_address_fails_with_the_reason(lan, osops_cli):
    code, out, _ = osops_cli("ping", "--address", lan["unused"], "--netns", lan["a"], *FAST, "-f", "json")
    assert code == 1
    [row] = rows(out)
    assert row["Received"] == 0 and row["Loss %"] == 100.0
    assert row["Result"] == (f"FAIL: nothing answers ARP for {lan['unused']} on eth0: "
                             "the address is unused or its host is down")


def test_expect_fail(lan, osops_cli):
    code, out, _ = osops_cli("ping", "--address", lan["unused"], "--netns", lan["a"], *FAST,
                             "--expect-fail", "-f", "json")
    assert code == 0
    assert rows(out)[0]["Result"].startswith("ok, no answer as expected: nothing answers ARP")
    code, out, _ = osops_cli("ping", "--address", lan["addr_b"], "--netns", lan["a"], *FAST,
                             "--expect-fail", "-f", "json")
    assert code == 1
    assert rows(out)[0]["Result"] == "FAIL: answered, but no answer was expected"


def test_no_route_and_missing_namespace(lan, osops_cli):
    missing = lan["a"] + "-gone"
    code, out, _ = osops_cli("ping", "--address", "10.255.0.1", "--netns", lan["a"], *FAST, "-f", "json")
    assert code == 1
    [row] = rows(out)
    assert row["Sent"] == 0  # nothing left the namespace: the kernel has no route
    assert row["Result"] == f"FAIL: no route from namespace {lan['a']} to 10.255.0.1 (Network is unreachable)"
    code, out, _ = osops_cli("ping", "--address", lan["addr_b"], "--netns", missing, *FAST, "-f", "json")
    assert code == 1
    assert rows(out)[0]["Result"] == f"FAIL: namespace {missing} does not exist on this host (see 'ip netns list')"


@pytest.mark.parametrize("method", ["icmp", "system"])
def test_icmp_error_replies_give_their_reason(routed, method):
    """A router that answers with ICMP errors at once: the reason is the
    error and who sent it (icmplib's words, or ping's)."""
    if method == "system":
        need("ping", "iputils-ping")
    results = ping.ping([Target(routed["unreachable"], netns=routed["a"]),
                         Target(routed["prohibited"], netns=routed["a"])],
                        count=2, interval=0.2, timeout=1, method=method)
    words = {"icmp": ("Destination host unreachable", "Packet filtered"),
             "system": ("Destination Host Unreachable", "Packet filtered")}[method]
    assert [(r.sent, r.received, r.reason) for r in results] == [
        (2, 0, f"{word} (reported by {routed['gateway']})") for word in words]


def test_icmp_error_reply_in_the_cli_row(routed, osops_cli):
    code, out, err = osops_cli("ping", "--address", routed["unreachable"], "--netns", routed["a"], *FAST,
                               "-f", "json")
    assert code == 1, err
    [row] = rows(out)
    assert row["Result"] == f"FAIL: Destination host unreachable (reported by {routed['gateway']})"  # icmplib


def test_many_targets_one_row_each_in_order(lan):
    targets = [Target(lan["addr_b"], netns=lan["a"]), Target("127.0.0.1"),
               Target(lan["unused"], netns=lan["a"]), Target(lan["addr_a"], netns=lan["b"]),
               Target(lan["addr_a"], netns=lan["a"])]
    results = ping.ping(targets, count=2, interval=0.2, timeout=1)
    assert [r.target for r in results] == targets
    assert [r.answered for r in results] == [True, True, False, True, True]


def test_system_ping_fallback_gives_the_same_answers(lan):
    need("ping", "iputils-ping")
    results = ping.ping([Target(lan["addr_b"], netns=lan["a"]), Target(lan["unused"], netns=lan["a"])],
                        count=2, interval=0.2, timeout=1, method="system")
    assert (results[0].sent, results[0].received) == (2, 2)
    assert results[0].rtt_min <= results[0].rtt_avg <= results[0].rtt_max
    assert results[1].received == 0 and results[1].reason.startswith("nothing answers ARP")


def test_system_ping_messages_reach_the_reason(kernel):
    """ping's own complaint ("ping: connect: ...") is the reason: a
    namespace with no route at all, asked through the system ping."""
    need("ping", "iputils-ping")
    ns = kernel.netns()
    assert cloud.in_namespace(ns, ping._system, "10.255.0.1", 1, 0.2, 1) == (
        0, 0, (None, None, None), "Network is unreachable")


PING_SYSTEM = ("import sys; from osops.host import ping; from osops.host.models import Target; "
               "print(ping.ping([Target(sys.argv[1], netns=sys.argv[2])], 1, 0.2, 1, method='system')[0].reason)")


def without_net_raw(*argv, path=None):
    """Run Python with *argv* as root without CAP_NET_RAW (as in a container)."""
    need("setpriv", "util-linux")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    if path:
        env["PATH"] = f"{path}:{env.get('PATH', os.defpath)}"
    return subprocess.run(["setpriv", "--inh-caps", "-all", "--bounding-set", "-net_raw", sys.executable, *argv],
                          capture_output=True, text=True, timeout=60, env=env)


def test_system_ping_not_permitted_says_what_to_do(lan, tmp_path):
    """A ping without its file capability (a plain copy drops it) run by
    root without CAP_NET_RAW: ping says "socket: Operation not permitted"."""
    need("ping", "iputils-ping")
    (tmp_path / "bin").mkdir()
    shutil.copy(shutil.which("ping"), tmp_path / "bin" / "ping")
    done = without_net_raw("-c", PING_SYSTEM, lan["addr_b"], lan["a"], path=tmp_path / "bin")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ping.NO_PERMISSION


def test_root_without_net_raw_gets_the_reason_per_target(lan):
    """Root in a container without CAP_NET_RAW: no raw socket, no datagram
    socket (the namespace's ping_group_range admits nobody), and the system
    ping, whose file capability exceeds the bounding set, may not start."""
    need("ping", "iputils-ping")
    subprocess.run(["ip", "netns", "exec", lan["a"], "sysctl", "-qw", "net.ipv4.ping_group_range=1 0"], check=True)
    done = without_net_raw("-m", "osops", "ping", "--address", lan["addr_b"], "--address", lan["unused"],
                           "--netns", lan["a"], *FAST, "-f", "json")
    assert done.returncode == 1, done.stderr
    assert [(r["Address"], r["Result"]) for r in json.loads(done.stdout)] == [
        (lan["addr_b"], f"FAIL: {ping.NO_PERMISSION}"), (lan["unused"], f"FAIL: {ping.NO_PERMISSION}")]


@pytest.mark.parametrize("kind", ["qdhcp", "qrouter"])
def test_netns_auto_finds_the_networks_namespace(kind, lan, kernel, osops_cli, monkeypatch):
    """The namespace is named after the recorded network (qdhcp) or the
    router of its recorded interface port (qrouter), and joins the LAN.
    Edits to host-ping-auto (which has no network list: hostrec's port
    names the network): hostrec's fixed address becomes b's (the LAN stands
    in for the network), and with a qdhcp namespace the router port list is
    dropped, as osops must not ask for it; the server list becomes the
    exact-name list osops asks first (cloud.asked_by_name); the network and
    router ids are new ones (cloud.with_fresh_ids), the namespace is the
    test's own."""
    assert cloud.ROUTER_PORT["network_id"] == cloud.NETWORK["id"]
    data = cloud.recorded("host-ping-auto")
    [recorded] = cloud.body(data, "/servers/detail")["servers"][0]["addresses"][cloud.NETWORK["name"]]
    cloud.set_addresses(data, {cloud.NETWORK["name"]: [{**recorded, "addr": lan["addr_b"]}]})
    if kind == "qdhcp":
        cloud.drop(data, "/v2.0/ports", cloud.ROUTER_QUERY)
    data = cloud.asked_by_name(data, "hostrec")
    data, (net_id, router_id) = cloud.with_fresh_ids(data, cloud.NETWORK["id"], cloud.ROUTER_PORT["device_id"])
    ns = kernel.netns(f"qdhcp-{net_id}" if kind == "qdhcp" else f"qrouter-{router_id}")
    kernel.veth(lan["bridge"], lan["switch"], ns, "192.0.2.3")
    with replay(data) as player:
        for k, v in cloud.env(player).items():
            monkeypatch.setenv(k, v)
        code, out, err = osops_cli("ping", "hostrec", "--netns", "auto", *FAST, "-f", "json")
    assert code == 0, err
    [row] = rows(out)
    assert (row["Server"], row["Address"], row["Namespace"], row["Result"]) == (
        "hostrec", lan["addr_b"], ns, "ok")


def test_entering_a_namespace_needs_root(lan):
    """Without CAP_SYS_ADMIN (as any user who is not root) the reason says so."""
    need("setpriv", "util-linux")
    done = subprocess.run(
        ["setpriv", "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin", sys.executable, "-m", "osops",
         "ping", "--address", lan["addr_b"], "--netns", lan["a"], *FAST, "-f", "json"],
        capture_output=True, text=True, timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("OS_")})
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)[0]["Result"] == (
        f"FAIL: entering namespace {lan['a']} needs root (CAP_SYS_ADMIN); run with sudo")
