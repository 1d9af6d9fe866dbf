"""Security group rules as people say them: parse ``ping``, ``ssh``,
``tcp:PORT[-PORT]``, ``udp:PORT[-PORT]`` and ``--from CIDR|GROUP``; put a
Neutron rule in words ("ingress tcp 22 from 0.0.0.0/0"); and judge whether
a rule there already is the one asked for, or lets its traffic in anyway.

No cloud calls here (:mod:`osops.security_groups` makes them).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass

from osops.errors import UsageError, printable
from osops.models import SecurityGroupRule

SPECS = "ping, ssh, tcp:PORT[-PORT] or udp:PORT[-PORT]"
PORTS = re.compile(r"(tcp|udp):([0-9]+)(?:-([0-9]+))?", re.ASCII)
ANYWHERE = {"IPv4": "0.0.0.0/0", "IPv6": "::/0"}
# Neutron takes a protocol by name or number; these are the same protocol.
SAME_PROTOCOL = {"1": "icmp", "6": "tcp", "17": "udp", "58": "ipv6-icmp", "icmpv6": "ipv6-icmp"}
ADDRESS_CHARS = re.compile(r"[0-9A-Fa-f:.]*")


@dataclass(frozen=True)
class Service:
    """What traffic a rule lets in: ``protocol`` ("icmp", "tcp", "udp")
    and, for TCP and UDP, a port range."""

    protocol: str
    port_min: int | None = None
    port_max: int | None = None

    def words(self) -> str:
        """``tcp 22``, ``udp 5000-5010``, ``icmp``."""
        if self.port_min is None:
            return self.protocol
        ports = str(self.port_min) if self.port_min == self.port_max else f"{self.port_min}-{self.port_max}"
        return f"{self.protocol} {ports}"


@dataclass(frozen=True)
class Source:
    """Where traffic may come from: a CIDR (``cidr``) or a group, by the
    name or id given (``group``), and the ethertype of the rule."""

    ethertype: str
    cidr: str | None = None
    group: str | None = None


def parse_service(text: object) -> Service:
    """The :class:`Service` *text* names: ``ping`` (ICMP), ``ssh`` (TCP 22),
    ``tcp:PORT[-PORT]`` or ``udp:PORT[-PORT]`` (ports 1 to 65535, the
    first no higher than the last).  UsageError (one line) otherwise."""
    if text == "ping":
        return Service("icmp")
    if text == "ssh":
        return Service("tcp", 22, 22)
    found = PORTS.fullmatch(text) if isinstance(text, str) else None
    if not found:
        raise UsageError(f"{printable(text)} is not something to allow", f"say {SPECS}")
    protocol, first, last = found.group(1), _port(found.group(2), text), found.group(3)
    last = first if last is None else _port(last, text)
    if first > last:
        raise UsageError(f"{text}: the range goes down ({first} > {last})",
                         f"write the lower port first: {protocol}:{last}-{first}")
    return Service(protocol, first, last)


def _port(digits, text):
    value = int(digits) if len(digits) <= 5 else 0
    if not 1 <= value <= 65535:
        raise UsageError(f"{_cut(text)}: port {_cut(digits)} is out of range", "a port is from 1 to 65535")
    return value


def _cut(text, most=24):
    """*text*, or its first *most* characters and "..." when it is longer."""
    return text if len(text) <= most else text[:most] + "..."


def parse_source(text: object = None, ipv6: bool = False) -> Source:
    """The :class:`Source` of ``--from`` *text*: anywhere when empty
    (0.0.0.0/0, or ::/0 with *ipv6*), else a CIDR or a bare address (its
    ethertype taken from it: an IPv6 one makes an IPv6 rule), else the
    name or id of a group.  Text shaped like an address that is none
    (``10.0.0.0/33``), or an IPv4 one with *ipv6*, is a UsageError."""
    ethertype = "IPv6" if ipv6 else "IPv4"
    if text is None or text == "":
        return Source(ethertype, cidr=ANYWHERE[ethertype])
    if not isinstance(text, str) or not text.strip() or not text.isprintable():
        raise UsageError(f"--from {printable(text)} is neither a CIDR nor a group name",
                         "give a CIDR such as 10.0.0.0/24, or a security group's name or id")
    if not _looks_like_address(text):
        return Source(ethertype, group=text)
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise UsageError(f"--from {printable(text)} is not a CIDR ({exc})",
                         "give one such as 10.0.0.0/24 or 2001:db8::/64") from None
    if ipv6 and network.version == 4:
        raise UsageError(f"--from {text} is an IPv4 CIDR, and --ipv6 asks for an IPv6 rule",
                         "leave out --ipv6, or give an IPv6 CIDR")
    return Source(f"IPv{network.version}", cidr=str(network))


def _looks_like_address(text):
    """True when *text* is written as an address or CIDR would be (digits
    and dots, hex digits with colons, or such a thing before a slash),
    so that a mistyped one is an error rather than a group name."""
    head, slash, _ = text.partition("/")
    if not ADDRESS_CHARS.fullmatch(head):
        return False
    return bool(slash) or ":" in head or (("." in head) and head.replace(".", "").isdigit())


def protocol_of(rule: SecurityGroupRule) -> str | None:
    """A rule's protocol as one name for its ethertype (None: any)."""
    protocol = rule.protocol
    if protocol is None or protocol in ("", "any"):
        return None
    protocol = SAME_PROTOCOL.get(str(protocol).lower(), str(protocol).lower())
    return "ipv6-icmp" if protocol == "icmp" and rule.ethertype == "IPv6" else protocol


