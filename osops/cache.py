"""The token and discovery cache that lets a second command skip auth.

One JSON file per identity (auth URL + user + project + domains) under
``$XDG_CACHE_HOME/osops/`` (``~/.cache/osops/``): the directory is 0700,
each file 0600 and named by a hash of the identity.  A file holds
keystoneauth's own auth state (the token and the catalog that came with
it) and each service's version discovery document (with compute's
microversion range), never the password.

This module imports only the standard library, so ``osops cache clear``
starts as fast as ``osops --help``.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import os
import pathlib
import re
import stat
import tempfile
from collections.abc import Mapping
from typing import Any

FORMAT = 1
SUFFIX = ".json"
ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.json")  # what entry_path() names; nothing else is ours
# A token this close to its expiry is not reused: one that would die
# mid-command costs a re-authentication anyway.
MARGIN = datetime.timedelta(seconds=120)
# The parts of the auth settings that name an identity.  Secrets never
# reach a cache key or file: a cached token is reused only when the secret
# given now matches a salted PBKDF2 digest of the one it was issued for, so
# a wrong or changed password is still refused.
IDENTITY = ("auth_url", "username", "user_id", "user_domain_name", "user_domain_id",
            "project_name", "project_id", "project_domain_name", "project_domain_id",
            "domain_name", "domain_id", "system_scope", "application_credential_id",
            "application_credential_name")
SECRETS = ("password", "application_credential_secret")
ROUNDS = 100_000


def cache_dir() -> pathlib.Path:
    """``$XDG_CACHE_HOME/osops``, or ``~/.cache/osops``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(base) / "osops"


class UnsafeCache(OSError):
    """The cache directory is not safe to use (its one-line reason)."""


def unsafe(directory: str | os.PathLike[str] | None = None) -> str:
    """Why the cache directory may not be used ('' when it may, when it is
    not there yet, or when a file is in its way): a symlink, owned by
    another user, or group- or world-writable."""
    path = pathlib.Path(directory or cache_dir())
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return ""
    except OSError as exc:
        return f"the cache directory {path} cannot be checked ({exc.strerror or exc})"
    if stat.S_ISLNK(info.st_mode):
        return f"the cache directory {path} is a symlink"
    if not stat.S_ISDIR(info.st_mode):
        return ""  # a file in the way: writing fails, and costs only the cache
    if info.st_uid != os.getuid():
        return f"the cache directory {path} belongs to uid {info.st_uid}, not to you (uid {os.getuid()})"
    if info.st_mode & 0o022:
        return f"the cache directory {path} is group- or world-writable (mode {stat.S_IMODE(info.st_mode):o})"
    return ""


def identity(auth_type: str | None, auth: Mapping[str, Any]) -> dict[str, str]:
    """The identity an entry is for: *auth_type* and the non-secret parts of *auth*."""
    found = {k: str(auth[k]) for k in IDENTITY if auth.get(k)}
    if found.get("auth_url"):
        found["auth_url"] = found["auth_url"].rstrip("/")
    return {"auth_type": auth_type or "password", **found}


def entry_path(ident: Mapping[str, str], directory: str | os.PathLike[str] | None = None) -> pathlib.Path:
    """The file of *ident* in *directory* (default :func:`cache_dir`): a SHA-256 of its canonical JSON."""
    digest = hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()
    return pathlib.Path(directory or cache_dir()) / f"{digest}{SUFFIX}"


def secret_of(auth: Mapping[str, Any]) -> str:
    """The secrets in *auth*, as one string (never stored)."""
    return json.dumps({k: str(auth[k]) for k in SECRETS if auth.get(k)}, sort_keys=True)


class Entry:
    """The cached state of one identity (*ident*, given with its *secret*,
    in *directory*): auth state and discovery documents."""

    def __init__(self, ident: dict[str, str], secret: str, directory: str | os.PathLike[str] | None = None) -> None:
        self.identity = ident
        self.path = entry_path(ident, directory)
        self._secret = secret
        self._check: dict[str, Any] | None = None
        self._written: dict[str, Any] | None = None

    def load(self) -> dict[str, Any]:
        """``{"auth_state": str|None, "discovery": {url: [version, ...]}}``.

        An unreadable, foreign, group- or world-readable entry reads as
        empty; the token is left out when it is about to expire or was
        issued for another secret.
        """
        empty: dict[str, Any] = {"auth_state": None, "discovery": {}}
        data = _read_private(self.path)
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("identity") != self.identity:
            return empty
        self._written = data
        state = data.get("auth_state")
        if (not isinstance(state, str) or not _still_valid(data.get("expires_at"))
                or not self._verify(data.get("secret_check"))):
            state = None
        discovery = data.get("discovery") if isinstance(data.get("discovery"), dict) else {}
        return {"auth_state": state, "discovery": discovery}

    def save(self, auth_state: str | None, expires_at: str | None, discovery: Mapping[str, Any]) -> bool:
        """Write the entry (0600, atomically) unless it is unchanged; True when written."""
        if auth_state and self._check is None:
            self._check = _digest(self._secret, os.urandom(16))
        data = {"format": FORMAT, "identity": self.identity, "expires_at": expires_at,
                "secret_check": self._check if auth_state else None,
                "auth_state": auth_state, "discovery": discovery}
        if data == self._written:
            return False
        _write_private(self.path, data)
        self._written = data
        return True

    def _verify(self, check):
        if not isinstance(check, dict) or not isinstance(check.get("salt"), str):
            return False
        try:
            salt = base64.b64decode(check["salt"])
        except ValueError:
            return False
        expected = _digest(self._secret, salt, check.get("rounds", ROUNDS))
        if not hmac.compare_digest(expected["digest"], str(check.get("digest"))):
            return False
        self._check = expected
        return True

    def drop(self) -> None:
        """Forget this identity's token and discovery."""
        self._written = None
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass


def clear(directory: str | os.PathLike[str] | None = None) -> int:
    """Remove every cache entry (only files named as entries are, and
    regular ones); return how many there were.  :class:`UnsafeCache` when
    the directory may not be used (see :func:`unsafe`)."""
    root = pathlib.Path(directory or cache_dir())
    why = unsafe(root)
    if why:
        raise UnsafeCache(why)
    removed = 0
    for path in root.iterdir() if root.is_dir() else ():
        if not ENTRY_NAME.fullmatch(path.name) or not stat.S_ISREG(os.lstat(path).st_mode):
            continue
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed


def _still_valid(expires_at, margin=MARGIN):
    if not isinstance(expires_at, str):
        return False
    try:
        when = datetime.datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when - margin > datetime.datetime.now(datetime.timezone.utc)


def _digest(secret, salt, rounds=ROUNDS):
    rounds = rounds if isinstance(rounds, int) and 1000 <= rounds <= 10_000_000 else ROUNDS
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, rounds)
    return {"salt": base64.b64encode(salt).decode(), "rounds": rounds,
            "digest": base64.b64encode(digest).decode()}


def _private_dir(path):
    """Make *path* and its missing parents, each 0700 whatever the umask
    (an existing parent is left as it is); refuse an unsafe *path*."""
    missing = []
    for parent in [path, *path.parents]:
        if os.path.lexists(parent):
            break
        missing.append(parent)
    for directory in reversed(missing):
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            pass
    why = unsafe(path)
    if why:
        raise UnsafeCache(why)
    if stat.S_IMODE(os.lstat(path).st_mode) != 0o700:
        os.chmod(path, 0o700)


def _read_private(path):
    """JSON from *path* if it is ours and 0600, else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            return None
        try:
            return json.loads(f.read())
        except ValueError:
            return None


def _write_private(path, data):
    _private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
