"""The rule language of ``security group allow|deny``: what a service and
``--from`` may be (examples, and any text either parses or is one clean
UsageError), a rule in words, and when a rule there already is the one
asked for or lets its traffic in anyway."""

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from osops.errors import UsageError
from osops.models import SecurityGroupRule
from osops.security_group_rules import (
    Service,
    Source,
    covers,
    parse_service,
    parse_source,
    same,
    wanted,
    words,
)


@pytest.mark.parametrize(("text", "service"), [
    ("ping", Service("icmp")),
    ("ssh", Service("tcp", 22, 22)),
    ("tcp:80", Service("tcp", 80, 80)),
    ("udp:1-65535", Service("udp", 1, 65535)),
    ("tcp:0080-0090", Service("tcp", 80, 90)),
])
def test_services(text, service):
    assert parse_service(text) == service


@pytest.mark.parametrize(("text", "said"), [
    ("tcp:0", "tcp:0: port 0 is out of range; a port is from 1 to 65535"),
    ("tcp:65536", "tcp:65536: port 65536 is out of range; a port is from 1 to 65535"),
    ("tcp:80-22", "tcp:80-22: the range goes down (80 > 22); write the lower port first: tcp:22-80"),
    ("http", "http is not something to allow; say ping, ssh, tcp:PORT[-PORT] or udp:PORT[-PORT]"),
    ("tcp:", "tcp: is not something to allow; say ping, ssh, tcp:PORT[-PORT] or udp:PORT[-PORT]"),
    ("tcp:٨٠", "tcp:٨٠ is not something to allow; say ping, ssh, tcp:PORT[-PORT] or udp:PORT[-PORT]"),
    ("tcp:" + "9" * 5000,  # a huge number is cut short, not quoted whole
     f"tcp:{'9' * 20}...: port {'9' * 24}... is out of range; a port is from 1 to 65535"),
])
def test_bad_services_say_what_to_do(text, said):
    with pytest.raises(UsageError) as exc:
        parse_service(text)
    assert str(exc.value) == said


@given(st.text(max_size=40))
def test_any_text_is_a_service_or_one_line_usage_error(text):
    try:
        service = parse_service(text)
    except UsageError as exc:
        assert "\n" not in str(exc) and exc.exit_code == 2
        return
    assert service.protocol in ("icmp", "tcp", "udp")
    if service.protocol != "icmp":
        assert 1 <= service.port_min <= service.port_max <= 65535


@given(st.integers(1, 65535), st.integers(1, 65535), st.sampled_from(["tcp", "udp"]))
def test_every_port_range_round_trips_through_words(first, last, protocol):
    low, high = sorted((first, last))
    service = parse_service(f"{protocol}:{low}-{high}")
    assert service == Service(protocol, low, high)
    assert service.words() == (f"{protocol} {low}" if low == high else f"{protocol} {low}-{high}")


@pytest.mark.parametrize(("text", "ipv6", "source"), [
    (None, False, Source("IPv4", cidr="0.0.0.0/0")),
    ("", True, Source("IPv6", cidr="::/0")),
    ("10.0.0.0/24", False, Source("IPv4", cidr="10.0.0.0/24")),
    ("10.0.0.5", False, Source("IPv4", cidr="10.0.0.5/32")),
    ("10.0.0.5/24", False, Source("IPv4", cidr="10.0.0.0/24")),
    ("2001:db8::/64", False, Source("IPv6", cidr="2001:db8::/64")),  # the CIDR says IPv6
    ("2001:db8::/64", True, Source("IPv6", cidr="2001:db8::/64")),
    ("web", False, Source("IPv4", group="web")),
    ("a.b", True, Source("IPv6", group="a.b")),
    ("default", False, Source("IPv4", group="default")),
])
def test_sources(text, ipv6, source):
    assert parse_source(text, ipv6) == source


@pytest.mark.parametrize(("text", "ipv6", "said"), [
    ("10.0.0.0/33", False, "--from 10.0.0.0/33 is not a CIDR"),
    ("10.0.0.256", False, "--from 10.0.0.256 is not a CIDR"),
    ("2001:db8::/129", False, "--from 2001:db8::/129 is not a CIDR"),
    ("10.0.0.0/8", True, "--from 10.0.0.0/8 is an IPv4 CIDR, and --ipv6 asks for an IPv6 rule; "
                         "leave out --ipv6, or give an IPv6 CIDR"),
    ("  ", False, "--from '  ' is neither a CIDR nor a group name"),
])
def test_bad_sources_say_what_to_do(text, ipv6, said):
    with pytest.raises(UsageError) as exc:
        parse_source(text, ipv6)
    assert str(exc.value).startswith(said)


