"""The --wait-for option of osops boot (server create): readiness past ACTIVE."""

WAIT_FOR = ("active", "ping", "ssh", "login")  # osops.readiness.WAIT_FOR, not imported: start-up stays light


def add_wait_for(parser):
    """Add ``--wait-for active|ping|ssh|login`` to *parser*."""
    parser.add_argument("--wait-for", choices=WAIT_FOR, default="active",
                        help="wait past ACTIVE until the servers answer ping, SSH (port 22 sends its banner) "
                             "or show a login prompt on the console, within --timeout (default active)")
    return parser
