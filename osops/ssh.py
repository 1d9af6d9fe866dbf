"""SSH into a server the way ``osops ping`` reaches it, with a known_hosts
file of osops's own.

The address is the server's floating IP, else its fixed one, entered from
the network's ``qdhcp-``/``ovnmeta-``/``qrouter-`` namespace on this host
when this host has no route to it (:func:`osops.host.targets.server_targets`
with ``netns="auto"``).  The user comes from the image (``os_admin_user``,
``default_user``; ``cirros`` for a CirrOS image) unless one is given.

Cloud addresses are reused: osops remembers which server each address in
its known_hosts file belonged to, and forgets the host key of an address
that now belongs to another server (an info line says so).  For the same
server a changed key is refused, as ssh refuses it.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import pathlib
import stat
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from osops.errors import OsopsError, UsageError, printable
from osops.host.models import Target
from osops.models import Server

if TYPE_CHECKING:
    from openstack.connection import Connection

LOG = logging.getLogger("osops")
ADDRESS_TYPES = ("any", "fixed", "floating")
CONNECT_TIMEOUT = 10  # seconds ssh tries to connect
SSH_FAILED = 255  # ssh's own exit status for a connection it could not make
USER_PROPERTIES = ("os_admin_user", "default_user")


@dataclass(frozen=True)
class Reach:
    """How to reach a server by SSH: its *address*, the namespace to enter
    first (*netns*, None: from this host) and the *user* to log in as."""

    server: Server
    address: str
    netns: str | None
    user: str

    @property
    def where(self) -> str:
        """``cirros@10.0.0.5 (from ovnmeta-...)``."""
        return f"{self.user}@{self.address}" + (f" (from {self.netns})" if self.netns else "")


def state_dir() -> pathlib.Path:
    """``$XDG_STATE_HOME/osops``, or ``~/.local/state/osops``."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return pathlib.Path(base) / "osops"


def known_hosts_path() -> pathlib.Path:
    """osops's own known_hosts file (the one ``osops ssh`` gives ssh)."""
    return state_dir() / "known_hosts"


def login_user(image_name: str, properties: dict, user: str | None = None) -> str:
    """The user to log in as: *user* when given, else the image's
    ``os_admin_user`` or ``default_user`` property, else ``cirros`` for a
    CirrOS image; UsageError when none of them says."""
    if user:
        if user.startswith("-") or not user.isprintable() or any(c in user for c in " @"):
            raise UsageError(f"not a user name: {printable(user)}", "give --user NAME")
        return user
    for key in USER_PROPERTIES:
        value = properties.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    if "cirros" in (image_name or "").lower():
        return "cirros"
    shown = printable(image_name) if image_name else "(no image: booted from a volume?)"
    raise UsageError(f"no known login user for image {shown}: it sets neither os_admin_user nor default_user",
                     "give --user USER (ubuntu, debian, cloud-user, ec2-user ...)")


def image_login(conn: Connection, server: Server) -> tuple[str, dict]:
    """(image name, its properties) of *server*'s image; ("", {}) when it
    has none or the image is gone."""
    from openstack.exceptions import NotFoundException

    if not server.image_id:
        return "", {}
    try:
        image = conn.image.get_image(server.image_id)
    except NotFoundException:
        return server.image if server.image != server.image_id else "", {}
    properties = dict(image.properties or {})
    if image.os_admin_user:
        properties.setdefault("os_admin_user", image.os_admin_user)
    return image.name or "", properties


