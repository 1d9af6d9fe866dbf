"""osops ssh: log in to a server (or run a command on it) the way osops ping reaches it."""

from cliff.command import Command

from osops.cli.base import CloudCommand


def after_dashes(parser):
    """*parser*, parsing only what comes before the first ``--``; what
    follows is ``command`` (a list, empty without ``--``), whatever
    options it has."""
    parse = parser.parse_known_args

    def parse_known_args(args=None, namespace=None):
        args = list(args or [])
        command = []
        if "--" in args:
            at = args.index("--")
            args, command = args[:at], args[at + 1:]
        parsed, extra = parse(args, namespace)
        parsed.command = command
        return parsed, extra

    parser.parse_known_args = parse_known_args
    parser.usage = parser.format_usage().removeprefix("usage: ").rstrip() + " [-- COMMAND ...]"
    return parser


class Ssh(CloudCommand, Command):
    """SSH to a server: its floating IP, else its fixed address from the
    network's namespace on this host; the user from the image; exits with
    the remote command's status (255: ssh could not log in)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("server", metavar="SERVER", help="name or id")
        parser.add_argument("--user", help="user to log in as (default: the image's os_admin_user or "
                                           "default_user property; cirros for CirrOS)")
        parser.add_argument("--identity", metavar="FILE", help="private key file (ssh -i)")
        parser.add_argument("--address-type", choices=("fixed", "floating"), default="any",
                            help="which address to use (default: floating, else fixed)")
        parser.add_argument("--batch", action="store_true",
                            help="never ask for a password or passphrase (ssh BatchMode)")
        parser.epilog = "-- COMMAND ...: a command to run instead of a login shell (its words as ssh sends them)"
        return after_dashes(parser)

    def take_action(self, parsed_args):
        from osops import ssh
        from osops.servers import find_server

        a = parsed_args
        command = ssh.check_command(a.command)
        if a.identity:
            ssh.check_identity(a.identity)
        server = find_server(self.cloud, a.server)
        done = ssh.run(self.cloud, server, command, user=a.user, identity=a.identity,
                       address_type=a.address_type, batch=a.batch)
        return done.returncode
