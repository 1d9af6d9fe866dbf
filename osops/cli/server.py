"""osops server list|show|create|suspend|resume|delete (and boot, suspend ...)."""

import argparse
from dataclasses import replace

from cliff.lister import Lister
from cliff.show import ShowOne

from osops.cli.base import CloudCommand
from osops.cli.boot_options import add_boot_options, boot_keywords
from osops.cli.types import regex, seconds, whole
from osops.cli.wait_for import add_wait_for
from osops.servers import DEFAULT_TIMEOUT

LIST_COLUMNS = ("ID", "Name", "Status", "Task State", "Power State", "Networks")
# --long adds these (openstack's names; Host only an admin sees)
LONG_COLUMNS = LIST_COLUMNS + ("Image Name", "Image ID", "Flavor Name", "Availability Zone", "Host",
                               "Key Name", "Security Groups", "Created", "Properties")
SHORT_COLUMNS = ("ID", "Name", "Status", "Networks")
# openstack server show's fields where the meaning is the same
SHOW_FIELDS = ("id", "name", "status", "OS-EXT-STS:task_state", "OS-EXT-STS:power_state", "OS-EXT-STS:vm_state",
               "addresses", "flavor", "image", "image_id", "key_name", "security_groups", "volumes_attached",
               "OS-EXT-AZ:availability_zone", "OS-EXT-SRV-ATTR:host", "OS-EXT-SRV-ATTR:hypervisor_hostname",
               "created", "OS-SRV-USG:launched_at", "updated", "project_id", "user_id", "properties", "fault")
TIMEOUT = seconds(1, 86400)


def _row(server, columns, images=None):
    """*server*'s values for *columns*; *images* maps image ids to names."""
    from osops.cli.columns import addresses, listed, mapping, or_dash

    s = server
    values = {"ID": s.id, "Name": s.name, "Status": s.status, "Task State": or_dash(s.task_state),
              "Power State": s.power_state, "Networks": addresses(s),
              "Image Name": or_dash((images or {}).get(s.image_id)), "Image ID": or_dash(s.image_id),
              "Flavor Name": or_dash(s.flavor), "Availability Zone": or_dash(s.availability_zone),
              "Host": or_dash(s.host), "Key Name": or_dash(s.key_name),
              "Security Groups": listed(s.security_groups), "Created": or_dash(s.created),
              "Properties": mapping(s.metadata)}
    return tuple(values[c] for c in columns)


class ListServers(CloudCommand, Lister):
    """List servers in nova list's shape (--long: image, flavor, zone, host ...)."""

    columns = LIST_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--all-projects", action="store_true", help="servers of every project (admin)")
        parser.add_argument("--status", help="only servers with this status (ACTIVE, ERROR ...)")
        parser.add_argument("--name", type=regex, help="only servers whose name matches this regular expression")
        parser.add_argument("--long", action="store_true", help="also image, flavor, availability zone, host "
                            "(admin), key name, security groups, creation time and properties")
        return parser

    def columns_for(self, parsed_args):
        return LONG_COLUMNS if parsed_args.long else LIST_COLUMNS

    def take_action(self, parsed_args):
        from osops.servers import list_servers

        servers = list_servers(self.cloud, all_projects=parsed_args.all_projects,
                               status=parsed_args.status and parsed_args.status.upper(),
                               name=parsed_args.name)
        columns = self.columns_for(parsed_args)
        images = _image_names(self.cloud) if parsed_args.long and servers else {}
        return columns, [_row(s, columns, images) for s in servers]


def _image_names(conn):
    """{image id: name}, one list call (as openstack server list --long)."""
    from osops.images import image_names

    return image_names(conn)


class ShowServer(CloudCommand, ShowOne):
    """Show one server (openstack server show's fields)."""

    columns = SHOW_FIELDS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("server", metavar="SERVER", help="name or id")
        parser.add_argument("--all-projects", action="store_true", help="look in every project (admin)")
        return parser

    def take_action(self, parsed_args):
        from osops.cli.columns import addresses, listed, mapping, or_dash
        from osops.servers import find_server

        s = find_server(self.cloud, parsed_args.server, parsed_args.all_projects)
        fields = {"id": s.id, "name": s.name, "status": s.status, "OS-EXT-STS:task_state": or_dash(s.task_state),
                  "OS-EXT-STS:power_state": s.power_state, "OS-EXT-STS:vm_state": or_dash(s.vm_state),
                  "addresses": addresses(s), "flavor": or_dash(s.flavor),
                  "image": or_dash(_image(self.cloud, s)), "image_id": or_dash(s.image_id),
                  "key_name": or_dash(s.key_name), "security_groups": listed(s.security_groups),
                  "volumes_attached": listed(s.volumes),
                  "OS-EXT-AZ:availability_zone": or_dash(s.availability_zone),
                  "OS-EXT-SRV-ATTR:host": or_dash(s.host), "OS-EXT-SRV-ATTR:hypervisor_hostname": or_dash(s.hypervisor),
                  "created": or_dash(s.created), "OS-SRV-USG:launched_at": or_dash(s.launched_at),
                  "updated": or_dash(s.updated), "project_id": s.project_id, "user_id": or_dash(s.user_id),
                  "properties": mapping(s.metadata), "fault": or_dash(s.fault)}
        return self.columns, tuple(fields[k] for k in self.columns)


