"""osops bridge list|show: Linux and Open vSwitch bridges, ports tied to servers."""

import os

from cliff.lister import Lister

from osops.cli.base import CloudCommand

LIST_COLUMNS = ("Bridge", "Type", "Bridge ID", "STP", "Interfaces")
SHOW_COLUMNS = ("Port", "Type", "State", "MTU", "Owner", "Neutron Port")


class _BridgeCommand(CloudCommand, Lister):
    """Shared options; the cloud is asked only when one is configured."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--server", metavar="NAME",
                            help="only the bridges and ports of this server (name or id)")
        parser.add_argument("--no-cloud", action="store_true",
                            help="do not ask the cloud: show ports untied to servers")
        return parser

    def run(self, parsed_args):
        self.exit_code = 0
        return super().run(parsed_args) or self.exit_code

    def bridges(self, parsed_args):
        """The host's bridges; problems are warned about and make exit status 1."""
        from osops.errors import NotFound, OsopsError
        from osops.host import bridges, ovs

        failed = set()  # the sources that could not be asked

        def problem(source, exc):
            failed.add(source)
            if isinstance(exc, ovs.OvsNotRunning):
                self.app.warn(f"note: {exc}")
            else:
                self.app.warn(f"warning: {exc}")
                self.exit_code = 1

        conn = None
        configured = self._cloud_configured(parsed_args)
        if configured:
            try:
                conn = self.cloud
            except OsopsError as exc:
                problem(bridges.CLOUD, OsopsError(f"{exc} (ports are shown untied; --no-cloud skips the cloud)"))
        found = bridges.list_bridges(conn, on_problem=problem)
        if parsed_args.server:
            found = bridges.of_server(found, parsed_args.server)
            if not found:
                why = ("--no-cloud was given" if parsed_args.no_cloud else "no cloud is configured" if not configured
                       else "the cloud could not be asked (see the warning)" if bridges.CLOUD in failed else "")
                hint = f": {why}, so ports are not tied to servers" if why else ""
                raise NotFound(f"no bridge port of server {parsed_args.server} on this host{hint}")
        return found

    def _cloud_configured(self, parsed_args):
        opts = self.app.options
        return not parsed_args.no_cloud and bool(
            opts.os_cloud or opts.os_auth_url or os.environ.get("OS_CLOUD") or os.environ.get("OS_AUTH_URL"))


class ListBridges(_BridgeCommand):
    """List Linux and Open vSwitch bridges in brctl show's shape."""

    columns = LIST_COLUMNS

    def take_action(self, parsed_args):
        rows = [(b.name, b.type, b.bridge_id or "-", "yes" if b.stp else "no",
                 "\n".join(p.name + (f" ({p.owner})" if p.owner else "") for p in b.ports))
                for b in self.bridges(parsed_args)]
        return self.columns, rows


class ShowBridge(_BridgeCommand):
    """Show one bridge and its ports: the first row is the bridge itself
    (type, bridge id, STP, state, MTU), then each port with its type, state,
    MTU and what it belongs to."""

    columns = SHOW_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("bridge", metavar="BRIDGE", help="bridge name (see 'osops bridge list')")
        return parser

    def take_action(self, parsed_args):
        from osops.host.bridges import find_bridge

        b = find_bridge(self.bridges(parsed_args), parsed_args.bridge)
        about = ", ".join(([f"id {b.bridge_id}"] if b.bridge_id else []) + [f"STP {'yes' if b.stp else 'no'}"])
        rows = [(b.name, f"{b.type} bridge ({about})", b.state or "-", _or_dash(b.mtu), "-", "-")]
        rows += [(p.name, p.kind or "-", p.state or "-", _or_dash(p.mtu), p.owner or "-", p.port_id or "-")
                 for p in b.ports]
        return self.columns, rows


def _or_dash(value):
    return "-" if value is None else value
