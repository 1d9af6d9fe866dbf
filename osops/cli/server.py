"""osops server list|show|create|suspend|resume|delete (and boot, suspend ...)."""

import argparse
from dataclasses import replace

from cliff.lister import Lister
from cliff.show import ShowOne

from osops.cli.base import CloudCommand
from osops.cli.types import regex, seconds, whole
from osops.servers import DEFAULT_TIMEOUT

LIST_COLUMNS = ("ID", "Name", "Status", "Task State", "Power State", "Networks")
SHORT_COLUMNS = ("ID", "Name", "Status", "Networks")
SHOW_FIELDS = ("id", "name", "status", "task_state", "power_state", "networks", "flavor", "image", "key_name",
               "created", "project_id", "metadata", "fault")
TIMEOUT = seconds(1, 86400)


def _row(server, columns):
    values = {"ID": server.id, "Name": server.name, "Status": server.status,
              "Task State": server.task_state or "-", "Power State": server.power_state,
              "Networks": server.networks}
    return tuple(values[c] for c in columns)


class ListServers(CloudCommand, Lister):
    """List servers in nova list's shape."""

    columns = LIST_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--all-projects", action="store_true", help="servers of every project (admin)")
        parser.add_argument("--status", help="only servers with this status (ACTIVE, ERROR ...)")
        parser.add_argument("--name", type=regex, help="only servers whose name matches this regular expression")
        return parser

    def take_action(self, parsed_args):
        from osops.servers import list_servers

        servers = list_servers(self.cloud, all_projects=parsed_args.all_projects,
                               status=parsed_args.status and parsed_args.status.upper(),
                               name=parsed_args.name)
        return self.columns, [_row(s, self.columns) for s in servers]


class ShowServer(CloudCommand, ShowOne):
    """Show one server."""

    columns = SHOW_FIELDS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("server", metavar="SERVER", help="name or id")
        parser.add_argument("--all-projects", action="store_true", help="look in every project (admin)")
        return parser

    def take_action(self, parsed_args):
        from osops.servers import find_server

        s = find_server(self.cloud, parsed_args.server, parsed_args.all_projects)
        fields = {"id": s.id, "name": s.name, "status": s.status, "task_state": s.task_state or "-",
                  "power_state": s.power_state, "networks": s.networks, "flavor": s.flavor,
                  "image": s.image, "key_name": s.key_name or "-", "created": s.created,
                  "project_id": s.project_id, "metadata": s.metadata, "fault": s.fault or "-"}
        return self.columns, tuple(fields[k] for k in self.columns)


class CreateServer(CloudCommand, Lister):
    """Boot servers by image and flavor name, waiting until they are ACTIVE."""

    columns = SHORT_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", metavar="NAME", nargs="?", help="server name (generated when left out)")
        parser.add_argument("--flavor", required=True, help="flavor name or id (m1.tiny, 1)")
        parser.add_argument("--image", required=True, help="image name, prefix or id of a bootable image")
        parser.add_argument("--network", help="network name or id (default: the only usable one)")
        parser.add_argument("--key-name", help="keypair to inject")
        parser.add_argument("--count", type=whole(1), default=1, help="boot N servers named NAME-1..NAME-N")
        parser.add_argument("--wait", action=argparse.BooleanOptionalAction, default=True,
                            help="wait until ACTIVE (default: wait)")
        parser.add_argument("--timeout", type=TIMEOUT, default=DEFAULT_TIMEOUT,
                            help=f"seconds to wait (default {DEFAULT_TIMEOUT})")
        parser.add_argument("--keep", action="store_true",
                            help="when the boot fails or is interrupted, keep what it created (default: delete it)")
        return parser

    def take_action(self, parsed_args):
        from osops.interrupt import on_signals
        from osops.servers import boot

        a = parsed_args
        with on_signals():  # SIGTERM too: what this boot created is deleted (unless --keep)
            servers = boot(self.cloud, a.name, image=a.image, flavor=a.flavor, network=a.network,
                           key_name=a.key_name, count=a.count, wait=a.wait, timeout=a.timeout,
                           on_change=self.progress(), keep=a.keep)
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
