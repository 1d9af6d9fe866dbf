"""osops cleanup: remove servers (and floating IPs) that smoke and scenario runs, and interrupted boots, left behind."""

import argparse

from cliff.lister import Lister

from osops.cli.base import CloudCommand
from osops.cli.types import seconds

COLUMNS = ("ID", "Name", "Run", "Status")


class Cleanup(CloudCommand, Lister):
    """Delete the servers of one run (--run ID), of every smoke and
    scenario run (--all), or of every boot (--boots: after a boot was
    killed), found by their osops-run or osops-boot metadata in one
    server list, then the runs' security groups (osops-<run>-sg) and
    keypairs (osops-<run>-NAME, made by a scenario's keypair step); a
    run's floating IPs (on its servers, or described as its own) are
    released."""

    columns = COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--run", metavar="ID", help="the run id a smoke, scenario or boot run printed")
        which.add_argument("--all", action="store_true", help="servers of every smoke and scenario run")
        which.add_argument("--boots", action="store_true",
                           help="servers of every osops boot, kept or not: see them with --dry-run first")
        parser.add_argument("--all-projects", action="store_true", help="look in every project (admin)")
        parser.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
        parser.add_argument("--wait", action=argparse.BooleanOptionalAction, default=True,
                            help="wait until they are gone (default: wait)")
        parser.add_argument("--timeout", type=seconds(1, 86400), default=300, help="seconds to wait (default 300)")
        return parser

    def take_action(self, parsed_args):
        from osops import security_groups
        from osops.floating_ips import delete_floating_ips
        from osops.keypairs import remove_keypairs
        from osops.scenario import cleanup

        a = parsed_args
        cleanup.check_which(a.run, a.all, a.boots)  # bad input fails before connecting
        found = cleanup.tagged(self.cloud, run_id=a.run, all_runs=a.all, all_projects=a.all_projects,
                               boots=a.boots)
        groups = cleanup.groups(self.cloud, run_id=a.run, all_runs=a.all, found=found)
        keys = cleanup.keypairs(self.cloud, run_id=a.run, all_runs=a.all, found=found)
        fips = cleanup.floating_ips(self.cloud, found, run_id=a.run, all_runs=a.all)
        if not found and not groups and not keys and not fips:
            which = f"run {a.run}" if a.run else ("any osops boot" if a.boots else "any osops run")
            self.app.warn(f"nothing to clean up: no server is tagged by {which}, and no security group, "
                          "keypair or floating IP is its")
        elif not a.dry_run:
            if fips:
                delete_floating_ips(self.cloud, fips)
            if found:
                cleanup.remove(self.cloud, found, a.wait, a.timeout,
                               on_change=self.progress({s.id: s.name for s in found}))
            if a.wait:  # a group is deleted once its servers are gone
                security_groups.delete_groups(self.cloud, groups)
            remove_keypairs(self.cloud, keys)
        status = "would delete" if a.dry_run else ("DELETED" if a.wait else "DELETING")
        rows = [(s.id, s.name, cleanup.run_of(s), status) for s in found]
        kept = "would delete" if a.dry_run else ("DELETED" if a.wait else "kept (--no-wait: servers may hold it)")
        rows += [(g.id, g.name, g.description.split(":")[0].removeprefix("osops run "), kept) for g in groups]
        rows += [(k.name, k.name, k.public_key.rsplit(" ", 1)[-1], "would delete" if a.dry_run else "DELETED")
                 for k in keys]
        runs = {s.id: cleanup.run_of(s) for s in found}
        rows += [(f.id, f"floating IP {f.address}", runs.get(f.server_id) or _run_described(f.description),
                  "would delete" if a.dry_run else "DELETED") for f in fips]
        return self.columns, rows


def _run_described(description):
    """The run id in an ``osops run ID: ...`` description ('' for none)."""
    return description.split(":")[0].removeprefix("osops run ") if description.startswith("osops run ") else ""
