"""osops flavor list."""

from cliff.lister import Lister

from osops.cli.base import CloudCommand

COLUMNS = ("ID", "Name", "Memory_MB", "Disk", "Ephemeral", "Swap", "VCPUs",
           "RXTX_Factor", "Is_Public")


class ListFlavors(CloudCommand, Lister):
    """List flavors in nova flavor-list's shape."""

    columns = COLUMNS

    def take_action(self, parsed_args):
        from osops.cli.columns import Shown
        from osops.flavors import list_flavors

        # no swap: "" in the table, as nova flavor-list shows it; 0 for machines
        rows = [(f.id, f.name, f.ram, f.disk, f.ephemeral, Shown(f.swap, str(f.swap or "")), f.vcpus,
                 f.rxtx_factor, f.is_public)
                for f in list_flavors(self.cloud)]
        return self.columns, rows
