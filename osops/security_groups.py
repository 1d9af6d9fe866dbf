"""Security groups: list and show them (rules in words), let a service in
(``allow``) or take it out again (``deny``), and the group a run makes so
that its servers answer ping and SSH on a cloud whose default group (as
devstack leaves it) admits traffic only from its own members.

A group is named by the one name rule among the current project's groups
(admin sees every project's, and every project has a ``default``); an id
names any group the user can see.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from osops import security_group_rules as rules
from osops.errors import UsageError
from osops.models import RuleChange, SecurityGroup
from osops.resolve import resolve

if TYPE_CHECKING:
    from openstack.connection import Connection

# What a run's group lets in, from anywhere: ping (ICMP, ICMPv6) and SSH.
OPEN_RULES = (("IPv4", "icmp", None), ("IPv6", "ipv6-icmp", None), ("IPv4", "tcp", 22), ("IPv6", "tcp", 22))
IN_USE_TRIES = 10  # a group still held by a deleted server's port: Neutron frees it a moment later
DUPLICATE = re.compile(r"Rule id is ([0-9a-fA-F-]{36})")  # Neutron's 409 for a rule it has already


def list_groups(conn: Connection, all_projects: bool = False) -> list[SecurityGroup]:
    """The current project's security groups with their rules (every
    group the user sees with *all_projects*), one list call."""
    query = {} if all_projects else {"project_id": conn.current_project_id}
    return [SecurityGroup.from_sdk(g) for g in conn.network.security_groups(**query)]


def find_group(conn: Connection, name_or_id: str, groups: list[SecurityGroup] | None = None) -> SecurityGroup:
    """The one group *name_or_id* names: by name among the current
    project's groups, by id among all (*groups*: every group the user
    sees, as ``list_groups(conn, all_projects=True)`` gives them)."""
    groups = list_groups(conn, all_projects=True) if groups is None else groups
    project = conn.current_project_id
    mine = [g for g in groups if g.id == name_or_id or not project or g.project_id == project]
    return resolve("security group", name_or_id, mine, hint="of this project")


def create_group(conn: Connection, name: str, description: str = "") -> SecurityGroup:
    """A new group *name* with *description* (Neutron gives it its two egress rules)."""
    if not isinstance(name, str) or not name.strip():
        raise UsageError("an empty security group name was given", "name the group")
    return SecurityGroup.from_sdk(conn.network.create_security_group(name=name, description=description))


def delete_named(conn: Connection, names_or_ids: list[str]) -> list[SecurityGroup]:
    """Delete the groups *names_or_ids* name (all resolved from one list
    call before any is deleted)."""
    groups = list_groups(conn, all_projects=True)
    doomed = list({g.id: g for g in (find_group(conn, q, groups) for q in names_or_ids)}.values())
    delete_groups(conn, doomed)
    return doomed


def rule_words(group: SecurityGroup, groups: Sequence[SecurityGroup] = ()) -> list[str]:
    """*group*'s rules in words, ingress first ("ingress tcp 22 from
    0.0.0.0/0"), remote groups by their names in *groups*."""
    names = {g.id: g.name for g in [*groups, group]}
    ordered = sorted(group.rules, key=lambda r: (r.direction != "ingress", r.ethertype, rules.words(r, names)))
    return [rules.words(r, names) for r in ordered]


def allow(conn: Connection, group: str, service: str, source: str | None = None,
          ipv6: bool = False) -> RuleChange:
    """Let *service* (``ping``, ``ssh``, ``tcp:PORT[-PORT]``,
    ``udp:PORT[-PORT]``) into *group* from *source* (a CIDR or a group;
    default anywhere, ``::/0`` with *ipv6*), unless a rule there lets it in already: then that
    rule is named and nothing is added.  Bad input is a UsageError
    before any call; one list call, and a create when one is needed."""
    found, want, names = _asked(conn, group, service, source, ipv6)
    said = rules.words(want, names)
    present = next((r for r in found.rules if rules.same(r, want)), None)
    present = present or next((r for r in found.rules if rules.covers(r, want)), None)
    if present is not None:
        return RuleChange(found.name, found.id, said, _already(present, want, names), (present.id,))
    from openstack import exceptions

    body = {k: v for k, v in vars(want).items() if k not in ("id", "description") and v is not None}
    try:
        made = conn.network.create_security_group_rule(security_group_id=found.id, **body)
    except exceptions.ConflictException as exc:  # made meanwhile, or a duplicate Neutron sees and we did not
        rule_id = DUPLICATE.search(str(exc))
        if not rule_id:
            raise
        return RuleChange(found.name, found.id, said, f"already allowed by rule {rule_id.group(1)}",
                          (rule_id.group(1),))
    return RuleChange(found.name, found.id, said, "added", (made.id,), changed=True)


