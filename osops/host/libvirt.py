"""Which libvirt domain a ``vnetN`` interface belongs to, through virsh."""

import os
import re

from osops.errors import OsopsError
from osops.host import commands

SOCKET_FAILED = re.compile(r"Failed to connect socket to '(.+)': (.+)")


class VirshError(OsopsError):
    """virsh is installed but could not ask libvirt."""


def interfaces(uri: str | None = None) -> dict[str, tuple[str, str]]:
    """{interface: (domain name, domain uuid)} for the running domains;
    {} when virsh is missing.  *uri* defaults to ``$LIBVIRT_DEFAULT_URI``,
    else ``qemu:///system`` (where Nova's are).  Raises :class:`VirshError`
    (one line saying what to do) when virsh cannot connect, start or finish."""
    if not commands.have("virsh"):
        return {}
    uri = uri or os.environ.get("LIBVIRT_DEFAULT_URI") or "qemu:///system"
    listed = _virsh(uri, "list", "--name")
    if listed.returncode:
        raise failure(uri, listed.stderr)
    found = {}
    for name in filter(None, (line.strip() for line in listed.stdout.splitlines())):
        uuid = _virsh(uri, "domuuid", name).stdout.strip()
        for iface, _mac in parse_domiflist(_virsh(uri, "domiflist", name).stdout):
            found[iface] = (name, uuid)
    return found


def _virsh(uri, *args):
    """``virsh -c URI ARGS`` (CompletedProcess, any exit status); a virsh
    that cannot start or does not finish is a :class:`VirshError`."""
    try:
        return commands.run(["virsh", "-c", uri, *args], check=False)
    except OsopsError as exc:
        raise VirshError(f"cannot ask libvirt whose vnet ports these are: {exc}") from exc


def failure(uri: str, stderr: str) -> VirshError:
    """The :class:`VirshError` that virsh's *stderr* means."""
    line = re.sub(r"^error: ", "", commands.last_line(stderr)) or "no message"
    m = SOCKET_FAILED.search(line)
    if m and m[2] == "Permission denied":
        advice = commands.socket_advice(m[1])
    elif m and m[2] in ("No such file or directory", "Connection refused"):
        advice = "is libvirtd running? (systemctl start libvirtd)"
    else:
        advice = "check the URI (-c, or LIBVIRT_DEFAULT_URI)"
    return VirshError(f"cannot ask libvirt whose vnet ports these are (virsh -c {uri}: {line})", advice)


def parse_domiflist(text: str) -> list[tuple[str, str]]:
    """[(interface, mac)] from ``virsh domiflist``; interfaces without a
    host device ('-') are left out."""
    rows = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 5 and fields[0] not in ("Interface", "-") and not set(line.strip()) <= {"-"}:
            rows.append((fields[0], fields[4]))
    return rows
