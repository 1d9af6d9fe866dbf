"""Keypairs and security groups on the loopback cloud: the real CLI makes,
lists, refuses and deletes them; a scenario's keypair and rule go with its
run; and (real networking) a rule that `security group allow` adds lets
ping in to a server whose group had none, and `deny` takes it away again.

Everything made here is named h1-<prefix>-... and deleted by the module."""

import json
import stat

import pytest

from osops import security_groups
from tests.integration.devcloud import ROOT, one_line
from tests.integration.test_ovn import REAL, answers_within, ping, wait_console

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def names(cloud):
    return f"h1-{cloud.prefix}"


@pytest.fixture(scope="module")
def group(cloud, names):
    """A group of the module's own, made by the CLI; deleted at the end
    (once the ports of servers in it let go of it)."""
    made = cloud.ok("security", "group", "create", f"{names}-closed", "-f", "json")
    yield made
    conn = cloud.connect()
    security_groups.delete_groups(conn, [security_groups.find_group(conn, made["id"])])


def test_keypair_create_list_refuse_and_delete(cloud, names, tmp_path):
    key, name = tmp_path / "id", f"{names}-key"
    made = cloud.ok("keypair", "create", name, "--private-key", str(key), "-f", "json")
    try:
        assert made["Private Key"] == str(key) and stat.S_IMODE(key.stat().st_mode) == 0o600
        assert key.read_text().startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
        listed = {k["Name"]: k for k in cloud.ok("keypair", "list", "-f", "json")}
        assert listed[name]["Fingerprint"] == made["Fingerprint"]
        again = cloud.run("keypair", "create", name, "--private-key", str(tmp_path / "other"))
        assert again.returncode == 1 and one_line(again.stderr)
        assert f"a keypair '{name}' exists already" in again.stderr and not (tmp_path / "other").exists()
        over = cloud.run("keypair", "create", f"{name}2", "--private-key", str(key))
        assert over.returncode == 2 and one_line(over.stderr) and f"{key} exists already" in over.stderr
        assert f"{name}2" not in {k["Name"] for k in cloud.ok("keypair", "list", "-f", "json")}
    finally:
        gone = cloud.ok("keypair", "delete", name, "-f", "json")
    assert gone == [{"Name": name, "Fingerprint": made["Fingerprint"], "Status": "DELETED"}]


def test_allow_and_deny_are_idempotent(cloud, group):
    name = group["name"]
    added = cloud.ok("security", "group", "allow", name, "tcp:8000-8080", "--from", "10.0.0.0/24", "-f", "json")
    assert (added["Rule"], added["Result"]) == ("ingress tcp 8000-8080 from 10.0.0.0/24", "added")
    again = cloud.ok("security", "group", "allow", name, "tcp:8080", "--from", "10.0.0.7", "-f", "json")
    assert again["Result"] == f"already allowed by rule {added['Rule IDs'][0]} (ingress tcp 8000-8080 from 10.0.0.0/24)"
    shown = cloud.ok("security", "group", "show", name, "-f", "json")
    assert shown["rules"] == ["ingress tcp 8000-8080 from 10.0.0.0/24", "egress any to 0.0.0.0/0",
                              "egress any to ::/0"]
    removed = cloud.ok("security", "group", "deny", name, "tcp:8000-8080", "--from", "10.0.0.0/24", "-f", "json")
    assert (removed["Result"], removed["Rule IDs"]) == ("removed", added["Rule IDs"])
    nothing = cloud.ok("security", "group", "deny", name, "tcp:8000-8080", "--from", "10.0.0.0/24", "-f", "json")
    assert nothing["Result"] == "nothing to remove"
    for bad in (["tcp:0"], ["tcp:80-22"], ["ssh", "--from", "10.0.0.0/33"]):
        done = cloud.run("security", "group", "allow", name, *bad)
        assert done.returncode == 2 and one_line(done.stderr) and done.stdout == ""


def test_a_scenarios_keypair_and_rule_go_with_its_run(cloud, names):
    run_id = "h1" + cloud.prefix.split("-")[-1]
    done = cloud.run("scenario", "run", str(ROOT / "tests" / "unit" / "data" / "access.yaml"), "--run-id", run_id,
                     "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["left"] == []
    assert f"keypair osops-{run_id}-key" in report["cleanup"]["detail"]
    assert f"osops-{run_id}-key" not in {k["Name"] for k in cloud.ok("keypair", "list", "-f", "json")}


@pytest.fixture(scope="module")
def guest(guests, names, group):
    """A real guest whose only group is the module's, with no ingress rule."""
    name = f"{names}-guest"
    [row] = guests.ok("boot", name, "--flavor", "m1.tiny", "--image", "cirros-0.6", "-f", "json", timeout=600)
    conn = guests.connect()
    try:
        [port] = conn.network.ports(device_id=row["ID"])
        conn.network.update_port(port, security_group_ids=[group["id"]])
        wait_console(conn, row["ID"], "login:")
        yield name
    finally:
        guests.run("delete", name, "--wait", timeout=300)


@pytest.mark.guest
def test_allow_ping_lets_ping_in_and_deny_takes_it_away(guests, group, guest):
    assert REAL
    code, rows = ping(guests, guest)
    assert code == 1 and rows[0]["Namespace"].startswith("ovnmeta-") and rows[0]["Received"] == 0, rows
    added = guests.ok("security", "group", "allow", group["name"], "ping", "-f", "json")
    assert added["Result"] == "added"
    code, rows = answers_within(guests, guest, 10)
    assert code == 0 and rows[0]["Received"] == 1, rows
    guests.ok("security", "group", "deny", group["name"], "ping", "-f", "json")
    code, rows = answers_within(guests, guest, 0)
    assert code == 1, rows
