"""osops ping: ping servers (or addresses) and say why a target does not answer."""

from cliff.lister import Lister

from osops.cli.base import CloudCommand
from osops.cli.types import seconds, whole

COLUMNS = ("Server", "Address", "Sent", "Received", "Loss %", "RTT min/avg/max", "Result")
MIN_INTERVAL = 0.2  # iputils' floor for users who are not root


class Ping(CloudCommand, Lister):
    """Ping servers by name (or --all, or --address) and tell why a target
    does not answer; exit 1 when one fails (with --expect-fail: answers)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("servers", metavar="SERVER", nargs="*", help="server names or ids")
        parser.add_argument("--all", action="store_true", help="every ACTIVE server")
        parser.add_argument("--address", metavar="IP", action="append", default=[],
                            help="an address to ping as well (repeatable)")
        parser.add_argument("--count", type=whole(1, 1000), default=3, help="echo requests per target (default 3)")
        parser.add_argument("--interval", type=seconds(MIN_INTERVAL, 3600), default=1.0,
                            help="seconds between requests (default 1)")
        parser.add_argument("--timeout", type=seconds(0.1, 3600), default=2.0,
                            help="seconds to wait for each reply (default 2)")
        parser.add_argument("--address-type", choices=("fixed", "floating", "any"), default="any",
                            help="which of a server's addresses to ping (default any: all of them)")
        parser.add_argument("--netns", metavar="NS|auto",
                            help="ping from this network namespace; 'auto' picks the server network's "
                                 "qdhcp-/ovnmeta-/qrouter- namespace (default: from this host, or from that "
                                 "namespace where this host has no route to a fixed address)")
        parser.add_argument("--expect-fail", action="store_true",
                            help="succeed only when no target answers (after an ICMP rule is removed)")
        return parser

    def take_action(self, parsed_args):
        from osops.errors import UsageError
        from osops.host import netns, ping, targets

        a = parsed_args
        if not (a.servers or a.all or a.address):
            raise UsageError("nothing to ping", "name servers, or give --all or --address IP")
        if a.netns and a.netns != targets.AUTO:
            netns.check_name(a.netns)
        todo = targets.address_targets(a.address, a.netns) if a.address else []
        if a.servers or a.all:
            from osops.servers import find_servers, list_servers

            found = (list_servers(self.cloud, status="ACTIVE") if a.all
                     else find_servers(self.cloud, a.servers))
            todo = targets.server_targets(self.cloud, found, a.address_type, a.netns) + todo
        if not todo:
            raise UsageError("nothing to ping: there are no ACTIVE servers")
        results = ping.ping(todo, a.count, a.interval, a.timeout)
        failed = [r for r in results if r.answered == a.expect_fail]
        self.exit_code = 1 if failed else 0
        return self.columns_for(a), [_row(r, a.expect_fail, bool(a.netns)) for r in results]

    def columns_for(self, parsed_args):
        """With --netns, a Namespace column after Address."""
        return COLUMNS if not parsed_args.netns else COLUMNS[:2] + ("Namespace",) + COLUMNS[2:]

    def run(self, parsed_args):
        self.exit_code = 0
        return super().run(parsed_args) or self.exit_code


def _row(result, expect_fail, with_netns):
    t = result.target
    rtt = (f"{result.rtt_min:.3f}/{result.rtt_avg:.3f}/{result.rtt_max:.3f} ms"
           if result.answered else "-")
    if result.answered:
        verdict = "FAIL: answered, but no answer was expected" if expect_fail else "ok"
    else:
        verdict = f"ok, no answer as expected: {result.reason}" if expect_fail else f"FAIL: {result.reason}"
    row = [t.server or "-", t.address, result.sent, result.received, result.loss, rtt, verdict]
    if with_netns:
        row.insert(2, t.netns or "-")
    return tuple(row)
