"""Plain result objects: what the Python API returns and the CLI prints."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

NOT_BOOTABLE_FORMATS = ("aki", "ari")
POWER_STATES = {0: "NOSTATE", 1: "Running", 3: "Paused", 4: "Shutdown",
                6: "Crashed", 7: "Suspended"}


@dataclass(frozen=True)
class Image:
    """A Glance image; ``size`` in bytes (None while queued)."""

    id: str
    name: str
    status: str
    disk_format: str
    container_format: str
    size: int | None
    visibility: str

    @property
    def bootable(self) -> bool:
        """Active and not a kernel or ramdisk (aki/ari) image."""
        formats = (self.disk_format, self.container_format)
        return self.status == "active" and not any(f in NOT_BOOTABLE_FORMATS for f in formats)

    @classmethod
    def from_api(cls, img: Mapping[str, Any]) -> "Image":
        """An Image from Glance's JSON of one (missing strings as "")."""
        return cls(id=img["id"], name=img.get("name") or "", status=img.get("status") or "",
                   disk_format=img.get("disk_format") or "", container_format=img.get("container_format") or "",
                   size=img.get("size"), visibility=img.get("visibility") or "")


@dataclass(frozen=True)
class Flavor:
    """A Nova flavor, in nova flavor-list's terms (``ram`` in MB, ``disk`` in GB)."""

    id: str
    name: str
    ram: int
    disk: int
    ephemeral: int
    swap: int
    vcpus: int
    rxtx_factor: float
    is_public: bool

    @classmethod
    def from_api(cls, fl: Mapping[str, Any]) -> "Flavor":
        """A Flavor from Nova's JSON of one (no swap, "" before 2.75, as 0;
        public unless Nova says otherwise)."""
        rxtx = fl.get("rxtx_factor")
        return cls(id=str(fl["id"]), name=fl.get("name") or fl.get("original_name") or "",
                   ram=int(fl.get("ram") or 0), disk=int(fl.get("disk") or 0),
                   ephemeral=int(fl.get("OS-FLV-EXT-DATA:ephemeral") or 0), swap=int(fl.get("swap") or 0),
                   vcpus=int(fl.get("vcpus") or 0), rxtx_factor=float(rxtx) if rxtx is not None else 1.0,
                   is_public=bool(fl.get("os-flavor-access:is_public", True)))


@dataclass(frozen=True)
class Network:
    """A Neutron network: whether it is shared or external, and its subnets."""

    id: str
    name: str
    status: str
    shared: bool
    external: bool
    project_id: str
    subnet_ids: tuple[str, ...] = ()

    @classmethod
    def from_sdk(cls, net: Any) -> "Network":
        """A Network from an openstacksdk network."""
        return cls(id=net.id, name=net.name or "", status=net.status or "",
                   shared=bool(net.is_shared), external=bool(net.is_router_external),
                   project_id=net.project_id or "", subnet_ids=tuple(net.subnet_ids or ()))


@dataclass(frozen=True)
class SecurityGroupRule:
    """One rule of a security group, as Neutron has it (ports None: all;
    no remote prefix or group: anywhere)."""

    id: str
    direction: str
    ethertype: str
    protocol: str | None = None
    port_range_min: int | None = None
    port_range_max: int | None = None
    remote_ip_prefix: str | None = None
    remote_group_id: str | None = None
    remote_address_group_id: str | None = None
    description: str = ""

    @classmethod
    def from_sdk(cls, rule: Any) -> "SecurityGroupRule":
        """A SecurityGroupRule from an openstacksdk rule or the dict a group's
        ``security_group_rules`` holds."""
        get = rule.get if isinstance(rule, dict) else lambda key: getattr(rule, key, None)
        return cls(id=get("id") or "", direction=get("direction") or "", ethertype=get("ethertype") or "",
                   protocol=get("protocol") or None, port_range_min=get("port_range_min"),
                   port_range_max=get("port_range_max"), remote_ip_prefix=get("remote_ip_prefix") or None,
                   remote_group_id=get("remote_group_id") or None,
                   remote_address_group_id=get("remote_address_group_id") or None,
                   description=get("description") or "")


