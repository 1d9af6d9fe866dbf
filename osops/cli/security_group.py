"""osops security group list|show|allow|deny."""

from cliff.lister import Lister
from cliff.show import ShowOne

from osops.cli.base import CloudCommand

LIST_COLUMNS = ("ID", "Name", "Description", "Project", "Rules")
SHOW_FIELDS = ("id", "name", "description", "project_id", "rules")
CHANGE_FIELDS = ("Group", "Rule", "Result", "Rule IDs")
SPEC_HELP = "ping (ICMP), ssh (TCP 22), tcp:PORT[-PORT] or udp:PORT[-PORT]"


class ListGroups(CloudCommand, Lister):
    """List the project's security groups (every project's with
    --all-projects) and how many rules each has."""

    columns = LIST_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--all-projects", action="store_true", help="groups of every project (admin)")
        return parser

    def take_action(self, parsed_args):
        from osops.security_groups import list_groups

        groups = list_groups(self.cloud, all_projects=parsed_args.all_projects)
        return self.columns, [(g.id, g.name, g.description, g.project_id, len(g.rules)) for g in groups]


class ShowGroup(CloudCommand, ShowOne):
    """Show a security group, its rules in words ("ingress tcp 22 from 0.0.0.0/0")."""

    columns = SHOW_FIELDS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("group", metavar="GROUP", help="a group's name or id")
        return parser

    def take_action(self, parsed_args):
        from osops.security_groups import find_group, list_groups

        groups = list_groups(self.cloud, all_projects=True)
        return self.columns, _shown(find_group(self.cloud, parsed_args.group, groups), groups)


def _shown(group, groups=()):
    """A group's fields for ShowOne: its rules in words, one a line in a
    table, a list for machines (remote groups named from *groups*)."""
    from osops.cli.columns import Shown
    from osops.security_groups import rule_words

    said = rule_words(group, groups)
    return group.id, group.name, group.description, group.project_id, Shown(said, "\n".join(said))


class CreateGroup(CloudCommand, ShowOne):
    """Create a security group (Neutron gives it egress rules only: let
    things in with 'security group allow')."""

    columns = SHOW_FIELDS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", metavar="NAME", help="the group's name")
        parser.add_argument("--description", default="", help="what it is for")
        return parser

    def take_action(self, parsed_args):
        from osops.security_groups import create_group

        return self.columns, _shown(create_group(self.cloud, parsed_args.name, parsed_args.description))


class DeleteGroup(CloudCommand, Lister):
    """Delete security groups (all names resolved before any is deleted)."""

    columns = ("ID", "Name", "Status")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("groups", metavar="GROUP", nargs="+", help="groups' names or ids")
        return parser

    def take_action(self, parsed_args):
        from osops.security_groups import delete_named

        return self.columns, [(g.id, g.name, "DELETED") for g in delete_named(self.cloud, parsed_args.groups)]


class _Change(CloudCommand, ShowOne):
    """allow and deny: the same arguments, one rule."""

    columns = CHANGE_FIELDS
    operation = ""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("group", metavar="GROUP", help="a group's name or id")
        parser.add_argument("service", metavar="SERVICE", help=SPEC_HELP)
        parser.add_argument("--from", dest="source", metavar="CIDR|GROUP",
                            help="where from: a CIDR or a group's members (default: anywhere)")
        parser.add_argument("--ipv6", action="store_true",
                            help="an IPv6 rule (::/0 by default; an IPv6 CIDR implies it)")
        return parser

    def take_action(self, parsed_args):
        from osops import security_groups
        from osops.cli.columns import listed
        from osops.security_group_rules import parse_service, parse_source

        a = parsed_args
        parse_service(a.service)  # bad input: exit 2 before connecting
        parse_source(a.source, a.ipv6)
        change = getattr(security_groups, self.operation)(self.cloud, a.group, a.service, a.source, a.ipv6)
        return self.columns, (change.group, change.rule, change.result, listed(change.rule_ids))


class AllowRule(_Change):
    """Let a service into a group: ping, ssh, tcp:PORT[-PORT] or
    udp:PORT[-PORT], from anywhere or --from CIDR|GROUP.  A rule there that
    lets it in already is named, and nothing is added."""

    operation = "allow"


class DenyRule(_Change):
    """Remove the rule 'security group allow' adds for the same arguments
    (says so when there is none, and names a broader rule that still
    lets the traffic in)."""

    operation = "deny"
