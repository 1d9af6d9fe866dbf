"""tools/devcloud/lib/devcloud_netns without root: the record of what was
made (against a stand-in for the kernel, which the test describes), the
link names ip prints, and an ip that cannot be run.  tests/host has the
same on real namespaces and bridges."""

import pathlib

import pytest

from tests.devcloud_tool import load

DATA = pathlib.Path(__file__).parent.parent / "host" / "data"


@pytest.fixture
def kernel():
    return load("lib/devcloud_netns.py")


def stand_in(monkeypatch, kernel, there, stuck=()):
    """The kernel as a set of "kind-name" objects *there*; ``ip ... del``
    deletes them, except those in *stuck* (as when a link is busy).
    Returns the set and the list of ip calls."""
    there, calls = set(there), []

    def ip(*args, check=True):
        calls.append(args)
        entry = ("netns-" if args[0] == "netns" else "link-") + args[-1]
        if entry not in stuck:
            there.discard(entry)
        return entry not in stuck

    monkeypatch.setattr(kernel, "netns_exists", lambda name: "netns-" + name in there)
    monkeypatch.setattr(kernel, "exists", lambda name: "link-" + name in there)
    monkeypatch.setattr(kernel, "ip", ip)
    return there, calls


def test_remove_all_deletes_namespaces_first_and_keeps_the_record_of_what_is_still_there(kernel, monkeypatch, tmp_path):
    record = kernel.Record(str(tmp_path / "kernel"))
    for kind, name in (("link", "brqaaa"), ("link", "brqbbb"), ("netns", "qdhcp-net-1"), ("netns", "devcloud-x")):
        record.add(kind, name)
    there, calls = stand_in(monkeypatch, kernel, {"link-brqaaa", "link-brqbbb", "netns-qdhcp-net-1"},
                            stuck={"link-brqbbb"})  # devcloud-x is gone already
    removed, left = record.remove_all()
    assert calls == [("netns", "del", "qdhcp-net-1"), ("link", "del", "brqaaa"), ("link", "del", "brqbbb")]
    assert removed == ["netns-devcloud-x", "netns-qdhcp-net-1", "link-brqaaa"] and left == ["link-brqbbb"]
    assert record.entries() == [("link", "brqbbb")] and there == {"link-brqbbb"}


def test_gone_and_forget_gone(kernel, monkeypatch, tmp_path):
    record = kernel.Record(str(tmp_path / "kernel"))
    record.add("netns", "qdhcp-net-1")
    record.add("link", "brqaaa")
    stand_in(monkeypatch, kernel, {"link-brqaaa"})  # the qdhcp namespace was deleted by hand
    assert record.gone() == [("netns", "qdhcp-net-1")]
    record.forget_gone()
    assert record.entries() == [("link", "brqaaa")] and record.gone() == []


def test_an_empty_record(kernel, tmp_path):
    record = kernel.Record(str(tmp_path / "never-made"))
    assert record.entries() == [] and record.gone() == [] and record.remove_all() == ([], [])


def test_link_names_of_a_server_namespace(kernel):
    """ip -o link show of a server's namespace, saved from a real one (its
    eth0 is a veth whose peer, the tap, is in another namespace)."""
    assert kernel.link_names((DATA / "ip-o-link-show-server.txt").read_text()) == ["lo", "eth0"]


def test_ip_that_cannot_be_run_is_a_runtime_error(kernel, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no ip there
    for call in (lambda: kernel.ip("link", "show"), lambda: kernel.devices("qdhcp-x", "eth")):
        with pytest.raises(RuntimeError, match=r"^cannot run ip \(iproute2\): No such file or directory$"):
            call()


def test_remove_all_takes_ovs_ports_after_namespaces_and_ovs_bridges_last(kernel, monkeypatch, tmp_path):
    """With ML2/OVN the record also holds Open vSwitch ports and bridges:
    ports go after the namespaces (whose veths they were), bridges after
    everything; both through ovs-vsctl on the record's database."""
    record = kernel.Record(str(tmp_path / "kernel"), ovs_db="unix:/run/test/db.sock")
    for kind, name in (("ovsbr", "br-int"), ("ovsport", "tapaaa"), ("netns", "devcloud-x"), ("link", "x")):
        record.add(kind, name)
    there, calls = stand_in(monkeypatch, kernel, {"netns-devcloud-x", "link-x"})
    ovs_there = {"ovsbr-br-int", "ovsport-tapaaa"}

    def delete(db, kind, name):
        calls.append((db, kind, name))
        ovs_there.discard(f"{kind}-{name}")

    monkeypatch.setattr(kernel.ovs, "delete", delete)
    monkeypatch.setattr(kernel.ovs, "bridge_exists", lambda db, name: f"ovsbr-{name}" in ovs_there)
    monkeypatch.setattr(kernel.ovs, "port_exists", lambda db, name: f"ovsport-{name}" in ovs_there)
    removed, left = record.remove_all()
    assert calls == [("netns", "del", "devcloud-x"), ("unix:/run/test/db.sock", "ovsport", "tapaaa"),
                     ("link", "del", "x"), ("unix:/run/test/db.sock", "ovsbr", "br-int")]
    assert removed == ["netns-devcloud-x", "ovsport-tapaaa", "link-x", "ovsbr-br-int"] and left == []


def test_without_an_ovs_database_recorded_ovs_objects_count_as_gone(kernel, tmp_path):
    record = kernel.Record(str(tmp_path / "kernel"))
    record.add("ovsport", "tapaaa")
    assert record.gone() == [("ovsport", "tapaaa")]
