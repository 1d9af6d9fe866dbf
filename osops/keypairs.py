"""Keypairs: generate one here (the private key never leaves this host) or
import a public key; list and delete them.

A generated key is Ed25519, its private half written in OpenSSH's format
(``ssh -i FILE`` takes it) with mode 0600, never over an existing file;
by default to ``~/.ssh/osops-NAME``.  Nova is given the public key only.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from osops.errors import OsopsError, UsageError, printable
from osops.files import read_limited
from osops.models import Keypair
from osops.resolve import resolve_many

if TYPE_CHECKING:
    from openstack.connection import Connection

MAX_NAME = 255  # Nova's limit


def list_keypairs(conn: Connection) -> list[Keypair]:
    """The user's keypairs, one list call."""
    return [Keypair.from_sdk(k) for k in conn.compute.keypairs()]


def default_private_key_file(name: str) -> str:
    """Where ``keypair create NAME`` writes the private key unless told: ~/.ssh/osops-NAME."""
    return str(pathlib.Path.home() / ".ssh" / f"osops-{name}")


def create_keypair(conn: Connection, name: str, private_key_file: str | None = None,
                   public_key_file: str | None = None, comment: str | None = None) -> Keypair:
    """Keypair *name* from the public key in *public_key_file*, or else
    from a key generated here, whose private half goes to
    *private_key_file* (default :func:`default_private_key_file`) with
    mode 0600 and whose public key ends with *comment* (default
    ``osops NAME``).

    A file already at that path, or a bad name or public key, is a
    UsageError before anything is created; a keypair of that name is an
    error naming it (and the private key written for it is removed).
    """
    check_name(name)
    if public_key_file is not None:
        if private_key_file is not None:
            raise UsageError("--private-key and --public-key: an imported key's private half stays where it is",
                             "give --public-key FILE alone, or --private-key FILE alone to generate a key")
        return _import(conn, name, read_public_key(public_key_file))
    path = private_key_file or default_private_key_file(name)
    _check_free(path)
    private, public = generate(comment or f"osops {name}")
    _write_private(path, private, made_directory=private_key_file is None)
    try:
        made = _import(conn, name, public)
    except BaseException:
        os.unlink(path)  # ours, written a moment ago: no key is left for a keypair that is not there
        raise
    return Keypair(made.name, made.fingerprint, made.type, made.public_key, made.user_id, made.created, path)


def delete_keypairs(conn: Connection, names: Sequence[str]) -> list[Keypair]:
    """Delete the keypairs *names* name (each resolved by the one name
    rule from one list call, all before any is deleted)."""
    doomed = list(dict.fromkeys(resolve_many("keypair", names, list_keypairs(conn))))
    remove_keypairs(conn, doomed)
    return doomed


def remove_keypairs(conn: Connection, keypairs: Sequence[Keypair]) -> None:
    """Delete *keypairs* (those already gone are fine)."""
    for keypair in keypairs:
        conn.compute.delete_keypair(keypair.name, ignore_missing=True)


def generate(comment: str) -> tuple[bytes, str]:
    """A new Ed25519 key: (its private key in OpenSSH's format, its public
    key line ``ssh-ed25519 AAAA... COMMENT``)."""
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.OpenSSH, ser.NoEncryption())
    public = key.public_key().public_bytes(ser.Encoding.OpenSSH, ser.PublicFormat.OpenSSH).decode()
    return private, f"{public} {comment}".strip()


def read_public_key(path: str) -> str:
    """The OpenSSH public key line in the file *path*; UsageError when it
    cannot be read or holds no such key (a private key is refused by name)."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization as ser

    try:
        text = read_limited(path, "public key").decode("ascii").strip()
    except OSError as exc:
        raise UsageError(f"--public-key {printable(path)}: {exc.strerror or exc}", "give a public key file") from None
    except UnicodeDecodeError:
        text = ""
    if "PRIVATE KEY" in text:
        raise UsageError(f"--public-key {printable(path)} is a private key",
                         "give its .pub file (ssh-keygen -y -f KEY prints it)")
    try:
        ser.load_ssh_public_key(text.encode())
    except (ValueError, UnsupportedAlgorithm):
        raise UsageError(f"--public-key {printable(path)} holds no OpenSSH public key",
                         "give a file as ssh-keygen writes them (ssh-ed25519 AAAA... or ssh-rsa AAAA...)") from None
    return text


def check_name(name: str) -> str:
    """*name*, or UsageError unless Nova would take it as a keypair name and
    it can be part of a file name (no slash)."""
    if not (isinstance(name, str) and name.strip() == name and 0 < len(name) <= MAX_NAME
            and name.isprintable() and "/" not in name and name not in (".", "..")):
        raise UsageError(f"{printable(name)} cannot be a keypair name",
                         "use letters, digits, spaces, _ and - (up to 255)")
    return name


def _import(conn, name, public_key):
    from openstack import exceptions

    try:
        return Keypair.from_sdk(conn.compute.create_keypair(name=name, public_key=public_key))
    except exceptions.ConflictException:
        raise OsopsError(f"a keypair {name!r} exists already",
                         f"delete it first (osops keypair delete {name}) or choose another name") from None


def _check_free(path):
    """UsageError when something is at *path* already: a key is never written over."""
    if os.path.lexists(path):
        raise UsageError(f"{printable(path)} exists already; osops never writes a key over a file",
                         "give --private-key NEWFILE, or move that file away")


def _write_private(path, private, made_directory):
    """Write *private* to the new file *path*, mode 0600 (O_EXCL: never
    over a file); with *made_directory*, make its directory (mode 0700)."""
    directory = os.path.dirname(os.path.abspath(path))
    if made_directory:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        _check_free(path)
        raise
    except OSError as exc:
        raise UsageError(f"cannot write the private key to {printable(path)}: {exc.strerror or exc}",
                         "give --private-key FILE in a directory you can write") from None
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o600)  # whatever the umask
            f.write(private)
    except BaseException:
        os.unlink(path)
        raise
