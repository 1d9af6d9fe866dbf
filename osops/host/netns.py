"""Network namespaces: valid names, which exist, entering one, and finding
the one Neutron made for a network (``qdhcp-<net id>``, ``ovnmeta-<net id>``
with ML2/OVN, ``qrouter-<router id>``) or one on an external network."""

import ctypes
import ipaddress
import json
import os
from collections.abc import Callable, Iterable, Sequence

from osops.errors import OsopsError, UsageError

NETNS_DIR = "/run/netns"
CLONE_NEWNET = 0x40000000
NAME_MAX = 255


def check_name(name: str) -> str:
    """Return *name* if ``ip netns`` could use it, else raise UsageError."""
    if not isinstance(name, str) or not name or name in (".", "..") or "/" in name \
            or "\0" in name or len(name.encode("utf-8", "surrogateescape")) > NAME_MAX:
        raise UsageError(f"not a network namespace name: {name!r} (names are what "
                         "'ip netns list' shows, without '/')")
    return name


def path(name: str) -> str:
    """The file ``ip netns`` keeps for namespace *name*."""
    return os.path.join(NETNS_DIR, check_name(name))


def list_namespaces() -> list[str]:
    """Names of the namespaces ``ip netns`` knows, sorted."""
    try:
        return sorted(os.listdir(NETNS_DIR))
    except (FileNotFoundError, NotADirectoryError):
        return []


def exists(name: str) -> bool:
    """True when namespace *name* exists."""
    return os.path.exists(path(name))


def enter(name: str) -> None:
    """Move the calling thread into namespace *name* (needs CAP_SYS_ADMIN).

    Meant for a process of its own (see ``osops.host.netns_worker``);
    failures are one-line :class:`OsopsError` messages.
    """
    try:
        fd = os.open(path(name), os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise OsopsError(missing(name)) from None
    try:
        _setns(fd)
    except PermissionError:
        raise OsopsError(f"entering namespace {name} needs root (CAP_SYS_ADMIN)", "run with sudo") from None
    finally:
        os.close(fd)


def missing(name: str) -> str:
    """The one-line reason for a namespace that is not there."""
    return f"namespace {name} does not exist on this host (see 'ip netns list')"


def for_network(network_id: str, router_ids: Iterable[str] = (),
                namespaces: Iterable[str] | None = None) -> str | None:
    """The namespace to reach *network_id* from: its ``qdhcp-`` namespace,
    else its ``ovnmeta-`` one (ML2/OVN's metadata namespace), else the
    ``qrouter-`` one of a router in *router_ids*; None when this host has
    none of them."""
    namespaces = set(list_namespaces() if namespaces is None else namespaces)
    for name in [f"qdhcp-{network_id}", f"ovnmeta-{network_id}", *(f"qrouter-{r}" for r in router_ids)]:
        if name in namespaces:
            return name
    return None


def on_subnet_of(address: str, namespaces: Iterable[str],
                 run: Callable[[Sequence[str]], str]) -> str | None:
    """The first of *namespaces* with an interface address on the same
    subnet as *address* (say a floating IP, from the namespace that is the
    external network's outside), or None.  *run(argv)* runs a command and
    returns its output ('' when it failed)."""
    wanted = ipaddress.ip_address(address)
    for name in namespaces:
        try:
            links = json.loads(run(["ip", "-j", "-n", name, "addr", "show"]) or "[]")
        except ValueError:
            continue
        for info in (i for link in links for i in link.get("addr_info", ())):
            try:
                if wanted in ipaddress.ip_interface(f"{info['local']}/{info['prefixlen']}").network:
                    return name
            except (KeyError, ValueError):
                continue
    return None


def _setns(fd):
    if hasattr(os, "setns"):  # Python 3.12+
        os.setns(fd, CLONE_NEWNET)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))  # EPERM makes a PermissionError
