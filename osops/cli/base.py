"""What every osops command shares: the cloud, error messages, progress."""

from osops.errors import explain


class CloudCommand:
    """Mixin for commands that talk to a cloud.

    Errors leave as one-line :class:`~osops.errors.OsopsError` messages;
    cliff prints them (with a traceback only under --debug).
    """

    @property
    def cloud(self):
        return self.app.cloud

    def run(self, parsed_args):
        try:
            return super().run(parsed_args)
        except Exception as exc:
            raise explain(exc, self._auth_summary()) from exc

    def _auth_summary(self):
        conn = getattr(self.app, "_cloud", None)
        if conn is None:
            return {}
        from osops.cloud import auth_summary

        return auth_summary(conn.config)

    def progress(self, names=None):
        """A wait callback printing ``NAME: BUILD → ACTIVE in 4.2 s`` on a
        terminal's stderr, or None when stderr is not a terminal."""
        stream = self.app.stderr
        if not getattr(stream, "isatty", lambda: False)():
            return None
        names = dict(names or {})

        def on_change(server_id, server, old, elapsed):
            if server is not None:
                names[server_id] = server.name
            if old is None:
                return
            new = server.status if server else "GONE"
            stream.write(f"{names.get(server_id, server_id)}: {old} → {new} in {elapsed:.1f} s\n")
            stream.flush()

        return on_change
