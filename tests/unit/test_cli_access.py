"""osops keypair create|list|delete and osops security group
list|show|create|delete|allow|deny through the real entry point, on
cassettes recorded from the loopback cloud (h1-key, h1-web); failures are
derived from them by the edits each test documents."""

import json
import os
import pathlib
import stat

import pytest
from cryptography.hazmat.primitives import serialization

from tests.unit.conftest import cassette, edit

RECORDED_KEY = pathlib.Path(__file__).parent / "data" / "recorded-key.pub"
FINGERPRINT = "b2:c3:79:98:d5:69:e4:1b:98:24:e5:91:3a:55:1e:c3"  # as Nova computed it for the recorded key


def posted(result, path):
    """The JSON bodies of the POSTs to *path* a run made."""
    return [b for c, b in zip(result.calls, result.bodies, strict=True) if c.startswith("POST") and path in c]


def one_line(err):
    return len(err.strip().splitlines()) == 1 and "Traceback" not in err


# -- keypairs -------------------------------------------------------------------


def test_keypair_create_imports_a_public_key(cli):
    r = cli("keypair-create", "keypair", "create", "h1-key", "--public-key", str(RECORDED_KEY), "-f", "json")
    assert r.code == 0, r.err
    assert r.json() == {"Name": "h1-key", "Fingerprint": FINGERPRINT, "Type": "ssh", "Private Key": None}
    [body] = posted(r, "/os-keypairs")
    assert body == {"keypair": {"name": "h1-key", "public_key": RECORDED_KEY.read_text().strip()}}


def test_keypair_create_generates_a_key_and_keeps_the_private_half_here(cli, tmp_path):
    # replayed on the recorded import: Nova's answer is the recorded one, the request is ours
    key = tmp_path / "k"
    r = cli("keypair-create", "--debug", "keypair", "create", "h1-key", "--private-key", str(key), "-f", "json")
    assert r.code == 0, r.err
    assert r.json()["Private Key"] == str(key)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    text = key.read_text()
    assert text.startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    private = serialization.load_ssh_private_key(text.encode(), password=None)  # what ssh -i reads
    public = private.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                               serialization.PublicFormat.OpenSSH).decode()
    [body] = posted(r, "/os-keypairs")
    assert body["keypair"]["public_key"] == f"{public} osops h1-key"  # only the public key went to Nova
    secret = "".join(text.splitlines()[1:-1])
    for shown in (r.out, r.err):  # not in the output, nor in --debug's HTTP log
        assert "PRIVATE KEY" not in shown and secret[:40] not in shown and secret[-40:] not in shown


