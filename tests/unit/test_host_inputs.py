"""Parsers of user input for the host commands: --address, --netns (property-based),
and which ICMP way is chosen.  --count, --interval and --timeout: test_cli_arg_properties."""

import ipaddress
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from osops.errors import UsageError
from osops.host import netns, ping, ports, targets

unicast_v4 = st.ip_addresses(v=4).filter(
    lambda a: not (a.is_multicast or a.is_unspecified or a == ipaddress.ip_address("255.255.255.255")))
unicast_v6 = st.ip_addresses(v=6).filter(lambda a: not (a.is_multicast or a.is_unspecified))


@given(st.one_of(unicast_v4, unicast_v6), st.sampled_from(["", " ", "\t"]))
def test_address_accepts_unicast_in_normal_form(addr, pad):
    assert ping.parse_address(f"{pad}{addr}{pad}") == str(addr)
    if addr.version == 6:  # long forms come back short
        assert ping.parse_address(addr.exploded) == str(addr)


@given(st.text())
def test_address_anything_else_is_a_usage_error(text):
    try:
        result = ping.parse_address(text)
    except UsageError as exc:
        assert "\n" not in str(exc)
    else:
        assert ipaddress.ip_address(result) == ipaddress.ip_address(text.strip())


@given(st.one_of(st.ip_addresses(v=4, network="224.0.0.0/4"), st.ip_addresses(v=6, network="ff00::/8"),
                 st.sampled_from(["0.0.0.0", "::", "255.255.255.255"])))
def test_address_refuses_what_is_not_one_host(addr):
    with pytest.raises(UsageError, match="not a single host"):
        ping.parse_address(str(addr))


@pytest.mark.parametrize("text", ["server-1", "10.0.0", "10.0.0.256", "", "fe80::1::2"])
def test_address_examples(text):
    with pytest.raises(UsageError, match="not an IP address"):
        ping.parse_address(text)


@given(st.text(max_size=300))
def test_netns_name_valid_or_usage_error(name):
    try:
        checked = netns.check_name(name)
    except UsageError as exc:
        assert "\n" not in str(exc)
        return
    assert checked == name and "/" not in name and name not in ("", ".", "..")
    path = netns.path(name)
    assert os.path.dirname(path) == netns.NETNS_DIR and os.path.basename(path) == name


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "../etc", "x" * 256, "bad\0name"])
def test_netns_bad_names(name):
    with pytest.raises(UsageError):
        netns.check_name(name)


@pytest.mark.parametrize("name", ["qdhcp-9246ff3e-1aec-4108-9b36-7b56e0a96696", "qrouter-x", "osops-t-1"])
def test_netns_good_names(name):
    assert netns.check_name(name) == name


def test_netns_for_network_prefers_dhcp_then_router():
    here = ["qrouter-r1", "qdhcp-n1", "qdhcp-n2"]
    assert netns.for_network("n1", ["r1"], here) == "qdhcp-n1"
    assert netns.for_network("n3", ["r0", "r1"], here) == "qrouter-r1"
    assert netns.for_network("n3", ["r0"], here) is None


@given(st.text(alphabet="abcdefqvotp0123456789-", min_size=0, max_size=20))
def test_neutron_prefix_only_for_neutron_device_names(name):
    prefix = ports.port_id_prefix(name)
    if prefix:
        assert name[:3] in ("tap", "qvo", "qvb") and len(prefix) == 11 and name.endswith(prefix)
    else:
        assert name[:3] not in ("tap", "qvo", "qvb") or len(name) != 14


def test_address_targets_cannot_use_auto():
    with pytest.raises(UsageError) as raised:
        targets.address_targets(["192.0.2.1"], "auto")
    assert str(raised.value) == "--address targets cannot use --netns auto; name a namespace with --netns NS"


@pytest.mark.parametrize("group_range, euid, expected", [
    ("0 2147483647", 1000, "datagram"),   # Debian's default on many hosts
    ("1 0", 1000, None),                  # nobody may: the system ping then
    ("1 0", 0, "raw"),
])
def test_icmp_way(tmp_path, monkeypatch, group_range, euid, expected):
    sysctl = tmp_path / "ping_group_range"
    sysctl.write_text(group_range + "\n")
    monkeypatch.setattr(ping, "PING_GROUP_RANGE", str(sysctl))
    monkeypatch.setattr(os, "geteuid", lambda: euid)
    monkeypatch.setattr(os, "getegid", lambda: 1000)
    monkeypatch.setattr(os, "getgroups", lambda: [1000])
    assert ping.icmp_mode() == expected
