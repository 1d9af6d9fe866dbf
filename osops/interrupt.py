"""SIGTERM handled like Ctrl-C, so that what a command created is cleaned up."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; *name* says which.  A KeyboardInterrupt,
    so everything that handles Ctrl-C handles SIGTERM the same way."""

    def __init__(self, name: str = "SIGINT") -> None:
        super().__init__(name)
        self.name = name
        self.exit_code = 128 + (signal.SIGTERM if name == "SIGTERM" else signal.SIGINT)


def name_of(exc: BaseException) -> str:
    """"SIGTERM" or "SIGINT" for an interrupt *exc*."""
    return getattr(exc, "name", "SIGINT")


@contextlib.contextmanager
def on_signals() -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM raise :class:`Interrupted`
    in the main thread (elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        raise Interrupted("SIGTERM" if signum == signal.SIGTERM else "SIGINT")

    old = {signum: signal.signal(signum, handle) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in old.items():
            signal.signal(signum, handler)
