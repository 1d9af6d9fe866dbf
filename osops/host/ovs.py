"""Open vSwitch bridges, ports and interface types from ``ovs-vsctl --format=json``."""

import json
import re

from osops.errors import OsopsError
from osops.host import commands
from osops.host.models import Bridge, BridgePort

COLUMNS = (
    ("Bridge", "_uuid,name,ports,datapath_type,datapath_id,stp_enable"),
    ("Port", "_uuid,name,interfaces"),
    ("Interface", "_uuid,name,type,options,external_ids,mtu,admin_state,link_state"),
)
CONNECT_FAILED = re.compile(r"unix:(\S+?): database connection failed \((.+)\)")


class OvsError(OsopsError):
    """Open vSwitch is there but could not be read."""


class OvsPermissionDenied(OvsError):
    """The database socket refused this user."""


class OvsNotRunning(OvsError):
    """ovs-vsctl is installed but no database answers on its socket."""


def available() -> bool:
    """True when ovs-vsctl is installed."""
    return commands.have("ovs-vsctl")


def list_bridges(db: str | None = None) -> list[Bridge]:
    """Open vSwitch bridges with their ports; [] when OVS is not installed.

    *db* is ovs-vsctl's ``--db`` (default: its own, ``$OVS_RUNDIR/db.sock``).
    Raises :class:`OvsPermissionDenied` or :class:`OvsNotRunning` (one-line
    messages saying what to do) when the database cannot be read.
    """
    if not available():
        return []
    argv = ["ovs-vsctl", "--timeout=10", "--format=json"] + ([f"--db={db}"] if db else [])
    for table, columns in COLUMNS:
        argv += ["--", f"--columns={columns}", "list", table]
    done = commands.run(argv, check=False)
    if done.returncode:
        raise failure(done.stderr)
    return parse_tables(done.stdout)


def parse_tables(text: str) -> list[Bridge]:
    """Bridges (sorted by name) from the Bridge, Port and Interface tables,
    one JSON document per line as ``ovs-vsctl --format=json`` prints them.
    A bridge's own internal port is left out, as ``ovs-vsctl list-ports`` does."""
    bridges, ports, interfaces = (_rows(json.loads(line)) for line in text.splitlines() if line.strip())
    ports = {p["_uuid"]: p for p in ports}
    interfaces = {i["_uuid"]: i for i in interfaces}
    bridge_of = {ports[u]["name"]: b["name"] for b in bridges for u in _set(b["ports"]) if u in ports}
    result = []
    for b in bridges:
        members = [ports[u] for u in _set(b["ports"]) if u in ports and ports[u]["name"] != b["name"]]
        result.append(Bridge(
            name=b["name"], type="ovs", bridge_id=_scalar(b.get("datapath_id")) or "",
            stp=bool(_scalar(b.get("stp_enable"))),
            ports=tuple(sorted((_port(p, interfaces, bridge_of) for p in members), key=lambda p: p.name))))
    return sorted(result, key=lambda b: b.name)


def failure(stderr: str) -> OvsError:
    """The :class:`OvsError` that ovs-vsctl's *stderr* means."""
    line = commands.last_line(stderr)
    m = CONNECT_FAILED.search(line)
    if m and m[2] == "Permission denied":
        return OvsPermissionDenied(f"cannot read Open vSwitch: permission denied on {m[1]}",
                                   commands.socket_advice(m[1]))
    if m and m[2] == "No such file or directory":
        return OvsNotRunning(f"Open vSwitch is installed but its database is not running (no {m[1]})",
                             "start it (systemctl start openvswitch-switch)")
    return OvsError(f"ovs-vsctl failed: {line or 'no message'}")


def _port(port, interfaces, bridge_of):
    """A BridgePort; a patch port says which bridge its peer is on
    ("patch to br-ex (peer ...)"), as br-int's to an external bridge."""
    ifaces = [interfaces[u] for u in _set(port["interfaces"]) if u in interfaces]
    if len(ifaces) != 1:
        return BridgePort(name=port["name"], kind="bond" if ifaces else "")
    iface = ifaces[0]
    ids = _map(iface.get("external_ids"))
    kind = iface.get("type") or "system"
    peer = _map(iface.get("options")).get("peer")
    if kind == "patch" and peer:
        kind = f"patch to {bridge_of[peer]} (peer {peer})" if peer in bridge_of else f"patch (peer {peer})"
    return BridgePort(name=iface["name"], kind=kind,
                      state=_scalar(iface.get("link_state")) or _scalar(iface.get("admin_state")) or "",
                      mtu=_scalar(iface.get("mtu")), iface_id=ids.get("iface-id", ""))


def _rows(table):
    return [dict(zip(table["headings"], (_decode(v) for v in row), strict=True)) for row in table["data"]]


def _decode(value):
    """OVSDB JSON to Python: uuids to strings, sets to lists, maps to dicts."""
    if isinstance(value, list) and len(value) == 2 and value[0] in ("uuid", "named-uuid"):
        return value[1]
    if isinstance(value, list) and len(value) == 2 and value[0] == "set":
        return [_decode(v) for v in value[1]]
    if isinstance(value, list) and len(value) == 2 and value[0] == "map":
        return {_decode(k): _decode(v) for k, v in value[1]}
    return value


def _set(value):
    """A column that is a set: OVSDB writes a set of one as the atom itself."""
    return value if isinstance(value, list) else [value]


def _scalar(value):
    """An optional column: the empty set means None."""
    return None if value == [] else value


def _map(value):
    return value if isinstance(value, dict) else {}
