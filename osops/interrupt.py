"""SIGTERM handled like Ctrl-C, so that what a command created is cleaned up."""

import contextlib
import signal
import threading


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; *name* says which.  A KeyboardInterrupt,
    so everything that handles Ctrl-C handles SIGTERM the same way."""

    def __init__(self, name="SIGINT"):
        super().__init__(name)
        self.name = name
        self.exit_code = 128 + (signal.SIGTERM if name == "SIGTERM" else signal.SIGINT)


def name_of(exc):
    """"SIGTERM" or "SIGINT" for an interrupt *exc*."""
    return getattr(exc, "name", "SIGINT")


@contextlib.contextmanager
def on_signals():
    """While the block runs, SIGINT and SIGTERM raise :class:`Interrupted`
    in the main thread (elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum, frame):
        raise Interrupted("SIGTERM" if signum == signal.SIGTERM else "SIGINT")

    old = {signum: signal.signal(signum, handle) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in old.items():
            signal.signal(signum, handler)
