"""Which libvirt domain a ``vnetN`` interface belongs to, through virsh."""

import os

from osops.host import commands


def interfaces(uri=None):
    """{interface: (domain name, domain uuid)} for the running domains;
    {} when virsh is missing or cannot connect.  *uri* defaults to
    ``$LIBVIRT_DEFAULT_URI``, else ``qemu:///system`` (where Nova's are)."""
    if not commands.have("virsh"):
        return {}
    virsh = ["virsh", "-c", uri or os.environ.get("LIBVIRT_DEFAULT_URI") or "qemu:///system"]
    listed = commands.run([*virsh, "list", "--name"], check=False)
    if listed.returncode:
        return {}
    found = {}
    for name in filter(None, (line.strip() for line in listed.stdout.splitlines())):
        uuid = commands.run([*virsh, "domuuid", name], check=False).stdout.strip()
        for iface, _mac in parse_domiflist(commands.run([*virsh, "domiflist", name], check=False).stdout):
            found[iface] = (name, uuid)
    return found


def parse_domiflist(text):
    """[(interface, mac)] from ``virsh domiflist``; interfaces without a
    host device ('-') are left out."""
    rows = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 5 and fields[0] not in ("Interface", "-") and not set(line.strip()) <= {"-"}:
            rows.append((fields[0], fields[4]))
    return rows
