"""The errors osops raises, and the text helpers their messages use.

Everything osops raises on purpose is an :class:`OsopsError` whose ``str()``
is one line fit for a user: what went wrong and what to do about it.  What
the SDK, keystoneauth or requests raise becomes one in :mod:`osops.explain`.
"""

from __future__ import annotations

import re

URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):[^@\s/]*@")


class OsopsError(Exception):
    """A failure with a message fit for a user; exit status 1.

    *problem* says what went wrong and *fix* what to do about it (empty
    when the problem says it all); ``str()`` is the one line a user sees,
    the two joined by "; "."""

    exit_code = 1

    def __init__(self, problem: str = "", fix: str = "") -> None:
        problem, fix = mask_passwords(problem), mask_passwords(fix)
        super().__init__(f"{problem}; {fix}" if fix else problem)
        self.problem, self.fix = problem, fix


class UsageError(OsopsError):
    """Bad input on the command line or in a file; exit status 2."""

    exit_code = 2


class NotFound(OsopsError):
    """No resource matched a name or id."""


class Ambiguous(OsopsError):
    """Several resources matched a name; the message lists them."""


class ServerFailed(OsopsError):
    """A server went to ERROR; the message carries Nova's fault."""


class Timeout(OsopsError):
    """A wait ran out of time."""


def mask_passwords(text: object) -> str:
    """*text* with the password of every URL in it (``http://user:pw@host``) as ``***``."""
    return URL_PASSWORD.sub(r"\1:***@", str(text))


def printable(text: object) -> str:
    """*text* as it can stand in a one-line message (repr when it cannot)."""
    text = "" if text is None else str(text)
    return text if text and text.isprintable() and text.strip() == text else repr(text)