@dataclass(frozen=True)
class SecurityGroup:
    """A Neutron security group and its rules."""

    id: str
    name: str
    description: str
    project_id: str
    rules: tuple[SecurityGroupRule, ...] = ()
    shared: bool = False  # shared with this project by another (RBAC)

    @classmethod
    def from_sdk(cls, group: Any) -> "SecurityGroup":
        """A SecurityGroup from an openstacksdk security group."""
        return cls(id=group.id, name=group.name or "", description=group.description or "",
                   project_id=group.project_id or "", shared=bool(getattr(group, "is_shared", False)),
                   rules=tuple(SecurityGroupRule.from_sdk(r) for r in group.security_group_rules or ()))


@dataclass(frozen=True)
class RuleChange:
    """What ``allow`` or ``deny`` did to a group: *rule* in words, *result*
    (``added``, ``already allowed by rule ID``, ``removed``, ``nothing to
    remove`` ...) and the ids of the rules it added, found or removed."""

    group: str
    group_id: str
    rule: str
    result: str
    rule_ids: tuple[str, ...] = ()
    changed: bool = False


@dataclass(frozen=True)
class Keypair:
    """A Nova keypair (Nova knows the public key only); ``private_key_file``
    is where osops wrote the private key it generated ('' when none)."""

    name: str
    fingerprint: str
    type: str
    public_key: str = ""
    user_id: str = ""
    created: str | None = None
    private_key_file: str = ""

    @property
    def id(self) -> str:
        """A keypair's name is its id (for the one name rule)."""
        return self.name

    @classmethod
    def from_sdk(cls, keypair: Any, private_key_file: str = "") -> "Keypair":
        """A Keypair from an openstacksdk keypair."""
        return cls(name=keypair.name or "", fingerprint=keypair.fingerprint or "", type=keypair.type or "ssh",
                   public_key=keypair.public_key or "", user_id=keypair.user_id or "",
                   created=iso8601(keypair.created_at), private_key_file=private_key_file)


@dataclass(frozen=True)
class Address:
    """One address of a server on a network; ``type`` is ``fixed`` or ``floating``."""

    network: str
    addr: str
    version: int
    type: str
    mac: str


@dataclass(frozen=True)
class Server:
    """A Nova server: status, task and power state, addresses, and Nova's
    fault message when it went to ERROR."""

    id: str
    name: str
    status: str
    task_state: str | None
    power_state: str
    addresses: tuple[Address, ...] = ()
    flavor: str = ""
    image: str = ""
    fault: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    created: str = ""
    key_name: str | None = None
    project_id: str = ""
    image_id: str = ""
    availability_zone: str | None = None
    host: str | None = None             # the compute host (admins only)
    hypervisor: str | None = None       # the hypervisor's host name (admins only)
    vm_state: str | None = None
    security_groups: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()       # ids of the volumes attached
    launched_at: str | None = None
    updated: str | None = None
    user_id: str = ""

    @property
    def networks(self) -> str:
        """Addresses in nova's shape: ``private=10.0.0.5, 172.24.4.3``."""
        return "; ".join(f"{net}={', '.join(addrs)}" for net, addrs in self.addresses_by_network().items())

    def addresses_by_network(self) -> dict[str, list[str]]:
        """{network: [address, ...]}, as openstack's -f json gives them."""
        by_net: dict[str, list[str]] = {}
        for a in self.addresses:
            by_net.setdefault(a.network, []).append(a.addr)
        return by_net

    def ips(self, kind: str = "any") -> list[str]:
        """Addresses of *kind* (``fixed``, ``floating`` or ``any``), IPv4 first."""
        chosen = [a for a in self.addresses if kind == "any" or a.type == kind]
        return [a.addr for a in sorted(chosen, key=lambda a: a.version)]

    @classmethod
    def from_api(cls, srv: Mapping[str, Any]) -> "Server":
        """A Server from Nova's JSON of one (power state as a name, flavor
        by name, image by name or id)."""
        addresses = tuple(
            Address(network=net, addr=a.get("addr", ""), version=a.get("version", 4),
                    type=a.get("OS-EXT-IPS:type", "fixed"),
                    mac=a.get("OS-EXT-IPS-MAC:mac_addr", ""))
            for net, addrs in (srv.get("addresses") or {}).items() for a in addrs)
        fault = srv.get("fault")
        fault = fault.get("message", "") if isinstance(fault, dict) else ""
        image = srv.get("image")
        image = image if isinstance(image, dict) else {}  # "" for a server booted from a volume
        power: Any = srv.get("OS-EXT-STS:power_state")
        return cls(id=srv["id"], name=srv.get("name") or "", status=srv.get("status") or "",
                   task_state=srv.get("OS-EXT-STS:task_state"),
                   power_state=POWER_STATES.get(power, str(power or "")),
                   addresses=addresses, flavor=_flavor_name(srv.get("flavor")), image=_image_ref(image),
                   fault=fault, metadata=dict(srv.get("metadata") or {}), created=iso8601(srv.get("created")) or "",
                   key_name=srv.get("key_name"), project_id=srv.get("tenant_id") or "",
                   image_id=image.get("id") or "", availability_zone=srv.get("OS-EXT-AZ:availability_zone") or None,
                   host=srv.get("OS-EXT-SRV-ATTR:host") or None,
                   hypervisor=srv.get("OS-EXT-SRV-ATTR:hypervisor_hostname") or None,
                   vm_state=srv.get("OS-EXT-STS:vm_state") or None,
                   security_groups=tuple(dict.fromkeys(g.get("name", "") for g in srv.get("security_groups") or ())),
                   volumes=tuple(v.get("id", "") for v in srv.get("os-extended-volumes:volumes_attached") or ()),
                   launched_at=iso8601(srv.get("OS-SRV-USG:launched_at")), updated=iso8601(srv.get("updated")),
                   user_id=srv.get("user_id") or "")


