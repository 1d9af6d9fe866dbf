"""The scenario actions keypair and allow (osops/scenario/access_steps.py):
a run's keypair and the rules it adds go with the run, and `osops cleanup`
finds the keypair a kept run left; on cassettes recorded from the loopback
cloud (tests/unit/data/access.yaml)."""

import glob
import pathlib
import textwrap

import pytest

from osops.scenario import load_text
from osops.scenario.steps import ACTIONS
from tests.unit.conftest import EMPTY, cassette, live

ACCESS = str(pathlib.Path(__file__).parent / "data" / "access.yaml")


def deletes(result):
    return [c.split("/", 3)[-1] for c in result.calls if c.startswith("DELETE ")]


@pytest.fixture
def no_key_dirs(tmp_path, monkeypatch):
    """The run's private key directories are made under tmp_path (the
    test's own), which is returned."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    return tmp_path


def test_a_runs_keypair_and_rule_are_deleted_with_the_run(cli, no_key_dirs):
    r = cli("access", "scenario", "run", ACCESS, "--run-id", "h1acc1")
    assert r.code == 0, r.err
    lines = live(r)
    status, detail = lines["keypair"]
    assert status == "PASS" and detail.startswith("osops-h1acc1-key ")
    assert f"private key {no_key_dirs}/osops-h1acc1-keys-" in detail
    assert lines["allow"] == ("PASS", "osops-h1acc1-sg: ingress tcp 8080 from 0.0.0.0/0: added")
    # the run's own group lets SSH in from anywhere already: nothing added, the rule named
    assert lines["allow-2"][1].startswith("osops-h1acc1-sg: ingress tcp 22 from 10.0.0.0/24: already allowed by "
                                          "rule ")
    assert lines["allow-2"][1].endswith("(ingress tcp 22 from 0.0.0.0/0)")
    [(key_body)] = [b for c, b in zip(r.calls, r.bodies, strict=True) if c.endswith("/os-keypairs")
                    and c.startswith("POST")]
    assert key_body["keypair"]["name"] == "osops-h1acc1-key"
    assert key_body["keypair"]["public_key"].endswith(" osops run h1acc1")  # how cleanup knows it
    status, detail = lines["cleanup"]
    assert status == "PASS" and detail.startswith("deleted security group rule ")
    assert detail.endswith("security group osops-h1acc1-sg, keypair osops-h1acc1-key")
    gone = deletes(r)
    assert gone[0].startswith("v2.0/security-group-rules/") and gone[-1] == "v2.1/os-keypairs/osops-h1acc1-key"
    assert glob.glob(f"{no_key_dirs}/osops-h1acc1-keys-*") == []  # the private key went with it


def test_a_kept_run_names_its_keypair_and_cleanup_deletes_it(cli, no_key_dirs):
    r = cli("access-keep", "scenario", "run", ACCESS, "--keep", "--run-id", "h1keep1")
    assert r.code == 0, r.err
    kept = live(r)["cleanup"][1]
    assert "keypair osops-h1keep1-key" in kept and f"private keys in {no_key_dirs}/osops-h1keep1-keys-" in kept
    assert deletes(r) == []
    [key_dir] = glob.glob(f"{no_key_dirs}/osops-h1keep1-keys-*")
    c = cli("cleanup-access", "cleanup", "--run", "h1keep1", "-f", "json")
    assert c.code == 0, c.err
    rows = {row["Name"]: row for row in c.json()}
    assert rows["osops-h1keep1-key"]["Run"] == "h1keep1" and rows["osops-h1keep1-key"]["Status"] == "DELETED"
    assert rows["osops-h1keep1-sg"]["Status"] == "DELETED"
    assert "v2.1/os-keypairs/osops-h1keep1-key" in deletes(c)


def check(text):
    """The problems validation finds in the scenario *text* (one a line)."""
    from osops.errors import UsageError

    try:
        load_text(textwrap.dedent(text), "lab.yaml")
    except UsageError as exc:
        return str(exc).splitlines()
    return []


def test_the_actions_are_in_the_table_and_checked_like_the_others():
    assert {"keypair", "allow"} <= set(ACTIONS)
    assert check("""\
        steps:
          - keypair: key
            save: key
          - say: "{{ key.name }} {{ key.private_key_file }} {{ key.fingerprint }}"
          - allow: ssh
          - allow: {rule: "tcp:80-90", group: default, from: 10.0.0.0/8}
        """) == []
    [line] = check("""\
        steps:
          - allow: "tcp:80-22"
        """)
    assert line.startswith("lab.yaml:2: allow rule: tcp:80-22: the range goes down (80 > 22)")
    [line] = check("""\
        steps:
          - alow: ssh
        """)
    assert line.startswith("lab.yaml:2: unknown action 'alow' (did you mean 'allow'?)")
    [line] = check("""\
        steps:
          - allow: {rule: ssh, form: 10.0.0.0/8}
        """)
    assert line.startswith("lab.yaml:2: allow has no argument 'form' (did you mean 'from'?)")


def test_list_actions_describes_them(cli):
    r = cli(EMPTY, "scenario", "list", "--actions", "-f", "json")
    rows = {row["Action"]: row for row in r.json()}
    said = "rule (required, the bare value): ping, ssh, tcp:PORT[-PORT] or udp:PORT[-PORT]"
    assert said in rows["allow"]["Arguments"]
    assert (rows["keypair"]["Saves"], rows["allow"]["Saves"]) == ("Keypair", "RuleChange")


def test_the_access_cassettes_hold_no_private_key():
    for name in ("access", "access-keep"):
        for i in cassette(name)["interactions"]:
            assert "PRIVATE" not in str(i)
