"""osops floating ip list|add|remove|delete."""

from cliff.lister import Lister
from cliff.show import ShowOne

from osops.cli.base import CloudCommand

LIST_COLUMNS = ("ID", "Floating IP Address", "Fixed IP Address", "Server", "Floating Network", "Status")
ADD_FIELDS = ("server", "floating_ip_address", "fixed_ip_address", "port", "network", "floating_network", "result")
REMOVE_COLUMNS = ("Floating IP Address", "Fixed IP Address", "Server", "Status")
DELETE_COLUMNS = ("ID", "Floating IP Address", "Status")
RESULTS = {"allocated": "allocated", "reused": "reused a free floating IP of the project",
           "already": "had it already"}


class ListFloatingIPs(CloudCommand, Lister):
    """List floating IPs: the fixed address and server each maps to, and its external network."""

    columns = LIST_COLUMNS

    def take_action(self, parsed_args):
        from osops.cli.columns import or_dash
        from osops.floating_ips import list_floating_ips
        from osops.networks import list_networks
        from osops.servers import list_servers

        servers = {s.id: s.name for s in list_servers(self.cloud)}  # the project's: others show by id
        found = list_floating_ips(self.cloud)
        networks = {n.id: n.name for n in list_networks(self.cloud)} if found else {}
        rows = [(f.id, f.address, or_dash(f.fixed_address), or_dash(servers.get(f.server_id, f.server_id)),
                 networks.get(f.network_id, f.network_id), f.status) for f in found]
        return self.columns, rows


class AddFloatingIP(CloudCommand, ShowOne):
    """Give a server a floating IP: a free one of the project, else a new one
    (on the only external network unless --network)."""

    columns = ADD_FIELDS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("server", metavar="SERVER", help="name or id")
        parser.add_argument("--network", metavar="EXTERNAL", help="the external network (default: the only one)")
        return parser

    def take_action(self, parsed_args):
        from osops.floating_ips import add_floating_ip

        added = add_floating_ip(self.cloud, parsed_args.server, parsed_args.network)
        if added.ports > 1:
            self.app.warn(f"{added.server.name} has {added.ports} ports: the floating IP maps to the one on "
                          f"{added.network} ({added.fixed_address}), which a router connects to "
                          f"{added.external_network}")
        values = (added.server.name, added.floating_ip.address, added.fixed_address, added.port_id, added.network,
                  added.external_network, RESULTS[added.how])
        return self.columns, values


class RemoveFloatingIP(CloudCommand, Lister):
    """Take a server's floating IP off it; the IP stays allocated to the project."""

    columns = REMOVE_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("server", metavar="SERVER", help="name or id")
        return parser

    def take_action(self, parsed_args):
        from osops.floating_ips import remove_floating_ip
        from osops.servers import find_server

        server = find_server(self.cloud, parsed_args.server)
        removed = remove_floating_ip(self.cloud, server)
        addresses = " ".join(f.address for f in removed)
        self.app.warn(f"{addresses} stay{'s' if len(removed) == 1 else ''} allocated to the project, free for "
                      f"the next 'osops floating ip add'; 'osops floating ip delete {addresses}' releases "
                      f"{'it' if len(removed) == 1 else 'them'}")
        return self.columns, [(f.address, f.fixed_address, server.name, "removed, kept allocated") for f in removed]


class DeleteFloatingIPs(CloudCommand, Lister):
    """Release floating IPs (by address or id), whether mapped to a server or free."""

    columns = DELETE_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("ips", metavar="IP", nargs="+", help="floating IP addresses or ids")
        return parser

    def take_action(self, parsed_args):
        from osops.floating_ips import delete_floating_ips

        gone = delete_floating_ips(self.cloud, parsed_args.ips)
        return self.columns, [(f.id, f.address, "DELETED") for f in gone]