def wanted(service: Service, source: Source, group_id: str | None = None) -> SecurityGroupRule:
    """The ingress :class:`~osops.models.SecurityGroupRule` that lets
    *service* in from *source* (its group resolved to *group_id*)."""
    protocol = "ipv6-icmp" if service.protocol == "icmp" and source.ethertype == "IPv6" else service.protocol
    return SecurityGroupRule(id="", direction="ingress", ethertype=source.ethertype, protocol=protocol,
                             port_range_min=service.port_min, port_range_max=service.port_max,
                             remote_ip_prefix=source.cidr, remote_group_id=group_id if source.group else None)


def words(rule: SecurityGroupRule, group_names: Mapping[str, str] | None = None) -> str:
    """A rule as people say it: ``ingress tcp 22 from 0.0.0.0/0``,
    ``egress any to ::/0``, ``ingress any from group default (IPv4)`` (a
    remote group by name when *group_names* {id: name} knows it)."""
    protocol = protocol_of(rule) or "any"
    low, high = rule.port_range_min, rule.port_range_max
    if protocol in ("icmp", "ipv6-icmp"):
        ports = (f" type {low}" if low is not None else "") + (f" code {high}" if high is not None else "")
    elif low is None and high is None:
        ports = ""
    else:
        ports = f" {low}" if low == high or high is None else f" {low}-{high}"
    if rule.remote_group_id:  # no CIDR tells the ethertype: say it
        remote = f"group {(group_names or {}).get(rule.remote_group_id, rule.remote_group_id)} ({rule.ethertype})"
    elif rule.remote_address_group_id:
        remote = f"address group {rule.remote_address_group_id} ({rule.ethertype})"
    else:
        remote = rule.remote_ip_prefix or ANYWHERE.get(rule.ethertype, "anywhere")
    return f"{rule.direction} {protocol}{ports} {'to' if rule.direction == 'egress' else 'from'} {remote}"


def same(rule: SecurityGroupRule, want: SecurityGroupRule) -> bool:
    """True when *rule* is the rule *want* (protocol, ports and source
    alike, "anywhere" however written)."""
    return (_alike(rule, want) and _ports(rule) == _ports(want)
            and rule.remote_group_id == want.remote_group_id and _cidr(rule) == _cidr(want))


def covers(rule: SecurityGroupRule, want: SecurityGroupRule) -> bool:
    """True when *rule* lets in all that *want* would: any protocol, or
    the same one with no ports named or a range around *want*'s, from a
    CIDR around *want*'s (anywhere lets in a group's members too) or
    from the same group."""
    if rule.direction != want.direction or rule.ethertype != want.ethertype or rule.remote_address_group_id:
        return False
    protocol = protocol_of(rule)
    if protocol is not None and protocol != protocol_of(want):
        return False
    if protocol is not None and protocol not in ("icmp", "ipv6-icmp") and rule.port_range_min is not None:
        low, high = _ports(rule)
        want_low, want_high = _ports(want)
        if want_low is None or not (low <= want_low and want_high <= high):
            return False
    elif protocol in ("icmp", "ipv6-icmp") and rule.port_range_min is not None:
        return False  # one ICMP type only: not all of ping
    if rule.remote_group_id:
        return rule.remote_group_id == want.remote_group_id
    mine = _cidr(rule)
    if want.remote_group_id:
        return mine.prefixlen == 0
    theirs = _cidr(want)
    return mine.version == theirs.version and theirs.subnet_of(mine)


def _alike(rule, want):
    return (rule.direction == want.direction and rule.ethertype == want.ethertype
            and protocol_of(rule) == protocol_of(want) and not rule.remote_address_group_id)


def _ports(rule):
    low, high = rule.port_range_min, rule.port_range_max
    return (low, high if high is not None else low) if low is not None else (None, None)


def _cidr(rule):
    try:
        return ipaddress.ip_network(rule.remote_ip_prefix or ANYWHERE.get(rule.ethertype, "0.0.0.0/0"),
                                    strict=False)
    except ValueError:
        return ipaddress.ip_network(ANYWHERE["IPv4"])
