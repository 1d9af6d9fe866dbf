"""Do a port's security groups let ping (ICMP echo) and SSH (TCP 22) in
from where this host reaches the server?

:func:`allowing` is the matcher: a rule lets a packet in when it is an
ingress rule of the packet's ethertype, its protocol (or any), its port
or ICMP type (or any), and its remote side (``remote_ip_prefix``
holding the source, ``remote_group_id`` one of the source's groups, or
neither: anywhere)."""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from osops.doctor.core import FAIL, OK, SKIP, Check

if TYPE_CHECKING:
    from osops.diagnose.facts import Facts
    from osops.diagnose.here import HostView

NAMES = ("Security ICMP", "Security SSH")
PING, SSH = "ping", "ssh"
PROTOCOLS = {  # (want, IP version) -> what a rule's protocol may say
    (PING, 4): {"icmp", "1"},
    (PING, 6): {"ipv6-icmp", "icmpv6", "icmp", "58"},
    (SSH, 4): {"tcp", "6"},
    (SSH, 6): {"tcp", "6"},
}
ECHO_REQUEST = {4: 8, 6: 128}
SSH_PORT = 22
ANY = {None, "", "any", "0"}


def allowing(rules: Iterable[Mapping[str, Any]], want: str, source: str,
             source_groups: Collection[str] = ()) -> Mapping[str, Any] | None:
    """The first of *rules* (dicts as Neutron gives them) that lets *want*
    (``"ping"`` or ``"ssh"``) in from address *source* belonging to the
    security groups *source_groups*, or None."""
    version = ipaddress.ip_address(source).version
    for rule in rules:
        if rule.get("direction") != "ingress" or rule.get("ethertype") != f"IPv{version}":
            continue
        protocol = rule.get("protocol")
        protocol = None if protocol in ANY else str(protocol).lower()
        if protocol is not None and protocol not in PROTOCOLS[want, version]:
            continue
        if protocol is not None and not _port_matches(rule, want, version):
            continue
        if _remote_matches(rule, source, source_groups):
            return rule
    return None


def _port_matches(rule, want, version):
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if low is None:
        return True
    if want == PING:  # port_range_min is the ICMP type
        return low == ECHO_REQUEST[version]
    return low <= SSH_PORT <= (high if high is not None else low)


def _remote_matches(rule, source, source_groups):
    prefix, group = rule.get("remote_ip_prefix"), rule.get("remote_group_id")
    if prefix:
        try:
            return ipaddress.ip_address(source) in ipaddress.ip_network(prefix, strict=False)
        except ValueError:
            return False
    if group:
        return group in source_groups
    return not rule.get("remote_address_group_id")


def in_words(rule: Mapping[str, Any], groups: Mapping[str, Any] | None = None) -> str:
    """A rule as a line: ``ingress icmp from 0.0.0.0/0``."""
    protocol = rule.get("protocol") or "any protocol"
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    ports = "" if low is None else f" {low}" if high in (None, low) else f" {low}-{high}"
    if rule.get("remote_ip_prefix"):
        remote = rule["remote_ip_prefix"]
    elif rule.get("remote_group_id"):
        group = (groups or {}).get(rule["remote_group_id"])
        remote = f"members of {getattr(group, 'name', None) or rule['remote_group_id']}"
    else:
        remote = "anywhere"
    return f"{rule.get('direction')} {rule.get('ethertype')} {protocol}{ports} from {remote}"


def checks(facts: Facts, here: HostView, sources: Sequence[tuple[str, Any, str, str]]) -> list[Check]:
    """Two rows, ICMP and SSH.  *sources* is [(address reached, the port
    it belongs to, the source address it is reached from, where)] from
    the reach path."""
    return [_check(facts, sources, PING, "Security ICMP"), _check(facts, sources, SSH, "Security SSH")]


def _check(facts, sources, want, name):
    if not sources:
        return Check(name, SKIP, "this host has no path to any address of the server to check the rules for")
    found = []
    for address, port, source, where in sources:
        if port.is_port_security_enabled is False:
            found.append(f"port security is off on port {port.id[:8]}: everything is let in")
            continue
        groups = [facts.groups[g] for g in port.security_group_ids or () if g in facts.groups]
        if not groups:
            return Check(name, FAIL, f"port {port.id[:8]} ({address}) has no security group: nothing is let in",
                         f"osops security group allow GROUP {want}, then add the group to {facts.server.name}")
        rules = [dict(r, _group=g) for g in groups for r in g.security_group_rules or ()]
        needs_groups = any(r.get("remote_group_id") for r in rules)
        source_groups = facts.groups_of_address(source) if needs_groups else set()
        rule = allowing(rules, want, source, source_groups)
        names = ", ".join(g.name or g.id for g in groups)
        if rule is None:
            return Check(name, FAIL,
                         f"no rule of {names} lets {_what(want)} in to {address} from {source} ({where})",
                         f"osops security group allow {groups[0].name or groups[0].id} {want}")
        by_id = {g.id: g for g in facts.groups.values()}
        found.append(f"{rule['_group'].name}: {in_words(rule, by_id)} lets {source} ({where}) in to {address}")
    return Check(name, OK, "; ".join(dict.fromkeys(found)))


def _what(want):
    return "ICMP echo (ping)" if want == PING else "TCP 22 (SSH)"
