"""The fixtures remove what they made, also when the test fails."""

import os

import pytest

from tests.host.conftest import Kernel, host_skip_reason, ip

pytestmark = pytest.mark.host


def test_objects_are_removed_when_a_test_fails():
    reason = host_skip_reason()
    if reason:
        pytest.skip(reason)
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
