"""boot's (and server create's) options for what the server gets besides
image and flavor: networks and NICs, security groups, a keypair, user
data, an availability zone, a config drive."""

from osops.boot_options import NIC_SYNTAX, ZONE_SYNTAX


def add_boot_options(parser):
    """Add the options to *parser* (a group of their own in its help)."""
    group = parser.add_argument_group("what the server gets")
    group.add_argument("--network", action="append", default=[], metavar="NETWORK",
                       help="a network name or id, one NIC on each (repeatable; default: the only usable one)")
    group.add_argument("--nic", action="append", default=[], metavar="SPEC",
                       help=f"a NIC after those of --network, as openstack's: {NIC_SYNTAX} (repeatable)")
    group.add_argument("--key-name", metavar="KEYPAIR", help="keypair to inject (see: osops keypair list)")
    group.add_argument("--security-group", action="append", default=[], dest="security_groups", metavar="GROUP",
                       help="a security group name or id (repeatable; default: the project's default)")
    group.add_argument("--user-data", metavar="FILE", help="a file given to the server as its user data "
                       "(cloud-init's; at most 65535 characters once in base64)")
    group.add_argument("--availability-zone", metavar="ZONE[:HOST]",
                       help=f"where to boot: {ZONE_SYNTAX} (a host: admins only)")
    group.add_argument("--config-drive", action="store_true", help="give the server a config drive")
    return parser


def boot_keywords(parsed_args):
    """The keywords of :func:`osops.servers.boot` for the options in
    *parsed_args*, checked before any call: a bad --nic, zone or
    user-data file is a :class:`~osops.errors.UsageError` (exit 2)."""
    from osops import boot_options

    a = parsed_args
    if a.availability_zone is not None:
        boot_options.parse_zone(a.availability_zone)
    return {"networks": a.network, "nics": [boot_options.parse_nic(n) for n in a.nic], "key_name": a.key_name,
            "security_groups": a.security_groups, "availability_zone": a.availability_zone,
            "user_data": boot_options.read_user_data(a.user_data) if a.user_data is not None else None,
            "config_drive": a.config_drive}