def test_keypair_create_writes_to_ssh_dir_by_default(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    r = cli("keypair-create", "keypair", "create", "h1-key", "-f", "value", "-c", "Private Key")
    assert r.code == 0, r.err
    key = tmp_path / ".ssh" / "osops-h1-key"
    assert r.out.strip() == str(key)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(key.parent.stat().st_mode) == 0o700


def test_keypair_create_never_writes_over_a_file(cli, tmp_path):
    key = tmp_path / "id"
    key.write_text("mine")
    r = cli("keypair-create", "keypair", "create", "h1-key", "--private-key", str(key))
    assert r.code == 2 and one_line(r.err)
    assert r.err == f"{key} exists already; osops never writes a key over a file; give --private-key NEWFILE, " \
                    "or move that file away\n"
    assert key.read_text() == "mine" and r.calls == []  # before anything is asked of the cloud


def _exists_already(interactions):
    """Derived from keypair-create.json: Nova answers the create with its
    409 for a name that is taken."""
    [create] = [i for i in interactions if i["request"]["method"] == "POST" and "os-keypairs" in i["request"]["url"]]
    create["response"].update(status=409, json={"conflictingRequest": {
        "code": 409, "message": "Key pair 'h1-key' already exists."}})


def test_a_keypair_that_exists_is_an_error_and_leaves_no_private_key(cli, tmp_path):
    key = tmp_path / "k"
    r = cli(edit("keypair-create", _exists_already), "keypair", "create", "h1-key", "--private-key", str(key))
    assert r.code == 1 and one_line(r.err)
    assert r.err == ("a keypair 'h1-key' exists already; delete it first (osops keypair delete h1-key) "
                     "or choose another name\n")
    assert not key.exists()


@pytest.mark.parametrize(("argv", "said"), [
    (["a/b"], "a/b cannot be a keypair name; use letters, digits, spaces, _ and - (up to 255)"),
    (["k", "--public-key", "{missing}"], "--public-key {missing}: No such file or directory"),
    (["k", "--public-key", "{private}"], "--public-key {private} is a private key; give its .pub file"),
    (["k", "--public-key", "{junk}"], "--public-key {junk} holds no OpenSSH public key"),
    (["k", "--public-key", str(RECORDED_KEY), "--private-key", "{missing}"], "--private-key and --public-key:"),
])
def test_bad_keypair_input_is_a_usage_error(cli, tmp_path, argv, said):
    files = {"missing": tmp_path / "nothing", "private": tmp_path / "id", "junk": tmp_path / "junk"}
    files["private"].write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n-----END OPENSSH PRIVATE KEY-----\n")
    files["junk"].write_text("ssh-ed25519 notbase64 me\n")
    argv = [a.format(**files) for a in argv]
    r = cli("keypair-create", "keypair", "create", *argv)
    assert r.code == 2 and one_line(r.err), r.err
    assert r.err.startswith(said.format(**files))
    assert r.calls == []


def test_keypair_list_and_delete(cli):
    r = cli("keypair-list", "keypair", "list", "-f", "json")
    assert r.code == 0, r.err
    assert r.json() == [{"Name": "h1-key", "Fingerprint": FINGERPRINT, "Type": "ssh"}]
    assert cli("keypair-list", "keypair", "list", "-f", "value").out == f"h1-key {FINGERPRINT} ssh\n"
    r = cli("keypair-delete", "keypair", "delete", "h1-k", "-f", "json")  # a unique prefix, as for servers
    assert r.code == 0, r.err
    assert r.json() == [{"Name": "h1-key", "Fingerprint": FINGERPRINT, "Status": "DELETED"}]
    assert [c for c in r.calls if c.startswith("DELETE")] == [
        "DELETE http://compute.osops.invalid/v2.1/os-keypairs/h1-key"]


def _two_keys(interactions):
    """Derived from keypair-delete.json: the list shows h1-key and a copy called h1-key2."""
    [listed] = [i for i in interactions if i["request"]["url"].endswith("/os-keypairs")
                and i["request"]["method"] == "GET"]
    pairs = listed["response"]["json"]["keypairs"]
    pairs.append({"keypair": {**pairs[0]["keypair"], "name": "h1-key2"}})


def test_keypair_delete_resolves_every_name_before_deleting_any(cli):
    r = cli(edit("keypair-delete", _two_keys), "keypair", "delete", "h1-key2", "h1-k")
    assert r.code == 1 and one_line(r.err)
    assert r.err == ("keypair 'h1-k' is ambiguous: it matches h1-key (h1-key), h1-key2 (h1-key2); "
                     "give more of the name or the id\n")
    r = cli("keypair-delete", "keypair", "delete", "h1-key", "nope")
    assert r.code == 1 and r.err.startswith("no keypair 'nope'")
    assert not [c for c in r.calls if c.startswith("DELETE")]


# -- security groups ------------------------------------------------------------


def test_security_group_list(cli):
    r = cli("security-group-list", "security", "group", "list", "-f", "json")
    assert r.code == 0, r.err
    rows = {row["Name"]: row for row in r.json()}
    assert rows["h1-web"]["Rules"] == 5 and rows["h1-web"]["Description"] == "osops tests"
    assert rows["default"]["Rules"] == 4
    value = cli("security-group-list", "security", "group", "list", "-f", "value", "-c", "Name", "-c", "Rules")
    assert "h1-web 5" in value.out.splitlines()


def test_security_group_show_says_its_rules_in_words(cli):
    r = cli("security-group-show", "security", "group", "show", "h1-web", "-f", "json")
    assert r.code == 0, r.err
    assert r.json()["rules"] == ["ingress tcp 22 from 0.0.0.0/0", "ingress tcp 8000-8080 from 10.0.0.0/24",
                                 "ingress ipv6-icmp from group h1-web (IPv6)",
                                 "egress any to 0.0.0.0/0", "egress any to ::/0"]
    table = cli("security-group-show", "security", "group", "show", "h1-web").out
    assert "| rules       | ingress tcp 22 from 0.0.0.0/0              |" in table


def test_security_group_create_and_delete(cli):
    r = cli("security-group-create", "security", "group", "create", "h1-web", "--description", "osops tests",
            "-f", "json")
    assert r.code == 0, r.err
    assert (r.json()["name"], r.json()["rules"]) == ("h1-web", ["egress any to 0.0.0.0/0", "egress any to ::/0"])
    r = cli("security-group-create", "security", "group", "create", " ")
    assert (r.code, r.err, r.calls) == (2, "an empty security group name was given; name the group\n", [])
    r = cli("security-group-delete", "security", "group", "delete", "h1-web", "-f", "json")
    assert r.code == 0, r.err
    [row] = r.json()
    assert (row["Name"], row["Status"]) == ("h1-web", "DELETED")


def test_allow_adds_a_rule_once(cli):
    r = cli("security-group-allow", "security", "group", "allow", "h1-web", "ssh", "-f", "json")
    assert r.code == 0, r.err
    added = r.json()
    assert (added["Group"], added["Rule"], added["Result"]) == ("h1-web", "ingress tcp 22 from 0.0.0.0/0", "added")
    [body] = posted(r, "/security-group-rules")
    assert {k: v for k, v in body["security_group_rule"].items() if k != "security_group_id"} == {
        "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22,
        "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0"}
    again = cli("security-group-allow-again", "security", "group", "allow", "h1-web", "ssh", "-f", "json")
    assert again.code == 0, again.err
    assert again.json()["Result"] == f"already allowed by rule {added['Rule IDs'][0]}"
    assert posted(again, "/security-group-rules") == []


def test_allow_from_a_cidr_and_from_a_group(cli):
    r = cli("security-group-allow-range", "security", "group", "allow", "h1-web", "tcp:8000-8080",
            "--from", "10.0.0.0/24", "-f", "value", "-c", "Rule", "-c", "Result")
    assert r.out == "ingress tcp 8000-8080 from 10.0.0.0/24\nadded\n"
    r = cli("security-group-allow-group", "security", "group", "allow", "h1-web", "ping", "--ipv6",
            "--from", "h1-web", "-f", "json")
    assert r.json()["Rule"] == "ingress ipv6-icmp from group h1-web (IPv6)"
    [body] = posted(r, "/security-group-rules")
    rule = body["security_group_rule"]
    assert rule["remote_group_id"] == rule["security_group_id"] and "remote_ip_prefix" not in rule


def _duplicate(interactions):
    """Derived from security-group-allow.json: Neutron answers the create
    with its 409 for a rule it has already (one made meanwhile)."""
    [create] = [i for i in interactions if i["request"]["method"] == "POST"
                and i["request"]["url"].endswith("/security-group-rules")]
    create["response"].update(status=409, json={"NeutronError": {
        "type": "SecurityGroupRuleExists", "detail": "",
        "message": "Security group rule already exists. Rule id is 11111111-2222-4333-8444-555555555555."}})


def test_neutrons_409_for_a_duplicate_is_already_allowed(cli):
    r = cli(edit("security-group-allow", _duplicate), "security", "group", "allow", "h1-web", "ssh", "-f", "json")
    assert r.code == 0, r.err
    assert r.json()["Result"] == "already allowed by rule 11111111-2222-4333-8444-555555555555"


def test_deny_removes_what_allow_adds_and_says_when_there_is_nothing(cli):
    r = cli("security-group-deny", "security", "group", "deny", "h1-web", "ssh", "-f", "json")
    assert r.code == 0, r.err
    assert r.json()["Result"] == "removed"
    [rule_id] = r.json()["Rule IDs"]
    assert [c for c in r.calls if c.startswith("DELETE")] == [
        f"DELETE http://network.osops.invalid/v2.0/security-group-rules/{rule_id}"]
    again = cli("security-group-deny-again", "security", "group", "deny", "h1-web", "ssh", "-f", "json")
    assert again.code == 0, again.err
    assert (again.json()["Result"], again.json()["Rule IDs"]) == ("nothing to remove", [])
    assert not [c for c in again.calls if c.startswith("DELETE")]


@pytest.mark.parametrize(("argv", "said"), [
    (["tcp:0"], "tcp:0: port 0 is out of range; a port is from 1 to 65535"),
    (["tcp:80-22"], "tcp:80-22: the range goes down (80 > 22); write the lower port first: tcp:22-80"),
    (["ssh", "--from", "10.0.0.0/33"], "--from 10.0.0.0/33 is not a CIDR"),
    (["ssh", "--from", "10.0.0.0/8", "--ipv6"], "--from 10.0.0.0/8 is an IPv4 CIDR"),
    (["icmp"], "icmp is not something to allow; say ping, ssh, tcp:PORT[-PORT] or udp:PORT[-PORT]"),
])
@pytest.mark.parametrize("verb", ["allow", "deny"])
def test_bad_rules_are_usage_errors_before_any_call(cli, verb, argv, said):
    r = cli("security-group-allow", "security", "group", verb, "h1-web", *argv)
    assert r.code == 2 and one_line(r.err) and r.out == ""
    assert r.err.startswith(said)
    assert r.calls == []


def _two_groups(interactions):
    """Derived from security-group-show.json: the list also has a copy of
    h1-web called h1-webby (another id)."""
    [listed] = [i for i in interactions if i["request"]["url"].endswith("/security-groups")]
    groups = listed["response"]["json"]["security_groups"]
    mine = next(g for g in groups if g["name"] == "h1-web")
    groups.append({**mine, "id": mine["id"][::-1], "name": "h1-webby"})


def test_an_ambiguous_or_unknown_group_is_one_line(cli):
    r = cli(edit("security-group-show", _two_groups), "security", "group", "show", "h1-we")
    assert r.code == 1 and one_line(r.err)
    assert r.err.startswith("security group 'h1-we' is ambiguous: it matches h1-web (")
    assert "h1-webby (" in r.err and r.err.endswith("give more of the name or the id\n")
    r = cli("security-group-show", "security", "group", "show", "h1-wbe")
    assert (r.code, r.err) == (1, "no security group 'h1-wbe' (of this project); closest: h1-web\n")


def test_the_recorded_sessions_carry_no_private_key():
    for name in ("keypair-create", "access", "access-keep", "cleanup-access"):
        text = json.dumps(cassette(name))
        assert "PRIVATE KEY" not in text and "private_key\": \"" not in text


def test_the_key_file_mode_does_not_follow_the_umask(cli, tmp_path):
    old = os.umask(0)
    try:
        r = cli("keypair-create", "keypair", "create", "h1-key", "--private-key", str(tmp_path / "k"))
    finally:
        os.umask(old)
    assert r.code == 0 and stat.S_IMODE((tmp_path / "k").stat().st_mode) == 0o600


def test_a_private_key_nova_generates_is_scrubbed_from_a_recording():
    from osops.testing.recorder import Exchange
    from osops.testing.scrub import to_cassette

    private = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n"
    answer = {"keypair": {"name": "k", "public_key": "ssh-ed25519 AAAAC3Nz k", "private_key": private}}
    x = Exchange("POST", "http://h:8774/v2.1/os-keypairs", b'{"keypair": {"name": "k"}}', {}, 200,
                 {"Content-Type": "application/json"}, json.dumps(answer).encode())
    [kept] = to_cassette([x])["interactions"]
    assert kept["response"]["json"]["keypair"]["private_key"] == "<password>"
    assert kept["response"]["json"]["keypair"]["public_key"] == "ssh-ed25519 AAAAC3Nz k"
