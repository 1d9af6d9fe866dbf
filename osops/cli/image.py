"""osops image list."""

from cliff.lister import Lister

from osops.cli.base import CloudCommand

COLUMNS = ("ID", "Name", "Status", "Disk Format", "Container Format", "Size", "Bootable")


class ListImages(CloudCommand, Lister):
    """List images, marking those a server can boot from."""

    columns = COLUMNS

    def take_action(self, parsed_args):
        from osops.images import list_images

        rows = [(i.id, i.name, i.status, i.disk_format, i.container_format, i.size, i.bootable)
                for i in list_images(self.cloud)]
        return self.columns, rows
