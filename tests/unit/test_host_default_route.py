"""A server's fixed address that this host reaches only through its default
route is never pinged: the packets would leave the host, not enter the cloud."""

import json
import pathlib

import pytest

from osops.host import ping, targets
from osops.models import Address, Server

DATA = pathlib.Path(__file__).parent.parent / "host" / "data"


def routes(name):
    return json.loads((DATA / name).read_text())


def server(addr, kind="fixed"):
    return Server("s1", "demo-1", "ACTIVE", None, "Running",
                  addresses=(Address("private", addr, 4, kind, "fa:16:3e:00:00:01"),))


@pytest.fixture
def no_sending(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a packet would have been sent")

    monkeypatch.setattr(ping, "_icmplib", refuse)
    monkeypatch.setattr(ping, "_system", refuse)


def test_fixed_address_behind_the_default_route_is_not_pinged(monkeypatch, no_sending):
    # recorded on a host whose only route to 10.0.0.12 is its default route
    monkeypatch.setattr(ping, "_ip_json", lambda args: routes("ip-route-match-default-only.json"))
    (target,) = targets.server_targets(None, [server("10.0.0.12")])
    assert "would leave through the default route" in target.error
    (result,) = ping.ping([target], count=1, timeout=1)
    assert result.sent == 0 and not result.answered and "--netns auto" in result.reason


def test_without_any_route_the_reason_does_not_blame_the_default_route(monkeypatch, no_sending):
    monkeypatch.setattr(ping, "_ip_json", lambda args: [])  # what ip -j prints for no route at all
    (target,) = targets.server_targets(None, [server("10.0.0.12")])
    assert target.error.startswith("no route from this host into the server's network (none to 10.0.0.12 at all); ")
    assert "default route" not in target.error


def test_fixed_address_on_a_connected_network_is_pinged(monkeypatch):
    monkeypatch.setattr(ping, "_ip_json", lambda args: routes("ip-route-match-on-link.json"))
    (target,) = targets.server_targets(None, [server("192.0.2.7")])
    assert target.error == ""


def test_floating_addresses_may_use_the_default_route(monkeypatch):
    monkeypatch.setattr(ping, "_ip_json", lambda args: routes("ip-route-match-default-only.json"))
    (target,) = targets.server_targets(None, [server("203.0.113.9", kind="floating")])
    assert target.error == ""


def test_without_ip_nothing_is_pinged(monkeypatch):
    monkeypatch.setattr(ping.commands, "have", lambda name: False)
    assert "no ip command" in ping.default_route_only("10.0.0.12")


def test_a_replayed_clouds_addresses_are_never_pinged(monkeypatch, no_sending):
    monkeypatch.setattr(ping, "_ip_json", lambda args: routes("ip-route-match-on-link.json"))

    class Replayed:
        osops_replayed = True

    (target,) = targets.server_targets(Replayed(), [server("192.0.2.7")])
    assert target.error == targets.REPLAYED
    (result,) = ping.ping([target], count=1, timeout=1)
    assert result.sent == 0


def test_netns_auto_pings_a_floating_address_from_a_namespace_on_its_subnet(monkeypatch):
    """A one-host cloud (the loopback cloud, a devstack whose br-ex address
    lives in a namespace): only the default route leads to the floating IP,
    but the namespace standing for the external network has an address on
    its subnet, so the ping goes from there.  Other namespaces are asked
    in name order; one that answers nothing is passed over."""
    monkeypatch.setattr(ping, "_ip_json", lambda args: routes("ip-route-match-default-only.json"))
    monkeypatch.setattr(targets.namespaces, "list_namespaces", lambda: ["qdhcp-x", "outside", "broken"])
    addresses = {"outside": [{"addr_info": [{"local": "172.24.4.1", "prefixlen": 24}]}],
                 "qdhcp-x": [{"addr_info": [{"local": "10.0.0.2", "prefixlen": 26}]}]}
    asked = []

    def output(argv):
        asked.append(argv[3])
        return json.dumps(addresses[argv[3]]) if argv[3] in addresses else ""

    monkeypatch.setattr(targets, "_output", output)
    (target,) = targets.server_targets(None, [server("172.24.4.9", kind="floating")], netns="auto")
    assert (target.netns, target.error) == ("outside", "") and asked == ["broken", "outside"]
    (target,) = targets.server_targets(None, [server("203.0.113.9", kind="floating")], netns="auto")
    assert (target.netns, target.error) == (None, "")  # no namespace on its subnet: from this host, as without auto
