"""Floating IPs and the console on a real guest of the loopback cloud, with
the osops CLI: the guest's console log shows its login prompt (also to
console log --follow, which Ctrl-C ends quietly); floating ip add gives it
an address on `public` that answers ping from devcloud-ext (the outside,
172.24.4.1) through router1; remove takes it off (kept allocated, so no
answer) and delete releases it; console url is one line, the cloud having
no console proxy.  One guest for the module, in a group that lets ICMP in.
"""

import signal
import subprocess
import sys
import time

import pytest

from osops import security_groups
from tests.integration.devcloud import ROOT, one_line

pytestmark = [pytest.mark.integration, pytest.mark.guest]

OUTSIDE = "devcloud-ext"
BOOTED = 180  # seconds a guest under TCG may take to show its login prompt


def answers(address, seconds, want=True):
    """True once *address* answers one ping from the outside namespace
    (with not *want*: once it does not), trying for *seconds*."""
    deadline = time.monotonic() + seconds
    while True:
        done = subprocess.run(["ip", "netns", "exec", OUTSIDE, "ping", "-c", "1", "-W", "1", address],
                              capture_output=True, timeout=30)
        if (done.returncode == 0) == want:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)


@pytest.fixture(scope="module")
def conn(guests):
    return guests.connect()


@pytest.fixture(scope="module")
def guest(guests, conn):
    """A guest booted by osops in a group of its own letting ICMP in, up to
    its login prompt; it and the group are deleted at the end."""
    name = f"{guests.prefix}-fip"
    group = conn.network.create_security_group(name=name)
    conn.network.create_security_group_rule(security_group_id=group.id, direction="ingress", ethertype="IPv4",
                                            protocol="icmp")
    try:
        [row] = guests.ok("boot", name, "--flavor", "m1.tiny", "--image", "cirros-0.6", "--network", "private",
                          "-f", "json", timeout=600)
        [port] = conn.network.ports(device_id=row["ID"])
        conn.network.update_port(port, security_group_ids=[group.id])
        deadline = time.monotonic() + BOOTED
        log = ""
        while "login:" not in log and time.monotonic() < deadline:
            time.sleep(2)
            log = guests.run("console", "log", name, timeout=60).stdout
        yield {"name": name, "id": row["ID"], "log": log}
    finally:
        guests.run("delete", name, "--wait", timeout=300)
        security_groups.delete_groups(conn, [group])


def test_the_console_log_shows_the_login_prompt_and_its_tail_on_request(guests, guest):
    assert "login:" in guest["log"], guest["log"][-2000:]
    assert "Lease of 10.0.0." in guest["log"]
    tail = guests.run("console", "log", guest["name"], "--lines", "3")
    assert tail.returncode == 0 and len(tail.stdout.splitlines()) <= 3 and "login:" in tail.stdout


def test_follow_prints_the_log_and_ctrl_c_ends_it_quietly(guests, guest):
    follow = subprocess.Popen([sys.executable, "-m", "osops", "console", "log", guest["name"], "--follow"],
                              env=guests.os_env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    seen = ""
    try:
        while "login:" not in seen:
            line = follow.stdout.readline()
            assert line, follow.stderr.read()
            seen += line
    finally:
        follow.send_signal(signal.SIGINT)
        _, err = follow.communicate(timeout=30)
    assert follow.returncode == 130 and "Traceback" not in err, err


def test_a_floating_ip_answers_from_the_outside_until_removed_then_is_released(guests, guest):
    added = guests.ok("floating", "ip", "add", guest["name"], "-f", "json")
    address = added["floating_ip_address"]
    try:
        assert (added["network"], added["floating_network"]) == ("private", "public")
        assert added["result"] in ("allocated", "reused a free floating IP of the project")
        assert answers(address, 60), f"{address} does not answer from {OUTSIDE}"
        [row] = [r for r in guests.ok("floating", "ip", "list", "-f", "json") if r["Floating IP Address"] == address]
        assert row["Server"] == guest["name"] and row["Fixed IP Address"] == added["fixed_ip_address"]
        again = guests.ok("floating", "ip", "add", guest["name"], "-f", "json")
        assert (again["floating_ip_address"], again["result"]) == (address, "had it already")
        removed = guests.run("floating", "ip", "remove", guest["name"])
        assert removed.returncode == 0 and "stays allocated" in removed.stderr, removed.stderr
        assert answers(address, 30, want=False), f"{address} still answers once removed"
        [row] = [r for r in guests.ok("floating", "ip", "list", "-f", "json") if r["Floating IP Address"] == address]
        assert row["Server"] is None
    finally:
        gone = guests.run("floating", "ip", "delete", address)
    assert gone.returncode == 0, gone.stderr
    assert address not in [r["Floating IP Address"] for r in guests.ok("floating", "ip", "list", "-f", "json")]


def test_console_url_without_a_console_proxy_is_one_line(guests, guest):
    done = guests.run("console", "url", guest["name"])
    assert done.returncode == 1 and one_line(done.stderr), done.stderr
    assert "no novnc console" in done.stderr