def check_identity(path: str) -> str:
    """*path* when it is a private key file ssh will use: it exists and no
    one but its owner may read it; UsageError saying the fix otherwise."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise UsageError(f"--identity {printable(path)}: {exc.strerror}", "give the private key file") from None
    if not stat.S_ISREG(mode):
        raise UsageError(f"--identity {printable(path)} is not a file", "give the private key file")
    if mode & 0o077:
        raise UsageError(f"--identity {printable(path)} may be read by others (mode {stat.S_IMODE(mode):04o}): "
                         "ssh refuses such a key", f"chmod 600 {path}")
    return path


def reach(conn: Connection, server: Server, address_type: str = "any", user: str | None = None) -> Reach:
    """How to reach *server*: the address :func:`address_of` picks (of
    *address_type*) and the user (*user*, else the image's)."""
    target = address_of(conn, server, address_type)
    name, properties = image_login(conn, server) if not user else ("", {})
    return Reach(server, target.address, target.netns, login_user(name, properties, user))


def address_of(conn: Connection, server: Server, address_type: str = "any") -> Target:
    """The :class:`~osops.host.models.Target` to reach *server* at: its
    floating address first (with *address_type* ``any``), IPv4 first, from
    the namespace ``--netns auto`` picks; OsopsError when no address of it
    can be reached from this host."""
    from osops.host import targets

    if address_type not in ADDRESS_TYPES:
        raise UsageError(f"--address-type must be one of {', '.join(ADDRESS_TYPES)}, not {address_type!r}")
    found = targets.server_targets(conn, [server], address_type, targets.AUTO)
    kinds = {a.addr: (a.type != "floating", a.version) for a in server.addresses}
    usable = sorted((t for t in found if not t.error), key=lambda t: kinds.get(t.address, (True, 9)))
    if not usable:
        why = "; ".join(dict.fromkeys(t.error for t in found)) or f"{server.name} has no address"
        raise Unreachable(f"cannot reach {printable(server.name)} from this host: {why}",
                          f"give it a floating IP, or run osops on its network node (osops diagnose {server.name})")
    return usable[0]


class Unreachable(OsopsError):
    """No address of a server can be reached from this host."""


def forget_reused(address: str, server_id: str, path: pathlib.Path | None = None) -> str | None:
    """Before connecting to *address* as server *server_id*: when the
    known_hosts file at *path* remembers *address* as another server's,
    drop its host key lines; remember *address* as *server_id*'s.
    Returns the other server's id when a key was forgotten.  Runs at once
    (``osops smoke`` on several clouds) take turns: a lock file beside it."""
    path = path or known_hosts_path()
    _private_dir(path.parent)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _forget_reused(address, server_id, path)


def _forget_reused(address, server_id, path):
    owners_path = path.with_name(path.name + ".servers.json")
    try:
        owners = json.loads(owners_path.read_text())
    except (OSError, ValueError):
        owners = {}
    owners = owners if isinstance(owners, dict) else {}
    before = owners.get(address)
    forgotten = None
    if before and before != server_id and path.exists():
        lines = path.read_text().splitlines(keepends=True)
        kept = [line for line in lines if not _names(line, address)]
        if len(kept) != len(lines):
            _write(path, "".join(kept))
            forgotten = before
    if before != server_id:
        owners[address] = server_id
        _write(owners_path, json.dumps(owners, indent=1, sort_keys=True) + "\n")
    return forgotten


def ssh_argv(target: Reach, known_hosts: pathlib.Path, identity: str | None = None,
             command: Sequence[str] = (), batch: bool = False) -> list[str]:
    """The command line that runs ssh to *target* (inside ``ip netns exec
    NS`` when it has a namespace), with osops's *known_hosts* only and the
    private key *identity* when given, then *command* (none: a login
    shell).  *batch*: never ask for a password."""
    argv = ["ssh", "-o", f"UserKnownHostsFile={known_hosts}", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=accept-new", "-o", "HashKnownHosts=no",
            "-o", f"ConnectTimeout={CONNECT_TIMEOUT}", "-l", target.user]
    if identity:
        argv += ["-i", identity, "-o", "IdentitiesOnly=yes"]
    if batch:
        argv += ["-o", "BatchMode=yes"]
    argv += ["--", target.address, *command]
    return ["ip", "netns", "exec", target.netns, *argv] if target.netns else argv


def check_command(words: Sequence[str]) -> list[str]:
    """The remote command's words (after ``--``), as ssh sends them
    (joined by spaces, for the remote shell); UsageError for a word with a
    NUL character, which no command line can carry."""
    words = list(words)
    if words and words[0] == "--":
        words = words[1:]
    for word in words:
        if "\0" in word:
            raise UsageError("the remote command has a NUL character", "give the command as plain words after --")
    return words


def run(conn: Connection, server: Server, command: Sequence[str] = (), *, user: str | None = None,
        identity: str | None = None, address_type: str = "any", batch: bool = False,
        capture: bool = False, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ssh to *server* (a :class:`~osops.models.Server`) with *command*
    and return the finished process (its returncode the remote command's
    status; with *capture*, its output as text).  ssh's own failure (exit
    255: no connection, a refused key, a changed host key) is an
    :class:`SshFailed`; so is a *timeout* (seconds) that runs out.  The
    address and *user* are :func:`reach`'s (of *address_type*); *identity*
    a private key file; *batch* never asks for a password."""
    words = check_command(command)
    if identity:
        check_identity(identity)
    target = reach(conn, server, address_type, user)
    known = known_hosts_path()
    _private_dir(known.parent)
    old = forget_reused(target.address, server.id, known)
    if old:
        LOG.info("%s now belongs to %s (it was server %s's): its old host key is forgotten",
                 target.address, printable(server.name), old)
    argv = ssh_argv(target, known, identity, words, batch)
    LOG.debug("running %s", " ".join(argv))
    try:
        done = subprocess.run(argv, capture_output=capture, text=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL if batch or capture else None)
    except subprocess.TimeoutExpired:
        raise SshFailed(f"ssh {target.where} did not finish in {timeout:g} s", "", target) from None
    except FileNotFoundError as exc:
        raise OsopsError(f"{exc.filename or argv[0]} is not installed",
                         "install openssh-client (and iproute2 for namespaces)") from None
    if done.returncode == SSH_FAILED:
        said = _last_line(done.stderr) if capture else "its message is above"
        raise SshFailed(f"ssh could not log in to {target.where} ({said})",
                        f"is it up and does its security group allow SSH? osops ping {server.name}; "
                        f"osops diagnose {server.name}", target)
    return done


class SshFailed(OsopsError):
    """ssh itself failed (exit 255), or the remote command ran too long."""

    exit_code = SSH_FAILED

    def __init__(self, problem: str, fix: str, target: Reach) -> None:
        super().__init__(problem, fix)
        self.target = target


def _names(line: str, address: str) -> bool:
    """True when known_hosts *line* is a key of *address* (plain, or ``[address]:port``)."""
    fields = line.split()
    if not fields or fields[0].startswith("#"):
        return False
    hosts = fields[1] if fields[0].startswith("@") and len(fields) > 1 else fields[0]
    return any(h == address or h.startswith(f"[{address}]:") for h in hosts.split(","))


def _private_dir(path: pathlib.Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def _write(path: pathlib.Path, text: str) -> None:
    _private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600, its own
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _last_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
