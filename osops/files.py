"""Files handled safely: input files read up to a size limit, output
files written only where a regular file (or nothing) is."""

from __future__ import annotations

import os
import stat

from osops.errors import UsageError, printable

MAX_BYTES = 10 * 1024 * 1024  # clouds.yaml, scenarios and cassettes over this are refused at once
KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
         (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symlink"))


class TooBig(UsageError):
    """An input file over :data:`MAX_BYTES` (exit status 2)."""


def read_limited(path: str | os.PathLike[str], what: str) -> bytes:
    """The bytes of the *what* ("scenario", "cassette" ...) file *path*;
    :class:`TooBig`, naming its size, when it is over :data:`MAX_BYTES`.
    OSError when it cannot be read."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size > MAX_BYTES:
            raise _too_big(path, what, f"{size / 1024 / 1024:.1f} MB")
        data = f.read(MAX_BYTES + 1)  # a FIFO or device has no size to check first
    if len(data) > MAX_BYTES:
        raise _too_big(path, what, f"over {MAX_BYTES // 1024 // 1024} MB")
    return data


def _too_big(path, what, size):
    return TooBig(f"{printable(path)} is {size}; a {what} over {MAX_BYTES // 1024 // 1024} MB is refused",
                  f"check that it is the {what} you meant")


def not_regular(path: str | os.PathLike[str]) -> str:
    """What *path* is when it exists and is not a regular file ("a FIFO",
    "a directory" ... as :func:`os.lstat` sees it, so a symlink is one),
    else ''."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return ""
    if stat.S_ISREG(mode):
        return ""
    return next((kind for test, kind in KINDS if test(mode)), "not a regular file")