def _image(conn, server):
    """The server's image as ``NAME (ID)`` (one Glance GET), ``ID (deleted)``
    when Glance no longer has it, or '' for a server booted from a volume."""
    from osops.images import names_by_id

    if not server.image_id:
        return ""
    name = names_by_id(conn, [server.image_id])[server.image_id]
    return f"{server.image_id} (deleted)" if name is None else f"{name} ({server.image_id})"


class CreateServer(CloudCommand, Lister):
    """Boot servers by image and flavor name, waiting until they are ACTIVE."""

    columns = SHORT_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", metavar="NAME", nargs="?", help="server name (generated when left out)")
        parser.add_argument("--flavor", required=True, help="flavor name or id (m1.tiny, 1)")
        parser.add_argument("--image", required=True, help="image name, prefix or id of a bootable image")
        parser.add_argument("--count", type=whole(1), default=1, help="boot N servers named NAME-1..NAME-N")
        parser.add_argument("--wait", action=argparse.BooleanOptionalAction, default=True,
                            help="wait until ACTIVE (default: wait)")
        parser.add_argument("--timeout", type=TIMEOUT, default=DEFAULT_TIMEOUT,
                            help=f"seconds to wait (default {DEFAULT_TIMEOUT})")
        parser.add_argument("--unique", action="store_true",
                            help="refuse to boot when a server of that name exists (default: a warning)")
        parser.add_argument("--keep", action="store_true",
                            help="when the boot fails or is interrupted, keep what it created (default: delete it)")
        add_wait_for(parser)
        return add_boot_options(parser)

    def take_action(self, parsed_args):
        from osops.interrupt import on_signals
        from osops.servers import boot

        a = parsed_args
        options = boot_keywords(a)
        with on_signals():  # SIGTERM too: what this boot created is deleted (unless --keep)
            servers = boot(self.cloud, a.name, image=a.image, flavor=a.flavor, count=a.count, wait=a.wait,
                           timeout=a.timeout, on_change=self.progress(), keep=a.keep, wait_for=a.wait_for,
                           name_taken="refuse" if a.unique else "warn", **options)
        return self.columns, [_row(s, self.columns) for s in servers]


class _ServerAction(CloudCommand, Lister):
    """Base for commands that act on servers named on the command line.

    Without --wait the Status column says what was asked (SUSPENDING ...).
    """

    columns = SHORT_COLUMNS
    wait_default = False
    pending = ""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("servers", metavar="SERVER", nargs="+", help="names or ids")
        parser.add_argument("--wait", action=argparse.BooleanOptionalAction, default=self.wait_default,
                            help="wait until the action completes")
        parser.add_argument("--timeout", type=TIMEOUT, default=DEFAULT_TIMEOUT,
                            help=f"seconds to wait (default {DEFAULT_TIMEOUT})")
        parser.add_argument("--all-projects", action="store_true", help="look in every project (admin)")
        return parser

    def take_action(self, parsed_args):
        from osops import servers as ops

        found = ops.find_servers(self.cloud, parsed_args.servers, parsed_args.all_projects)
        names = {s.id: s.name for s in found}
        done = self.act(ops, found, parsed_args.wait, parsed_args.timeout, self.progress(names))
        if not parsed_args.wait:
            done = [replace(s, status=self.pending) for s in done]
        return self.columns, [_row(s, self.columns) for s in done]


class SuspendServer(_ServerAction):
    """Suspend servers."""

    pending = "SUSPENDING"

    def act(self, ops, found, wait, timeout, on_change):
        return ops.suspend(self.cloud, found, wait, timeout, on_change)


class ResumeServer(_ServerAction):
    """Resume suspended servers."""

    pending = "RESUMING"

    def act(self, ops, found, wait, timeout, on_change):
        return ops.resume(self.cloud, found, wait, timeout, on_change)


class DeleteServer(_ServerAction):
    """Delete servers (with --wait, until they are gone)."""

    pending = "DELETING"

    def act(self, ops, found, wait, timeout, on_change):
        ops.delete(self.cloud, found, wait, timeout, on_change)
        return [replace(s, status="DELETED") for s in found]
