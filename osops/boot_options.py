"""What a boot may ask for besides image and flavor: networks and NICs,
security groups, a keypair, user data, an availability zone and a config
drive.  The parsers check what a user typed before any call; the finders
resolve names by the one rule (:mod:`osops.resolve`); :func:`checked_fields`
and :func:`resolved_fields` turn it all into the fields of Nova's create call.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from osops import networks as nets
from osops.errors import NotFound, UsageError, printable
from osops.models import Network, SecurityGroup
from osops.resolve import resolve, resolve_many

if TYPE_CHECKING:
    from openstack.connection import Connection

USER_DATA_LIMIT = 65535  # Nova's limit on user data, in base64 characters
USER_DATA_BYTES = USER_DATA_LIMIT // 4 * 3  # the most bytes whose base64 fits (49149)
NIC_KEYS = ("net-id", "port-id", "v4-fixed-ip", "v6-fixed-ip")
NIC_SYNTAX = "net-id=NETWORK (with ,v4-fixed-ip=IP or ,v6-fixed-ip=IP if you like) or port-id=PORT"
ZONE_SYNTAX = "ZONE or ZONE:HOST"


@dataclass(frozen=True)
class Nic:
    """One ``--nic``: a network (name or id) with an optional fixed
    address, or an existing port (by id)."""

    net_id: str | None = None
    port_id: str | None = None
    v4_fixed_ip: str | None = None
    v6_fixed_ip: str | None = None

    @property
    def text(self) -> str:
        """This NIC as ``--nic`` takes it."""
        values = (self.net_id, self.port_id, self.v4_fixed_ip, self.v6_fixed_ip)
        return ",".join(f"{key}={value}" for key, value in zip(NIC_KEYS, values, strict=True) if value is not None)


def parse_nic(text: str) -> Nic:
    """A :class:`Nic` from ``net-id=ID,v4-fixed-ip=IP,v6-fixed-ip=IP`` or
    ``port-id=ID`` (nova's and openstack's ``--nic``); a
    :class:`~osops.errors.UsageError` naming the part that is wrong: an
    unknown or repeated key, an empty value, an address that is not one
    of its version, both a network and a port, neither, a fixed address
    with a port, or two fixed addresses (Nova takes one per NIC)."""
    fields: dict[str, str] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep:
            raise _bad_nic(text, f"{printable(part)} is not KEY=VALUE")
        if key not in NIC_KEYS:
            raise _bad_nic(text, f"unknown key {printable(key)} (the keys are {', '.join(NIC_KEYS)})")
        if key in fields:
            raise _bad_nic(text, f"{key} given twice")
        if not value.strip() or not value.isprintable() or value.strip() != value:
            raise _bad_nic(text, f"{key} needs a value, not {value!r}")
        fields[key] = value
    for key, version in (("v4-fixed-ip", 4), ("v6-fixed-ip", 6)):
        if key in fields and not _is_address(fields[key], version):
            raise _bad_nic(text, f"{key}={printable(fields[key])} is not an IPv{version} address")
    if "net-id" in fields and "port-id" in fields:
        raise _bad_nic(text, "net-id and port-id exclude each other: give one")
    if "net-id" not in fields and "port-id" not in fields:
        raise _bad_nic(text, "needs net-id or port-id")
    if "port-id" in fields and ("v4-fixed-ip" in fields or "v6-fixed-ip" in fields):
        raise _bad_nic(text, "a port has its own addresses: a fixed IP goes with net-id, not port-id")
    if "v4-fixed-ip" in fields and "v6-fixed-ip" in fields:
        raise _bad_nic(text, "v4-fixed-ip and v6-fixed-ip exclude each other: Nova takes one address per NIC")
    return Nic(net_id=fields.get("net-id"), port_id=fields.get("port-id"),
               v4_fixed_ip=fields.get("v4-fixed-ip"), v6_fixed_ip=fields.get("v6-fixed-ip"))


def _is_address(text: str, version: int) -> bool:
    try:
        return ipaddress.ip_address(text).version == version
    except ValueError:
        return False


def _bad_nic(text: str, why: str) -> UsageError:
    return UsageError(f"--nic {printable(text)}: {why}", f"write it as {NIC_SYNTAX}")


def parse_zone(text: str) -> tuple[str, str | None]:
    """(zone, host or None) from ``ZONE`` or ``ZONE:HOST`` (a host asks
    for that compute host, admins only); a :class:`~osops.errors.UsageError`
    for an empty part, a third part, or a space or control character."""
    zone, sep, host = text.partition(":")
    for what, value in (("zone", zone), ("host", host)):
        if (what == "zone" or sep) and not value:
            raise _bad_zone(text, f"the {what} is empty")
        if value and (not value.isprintable() or any(c.isspace() for c in value)):
            raise _bad_zone(text, f"the {what} {value!r} has a space or control character")
    if ":" in host:
        raise _bad_zone(text, "one colon at most")
    return zone, (host if sep else None)


def _bad_zone(text: str, why: str) -> UsageError:
    return UsageError(f"--availability-zone {printable(text)}: {why}", f"write it as {ZONE_SYNTAX}")


def read_user_data(path: str) -> bytes:
    """The bytes of the user-data file *path*: a
    :class:`~osops.errors.UsageError` when it cannot be read or when its
    base64 would be over Nova's limit."""
    try:
        with open(path, "rb") as f:
            data = f.read(USER_DATA_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"--user-data {printable(path)}: cannot read it ({exc.strerror or exc})",
                         "give a readable file") from None
    if len(data) > USER_DATA_BYTES:
        raise _too_big(f"--user-data {printable(path)}", f"over {USER_DATA_BYTES} bytes")
    return data