@given(st.one_of(st.text(max_size=40), st.from_regex(r"[0-9a-f:.]{1,20}(/[0-9]{1,4})?", fullmatch=True)),
       st.booleans())
def test_any_from_is_a_source_or_one_line_usage_error(text, ipv6):
    try:
        source = parse_source(text, ipv6)
    except UsageError as exc:
        assert "\n" not in str(exc) and exc.exit_code == 2
        return
    assert (source.cidr is None) != (source.group is None)
    if source.cidr:
        network = ipaddress.ip_network(source.cidr)
        assert source.ethertype == f"IPv{network.version}"
        assert not (ipv6 and network.version == 4)
    else:
        assert source.group == text and source.ethertype == ("IPv6" if ipv6 else "IPv4")


def rule(**kw):
    return SecurityGroupRule(**{"id": "r1", "direction": "ingress", "ethertype": "IPv4", **kw})


@pytest.mark.parametrize(("made", "said"), [
    (rule(protocol="icmp", remote_ip_prefix="0.0.0.0/0"), "ingress icmp from 0.0.0.0/0"),
    (rule(protocol="tcp", port_range_min=22, port_range_max=22), "ingress tcp 22 from 0.0.0.0/0"),
    (rule(protocol="6", port_range_min=80, port_range_max=90, remote_ip_prefix="10.0.0.0/8"),
     "ingress tcp 80-90 from 10.0.0.0/8"),
    (rule(direction="egress", ethertype="IPv6"), "egress any to ::/0"),
    (rule(remote_group_id="g1"), "ingress any from group default (IPv4)"),
    (rule(ethertype="IPv6", protocol="icmp", port_range_min=128, port_range_max=0),
     "ingress ipv6-icmp type 128 code 0 from ::/0"),
])
def test_rules_in_words(made, said):
    assert words(made, {"g1": "default"}) == said


SSH = wanted(Service("tcp", 22, 22), Source("IPv4", cidr="0.0.0.0/0"))


@pytest.mark.parametrize(("there", "is_same", "does_cover"), [
    (rule(protocol="tcp", port_range_min=22, port_range_max=22), True, True),  # no prefix: anywhere
    (rule(protocol="tcp", port_range_min=22, port_range_max=22, remote_ip_prefix="0.0.0.0/0"), True, True),
    (rule(protocol="tcp", port_range_min=1, port_range_max=1024), False, True),
    (rule(protocol=None), False, True),
    (rule(protocol="tcp"), False, True),  # every port
    (rule(protocol="tcp", port_range_min=22, port_range_max=22, remote_ip_prefix="10.0.0.0/8"), False, False),
    (rule(protocol="udp", port_range_min=22, port_range_max=22), False, False),
    (rule(protocol="tcp", port_range_min=22, port_range_max=22, ethertype="IPv6"), False, False),
    (rule(protocol="tcp", port_range_min=22, port_range_max=22, direction="egress"), False, False),
    (rule(protocol="tcp", port_range_min=22, port_range_max=22, remote_group_id="g1"), False, False),
])
def test_same_and_covers(there, is_same, does_cover):
    assert (same(there, SSH), covers(there, SSH)) == (is_same, does_cover)


def test_ping_is_all_of_icmp_and_one_type_is_not_enough():
    ping6 = wanted(Service("icmp"), Source("IPv6", cidr="::/0"))
    assert ping6.protocol == "ipv6-icmp"
    assert same(rule(ethertype="IPv6", protocol="icmp"), ping6)  # Neutron's names for it are one
    assert not covers(rule(ethertype="IPv6", protocol="ipv6-icmp", port_range_min=128), ping6)
    from_group = wanted(Service("icmp"), Source("IPv4", group="web"), group_id="g1")
    assert covers(rule(protocol="icmp"), from_group)  # anywhere includes the group's members
    assert not covers(rule(protocol="icmp", remote_ip_prefix="10.0.0.0/8"), from_group)
    assert same(rule(protocol="icmp", remote_group_id="g1"), from_group)
