"""Usage errors as one stderr line: argparse's, an unknown command, an unknown -c column."""

import difflib

from osops.errors import UsageError, printable


class UnknownCommand(UsageError, ValueError):
    """No command matches the words given (a ValueError, as cliff expects)."""


def one_line_errors(parser, see):
    """Make *parser* report an error as ``PROG: MESSAGE (see: SEE)`` on
    one stderr line and exit 2, instead of a usage block and the error."""

    def error(message):
        parser.exit(2, one_line(parser.prog, message, see) + "\n")

    parser.error = error
    return parser


def one_line(prog, message, see):
    """``PROG: MESSAGE (see: SEE)``, the message's line breaks and runs of
    spaces made one space."""
    return f"{prog}: {' '.join(str(message).split())} (see: {see})"


def check_columns(asked, columns, prog, see):
    """Raise :class:`UsageError` unless every ``-c`` in *asked* names one of
    *columns* (compared as cliff does: case, spaces and underscores aside),
    in the shape of argparse's errors: ``PROG: ... (see: SEE)``."""
    from cliff.display import DisplayCommandBase

    norm = DisplayCommandBase._normalize_column_name
    known = {norm(c) for c in columns}
    unknown = [c for c in asked or () if norm(c) not in known]
    if unknown:
        named = ", ".join(f"-c {c!r}" for c in unknown)
        raise UsageError(one_line(prog, f"{named}: no such column; the columns are: {', '.join(columns)}", see))


def unknown_command(app_name, argv, names):
    """The :class:`UnknownCommand` for *argv*, which none of the command
    *names* matches: an unknown option, a group without its verb, or a
    mistyped command (with the closest names)."""
    if not argv:
        return UnknownCommand(f"{app_name}: needs a command (see: {app_name} --help)")
    if argv[0].startswith("-"):
        return UnknownCommand(f"{app_name}: unknown option {printable(argv[0])} (see: {app_name} --help)")
    words = []
    for word in argv:
        if word.startswith("-"):
            break
        words.append(word)
    n, typed = len(words), " ".join(words)
    split = [name.split() for name in names]
    verbs = list(dict.fromkeys(" ".join(parts[n:]) for parts in split if parts[:n] == words and len(parts) > n))
    if verbs:
        return UnknownCommand(f"{app_name} {typed}: needs a command: {', '.join(verbs)}")
    close = [" ".join(parts) for parts in split if len(parts) == n
             and all(part.startswith(w) for part, w in zip(parts, words, strict=True))]
    close = close or difflib.get_close_matches(typed, names, n=1, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return UnknownCommand(f"{app_name}: {typed!r} is not a command{hint} (see: {app_name} --help)")