def iso8601(value: Any) -> str | None:
    """A Nova time as ISO 8601 in UTC to the second (``2026-12-04T15:38:49Z``);
    Nova writes some without a zone (launched_at), meaning UTC.  None stays
    None, and what is no time is kept as it is."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _flavor_name(flavor: Mapping[str, Any] | None) -> str:
    if not flavor:
        return ""
    return flavor.get("original_name") or flavor.get("name") or flavor.get("id") or ""


def _image_ref(image: Mapping[str, Any] | None) -> str:
    if not image:
        return ""
    return image.get("name") or image.get("id") or ""


@dataclass(frozen=True)
class FloatingIP:
    """A Neutron floating IP: its address on the external network, and the
    port and fixed address it maps to (None when it is free)."""

    id: str
    address: str
    network_id: str                    # the external network it is allocated on
    status: str
    project_id: str = ""
    port_id: str | None = None
    fixed_address: str | None = None
    server_id: str | None = None       # the device of its port (Neutron's port_details)
    router_id: str | None = None
    description: str = ""

    @property
    def free(self) -> bool:
        """True when it maps to no port."""
        return not self.port_id

    @classmethod
    def from_sdk(cls, fip: Any) -> "FloatingIP":
        """A FloatingIP from an openstacksdk floating IP."""
        details = fip.port_details if isinstance(fip.port_details, dict) else {}
        return cls(id=fip.id, address=fip.floating_ip_address or "", network_id=fip.floating_network_id or "",
                   status=fip.status or "", project_id=fip.project_id or "", port_id=fip.port_id or None,
                   fixed_address=fip.fixed_ip_address or None, server_id=details.get("device_id") or None,
                   router_id=fip.router_id or None, description=fip.description or "")


@dataclass(frozen=True)
class FloatingIPAdded:
    """What ``floating ip add`` did: *server* reaches *floating_ip* through
    *port_id* (its *fixed_address* on *network*); *how* is ``allocated``,
    ``reused`` (a free one of the project) or ``already`` (it had it)."""

    server: Server
    floating_ip: FloatingIP
    fixed_address: str
    port_id: str
    network: str                       # the server's network the port is on
    external_network: str
    how: str
    ports: int = 1                     # how many ports the server has
