"""What every osops command shares: usage errors, -c checks, the cloud, progress."""

from osops.cli.usage import check_columns, one_line_errors
from osops.explain import explain


class OsopsCommand:
    """Base of every osops command, before its cliff class (Command,
    Lister or ShowOne): argparse errors as one stderr line, and ``-c``
    naming a column the output does not have refused before
    :meth:`take_action` runs (so before anything is booted, deleted or
    pinged)."""

    columns: tuple[str, ...] = ()  # a Lister's or ShowOne's columns; columns_for() when they depend on options

    def get_parser(self, prog_name):
        self.prog = prog_name
        return one_line_errors(super().get_parser(prog_name), _help_of(prog_name))

    def columns_for(self, parsed_args):
        """The columns this command's output has for *parsed_args*."""
        return self.columns

    def run(self, parsed_args):
        asked = getattr(parsed_args, "columns", None)  # only Listers and ShowOnes have -c
        if asked:
            check_columns(asked, self.columns_for(parsed_args), self.prog, _help_of(self.prog))
        return super().run(parsed_args)


def _help_of(prog_name):
    """``osops server show`` -> ``osops help server show``."""
    app, _, name = prog_name.partition(" ")
    return f"{app} help {name}"


class CloudCommand(OsopsCommand):
    """Base for commands that talk to a cloud.

    Errors leave as one-line :class:`~osops.errors.OsopsError` messages;
    cliff prints them (with a traceback only under --debug).
    """

    _progress = None  # the Progress shown while the command runs

    @property
    def cloud(self):
        return self.app.cloud

    def run(self, parsed_args):
        try:
            return super().run(parsed_args)
        except BrokenPipeError:
            raise  # stdout closed by its reader: cliff ends with the shell's status, quietly
        except Exception as exc:
            from osops.cloud import error_context

            raise explain(exc, **error_context(getattr(self.app, "_cloud", None))) from exc
        finally:
            self._end_progress()

    def progress(self, names=None, heartbeat=True):
        """The wait's callback showing its progress on a terminal's stderr
        (:class:`osops.cli.progress.Progress`, from now until the output;
        without *heartbeat*, the state changes alone), or None when stderr
        is not a terminal."""
        stream = self.app.stderr
        if not getattr(stream, "isatty", lambda: False)():
            return None
        from osops.cli.progress import Progress

        self._progress = Progress(stream, self.app.command_name, names)
        if heartbeat:
            self._progress.begin()
        return self._progress.on_change

    def produce_output(self, parsed_args, *args):
        self._end_progress()  # the line cleared before the output
        return super().produce_output(parsed_args, *args)

    def _end_progress(self):
        if self._progress is not None:
            self._progress.end()
            self._progress = None
