"""osops cache clear."""

from cliff.command import Command

from osops.cli.base import OsopsCommand


class ClearCache(OsopsCommand, Command):
    """Forget every cached token and version discovery (the next command
    authenticates again)."""

    def take_action(self, parsed_args):
        from osops.cache import UnsafeCache, cache_dir, clear
        from osops.errors import OsopsError

        try:
            removed = clear()
        except UnsafeCache as exc:
            raise OsopsError(f"{exc}; nothing removed", "check it and remove it yourself") from None
        self.app.stdout.write(f"removed {removed} cache entr{'y' if removed == 1 else 'ies'} "
                              f"from {cache_dir()}\n")
        return 0