def deny(conn: Connection, group: str, service: str, source: str | None = None,
         ipv6: bool = False) -> RuleChange:
    """Remove from *group* the rule :func:`allow` would add for the same
    *service*, *source* and *ipv6* (every copy of it); says "nothing to remove" when there is
    none, naming a broader rule that still lets the traffic in."""
    found, want, names = _asked(conn, group, service, source, ipv6)
    said = rules.words(want, names)
    doomed = [r for r in found.rules if rules.same(r, want)]
    for rule in doomed:
        conn.network.delete_security_group_rule(rule.id, ignore_missing=True)
    if doomed:
        return RuleChange(found.name, found.id, said, "removed", tuple(r.id for r in doomed), changed=True)
    broader = next((r for r in found.rules if rules.covers(r, want)), None)
    still = f"; still allowed by rule {broader.id} ({rules.words(broader, names)})" if broader else ""
    return RuleChange(found.name, found.id, said, f"nothing to remove{still}",
                      (broader.id,) if broader else ())


def _asked(conn, group, service, source, ipv6):
    """(the group, the rule wanted, {group id: name}) for allow and deny:
    the input checked first, then one list call."""
    wanted_service = rules.parse_service(service)
    wanted_source = rules.parse_source(source, ipv6)
    groups = list_groups(conn, all_projects=True)
    found = find_group(conn, group, groups)
    remote = find_group(conn, wanted_source.group, groups).id if wanted_source.group else None
    return found, rules.wanted(wanted_service, wanted_source, remote), {g.id: g.name for g in groups}


def _already(present, want, names):
    """"already allowed by rule ID", with the rule in words when it is a
    broader one than *want*."""
    if rules.same(present, want):
        return f"already allowed by rule {present.id}"
    return f"already allowed by rule {present.id} ({rules.words(present, names)})"


def create_open_group(conn: Connection, name: str, description: str) -> SecurityGroup:
    """A new group *name* letting ping and SSH in from anywhere (two calls:
    the group, then its rules in one bulk request)."""
    group = conn.network.create_security_group(name=name, description=description)
    rules = [{"security_group_id": group.id, "direction": "ingress", "ethertype": ethertype,
              "protocol": protocol, **({"port_range_min": port, "port_range_max": port} if port else {})}
             for ethertype, protocol, port in OPEN_RULES]
    conn.network.create_security_group_rules(rules)
    return SecurityGroup.from_sdk(group)


def find_groups(conn: Connection, name: str | None = None) -> list[SecurityGroup]:
    """The groups called exactly *name*, or all groups the user sees (one list call)."""
    query = {"name": name} if name is not None else {}
    return [SecurityGroup.from_sdk(g) for g in conn.network.security_groups(**query)]


def delete_groups(conn: Connection, groups: Iterable[SecurityGroup],
                  sleep: Callable[[float], None] = time.sleep) -> None:
    """Delete *groups* (those already gone are fine).  A group still in
    use (HTTP 409) is tried again a few times (*sleep* between tries), as the
    ports of servers just deleted let go of it; the last error is raised."""
    from openstack import exceptions

    for group in groups:
        for attempt in range(IN_USE_TRIES):
            try:
                conn.network.delete_security_group(group.id, ignore_missing=True)
                break
            except exceptions.ConflictException:
                if attempt == IN_USE_TRIES - 1:
                    raise
                sleep(0.5)