def encode_user_data(data: bytes | str) -> str:
    """*data* in base64 as Nova takes it; a :class:`~osops.errors.UsageError`
    when that is over Nova's 65535 characters."""
    raw = data.encode() if isinstance(data, str) else bytes(data)
    encoded = base64.b64encode(raw).decode("ascii")
    if len(encoded) > USER_DATA_LIMIT:
        raise _too_big("the user data", f"{len(raw)} bytes")
    return encoded


def _too_big(what: str, size: str) -> UsageError:
    return UsageError(f"{what} is {size}, over Nova's limit of {USER_DATA_LIMIT} characters in base64 "
                      f"({USER_DATA_BYTES} bytes)", "make it smaller (cloud-init also reads gzipped user data)")


def find_keypair(conn: Connection, name: str) -> str:
    """The name of the one keypair *name* names (one list call); a
    :class:`~osops.errors.NotFound` naming it and where to see the
    keypairs."""
    from osops.keypairs import list_keypairs

    try:
        return resolve("keypair", name, list_keypairs(conn)).name
    except NotFound as exc:
        raise NotFound(exc.problem, "see the keypairs with: osops keypair list") from None


def find_security_groups(conn: Connection, names: Sequence[str]) -> list[SecurityGroup]:
    """The groups *names* (names or ids) name, among the project's own and
    shared ones, from one list call (an admin sees every project's
    ``default``: only this project's counts)."""
    from osops.security_groups import list_groups

    project = conn.current_project_id
    groups = [g for g in list_groups(conn, all_projects=True) if g.project_id == project or g.shared]
    return resolve_many("security group", names, groups)


def network_entries(conn: Connection, names: Sequence[str | Network], nics: Sequence[Nic]) -> list[dict] | str:
    """Nova's ``networks`` for *names* then *nics*, in that order (names
    resolved with one network list); with neither, the only usable
    network, or ``"none"`` when there is none."""
    if not names and not nics:
        chosen = nets.choose_network(conn)
        return [{"uuid": chosen.id}] if chosen else "none"
    queries = [n for n in names if not isinstance(n, Network)] + [n.net_id for n in nics if n.net_id]
    listed = nets.list_networks(conn) if queries else []
    entries = [{"uuid": (n if isinstance(n, Network) else resolve("network", n, listed)).id} for n in names]
    for nic in nics:  # each names a port or a network (parse_nic sees to it)
        if nic.port_id:
            entries.append({"port": nic.port_id})
        elif nic.net_id:
            entry = {"uuid": resolve("network", nic.net_id, listed).id}
            fixed = nic.v4_fixed_ip or nic.v6_fixed_ip
            entries.append({**entry, "fixed_ip": fixed} if fixed else entry)
    return entries


def checked_fields(*, nics: Sequence[Nic | str] = (), user_data: bytes | str | None = None,
                   availability_zone: str | None = None, config_drive: bool = False) -> tuple[list[Nic], dict]:
    """The NICs (*nics*: nova's ``--nic`` strings or parsed), checked, and
    the fields of Nova's create call that need no call (*user_data*,
    *availability_zone* ``ZONE[:HOST]``, *config_drive*); a
    :class:`~osops.errors.UsageError` for bad input."""
    checked = [parse_nic(n if isinstance(n, str) else n.text) for n in nics]
    fields: dict = {}
    if availability_zone is not None:
        zone, host = parse_zone(availability_zone)
        fields["availability_zone"] = f"{zone}:{host}" if host else zone
    if user_data is not None:
        fields["user_data"] = encode_user_data(user_data)
    if config_drive:
        fields["config_drive"] = True
    return checked, fields


def resolved_fields(conn: Connection, *, networks: Sequence[str | Network] = (), nics: Sequence[Nic] = (),
                    key_name: str | None = None, security_groups: Sequence[str | SecurityGroup] = ()) -> dict:
    """The fields of Nova's create call that name resources: the keypair
    *key_name*, the *security_groups* and the *networks* (and those of
    *nics*), resolved with one list call per kind."""
    fields: dict = {}
    if key_name:
        fields["key_name"] = find_keypair(conn, key_name)
    if security_groups:
        named = [g for g in security_groups if not isinstance(g, SecurityGroup)]
        found = iter(find_security_groups(conn, named) if named else [])
        groups = [g if isinstance(g, SecurityGroup) else next(found) for g in security_groups]
        fields["security_groups"] = [{"name": gid} for gid in dict.fromkeys(g.id for g in groups)]
    fields["networks"] = network_entries(conn, networks, nics)
    return fields
