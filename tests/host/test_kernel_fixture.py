"""The fixtures remove what they made, also when the test fails."""

import os

import pytest

from tests.host import conftest
from tests.host.conftest import Kernel, cannot_run, host_skip_reason, ip

pytestmark = pytest.mark.host


def test_objects_are_removed_when_a_test_fails():
    reason = host_skip_reason()
    if reason:
        cannot_run(reason)
    with pytest.raises(RuntimeError):
        with Kernel() as k:
            ns = k.netns()
            host_br, ns_br = k.bridge(), k.bridge(ns)
            port = k.veth(host_br, peer_ns=ns, address="192.0.2.1")
            assert os.path.exists(f"/run/netns/{ns}")
            raise RuntimeError("the test failed")
    assert not os.path.exists(f"/run/netns/{ns}")
    links = ip("-br", "link").split()
    assert host_br not in links and port not in links and ns_br not in links


@pytest.mark.parametrize("required, outcome", [(False, pytest.skip.Exception), (True, pytest.fail.Exception)])
def test_missing_tools_skip_or_fail_when_host_tests_are_required(monkeypatch, required, outcome):
    monkeypatch.setattr(conftest, "REQUIRED", required)
    with pytest.raises(outcome, match="needs virsh"):
        cannot_run("needs virsh: install libvirt-clients")
