"""osops keypair create|list|delete."""

from cliff.lister import Lister
from cliff.show import ShowOne

from osops.cli.base import CloudCommand

LIST_COLUMNS = ("Name", "Fingerprint", "Type")
CREATE_FIELDS = ("Name", "Fingerprint", "Type", "Private Key")


class CreateKeypair(CloudCommand, ShowOne):
    """Create a keypair from a key generated here (Ed25519; only its public
    key goes to Nova) or from --public-key FILE.  The private key is
    written to --private-key FILE (default ~/.ssh/osops-NAME) with mode
    0600, never over an existing file, and never printed."""

    columns = CREATE_FIELDS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", metavar="NAME", help="the keypair's name")
        parser.add_argument("--private-key", metavar="FILE",
                            help="where to write the generated private key (a new file; default ~/.ssh/osops-NAME)")
        parser.add_argument("--public-key", metavar="FILE",
                            help="import this OpenSSH public key instead of generating one")
        return parser

    def take_action(self, parsed_args):
        from osops.cli.columns import or_dash
        from osops.keypairs import create_keypair

        a = parsed_args
        made = create_keypair(self.cloud, a.name, private_key_file=a.private_key, public_key_file=a.public_key)
        return self.columns, (made.name, made.fingerprint, made.type, or_dash(made.private_key_file))


class ListKeypairs(CloudCommand, Lister):
    """List your keypairs."""

    columns = LIST_COLUMNS

    def take_action(self, parsed_args):
        from osops.keypairs import list_keypairs

        return self.columns, [(k.name, k.fingerprint, k.type) for k in list_keypairs(self.cloud)]


class DeleteKeypair(CloudCommand, Lister):
    """Delete keypairs (each name resolved first; none is deleted when one
    does not resolve).  A private key file osops wrote stays: remove it
    yourself."""

    columns = ("Name", "Fingerprint", "Status")

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("names", metavar="NAME", nargs="+", help="keypair names")
        return parser

    def take_action(self, parsed_args):
        from osops.keypairs import delete_keypairs

        gone = delete_keypairs(self.cloud, parsed_args.names)
        return self.columns, [(k.name, k.fingerprint, "DELETED") for k in gone]
