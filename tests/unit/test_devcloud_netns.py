"""tools/devcloud/lib/devcloud_netns without root: the link names ip
prints, and an ip that cannot be run.  tests/host has more, on real
namespaces and bridges."""

import pathlib

import pytest

from tests.devcloud_tool import load

DATA = pathlib.Path(__file__).parent.parent / "host" / "data"


@pytest.fixture
def kernel():
    return load("lib/devcloud_netns.py")


def test_link_names_of_a_server_namespace(kernel):
    """ip -o link show of a server's namespace, saved from a real one (its
    eth0 is a veth whose peer, the tap, is in another namespace)."""
    assert kernel.link_names((DATA / "ip-o-link-show-server.txt").read_text()) == ["lo", "eth0"]


def test_ip_that_cannot_be_run_is_a_runtime_error(kernel, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no ip there
    for call in (lambda: kernel.ip("link", "show"), lambda: kernel.devices("qdhcp-x", "eth")):
        with pytest.raises(RuntimeError, match=r"^cannot run ip \(iproute2\): No such file or directory$"):
            call()
