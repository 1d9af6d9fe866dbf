"""Security groups: the group a run makes so that its servers answer ping
and SSH on a cloud whose default group (as devstack leaves it) admits
traffic only from its own members."""

import time

from osops.models import SecurityGroup

# What a run's group lets in, from anywhere: ping (ICMP, ICMPv6) and SSH.
OPEN_RULES = (("IPv4", "icmp", None), ("IPv6", "ipv6-icmp", None), ("IPv4", "tcp", 22), ("IPv6", "tcp", 22))
IN_USE_TRIES = 10  # a group still held by a deleted server's port: Neutron frees it a moment later


def create_open_group(conn, name, description):
    """A new group *name* letting ping and SSH in from anywhere (two calls:
    the group, then its rules in one bulk request)."""
    group = conn.network.create_security_group(name=name, description=description)
    rules = [{"security_group_id": group.id, "direction": "ingress", "ethertype": ethertype,
              "protocol": protocol, **({"port_range_min": port, "port_range_max": port} if port else {})}
             for ethertype, protocol, port in OPEN_RULES]
    conn.network.create_security_group_rules(rules)
    return SecurityGroup.from_sdk(group)


def find_groups(conn, name=None):
    """The groups called exactly *name*, or all groups the user sees (one list call)."""
    query = {"name": name} if name is not None else {}
    return [SecurityGroup.from_sdk(g) for g in conn.network.security_groups(**query)]


def delete_groups(conn, groups, sleep=time.sleep):
    """Delete *groups* (those already gone are fine).  A group still in
    use (HTTP 409) is tried again a few times, as the ports of servers just
    deleted let go of it; the last error is raised."""
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
