"""--history FILE and --no-history: where smoke, scenario run and the
history commands keep the run history."""


def add_to(parser):
    """Add --history and --no-history to *parser*."""
    parser.add_argument("--history", metavar="FILE",
                        help="the run history (env OSOPS_HISTORY; default ~/.local/share/osops/history.sqlite, "
                             "under $XDG_DATA_HOME when set)")
    parser.add_argument("--no-history", action="store_true", help="keep no history of this run")


def open_for(parsed_args):
    """The history Store the options name (None with --no-history); opened
    now, so a file that cannot be used fails before anything else."""
    if getattr(parsed_args, "no_history", False):
        return None
    from osops.history import open_history

    return open_history(parsed_args.history)
