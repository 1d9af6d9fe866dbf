"""OVN, on a host where it runs (ML2/OVN, today's devstack default): the
northbound and southbound databases answer, ovn-northd and ovn-controller
run and are connected, this host's chassis is in the southbound database
with the bridge mappings Neutron's external networks need, and the OVN
metadata agent is alive.  A database or daemon this user may not read is
said to be unreadable (permission denied), never guessed at.

Only the standard library is imported here, as in :mod:`osops.doctor.host`.
"""

import os
import shutil
import subprocess

from osops.doctor.core import FAIL, OK, WARN, Check, Context, Skip, check

SUDO = "run osops doctor with sudo (the OVN sockets are root's)"
METADATA_AGENT = "OVN Metadata agent"
TIMEOUT = "--timeout=5"


def _sbin_path():
    return os.environ.get("PATH", os.defpath) + ":/usr/local/sbin:/usr/sbin:/sbin"


def tool(*argv: str) -> tuple[int | None, str, str]:
    """(exit status, stdout, last stderr line) of an OVS/OVN tool; (None,
    '', why) when it is not installed or does not end."""
    path = shutil.which(argv[0], path=_sbin_path())
    if not path:
        return None, "", f"{argv[0]} is not installed"
    try:
        done = subprocess.run([path, *argv[1:]], capture_output=True, text=True, timeout=15,
                              env=dict(os.environ, LC_ALL="C"))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, "", f"{argv[0]}: {exc}"
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    return done.returncode, done.stdout.strip(), lines[-1] if lines else f"exit {done.returncode}"


def running(name: str, proc: str = "/proc") -> list[int]:
    """PIDs of processes whose program (or script, for Python) is *name*."""
    found = []
    for pid in os.listdir(proc):
        if not pid.isdigit():
            continue
        try:
            with open(os.path.join(proc, pid, "cmdline"), "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        names = {os.path.basename(a.decode(errors="replace")) for a in argv[:2] if a}
        if name in names:
            found.append(int(pid))
    return found


def ovs_setting(key: str) -> str:
    """This host's Open vSwitch ``external_ids:KEY``, '' when unset or unreadable."""
    code, out, _ = tool("ovs-vsctl", TIMEOUT, "--if-exists", "get", "Open_vSwitch", ".", f"external_ids:{key}")
    return out.strip('"') if code == 0 else ""


def unreadable(why: str) -> bool:
    """Does the tool's complaint *why* say it may not read the database?"""
    return "Permission denied" in why or "Operation not permitted" in why


def elsewhere(why: str) -> bool:
    """The tool found no socket where it looked (OVN runs with its sockets elsewhere)."""
    return "No such file or directory" in why


FIND_DB = ("point OVN_RUNDIR at the folder of ovnnb_db.sock and ovnsb_db.sock "
           "(or OVN_NB_DB / OVN_SB_DB at the databases)")


@check("OVN")
def ovn_checks(ctx: Context) -> list[Check]:
    """The OVN rows, where OVN runs on this host."""
    controllers, remote = running("ovn-controller"), ovs_setting("ovn-remote")
    central = running("ovn-northd")
    if not (controllers or remote or central):
        raise Skip("OVN does not run here (no ovn-northd or ovn-controller, no ovn-remote in Open vSwitch)")
    rows = []
    if central or _local_db("ovn-nbctl"):
        rows.append(database("OVN northbound", "ovn-nbctl", ()))
    rows.append(database("OVN southbound", "ovn-sbctl", () if central or not remote else (f"--db={remote}",)))
    rows.append(northd(central))
    rows.append(controller(controllers))
    rows.append(chassis(ctx, remote))
    rows.append(metadata_agent(ctx))
    return rows


def _local_db(ctl):
    """Does *ctl*'s default database socket exist here?"""
    rundir = os.environ.get("OVN_RUNDIR") or "/run/ovn"
    name = "ovnnb_db.sock" if ctl == "ovn-nbctl" else "ovnsb_db.sock"
    return os.path.exists(os.path.join(rundir, name)) or os.path.exists(os.path.join("/var/run/ovn", name))


def database(name: str, ctl: str, db: tuple[str, ...]) -> Check:
    """Does the database *ctl* (ovn-nbctl, ovn-sbctl) reaches, with its options *db*, answer?"""
    table = "NB_Global" if ctl == "ovn-nbctl" else "SB_Global"
    code, _, why = tool(ctl, TIMEOUT, *db, "--bare", "--columns=_uuid", "list", table)
    if code == 0:
        return Check(name, OK, "answers")
    if code is not None and unreadable(why):
        return Check(name, WARN, f"could not read it: {why}", SUDO)
    if code is not None and elsewhere(why):
        return Check(name, WARN, f"not found where {ctl} looks: {why}", FIND_DB)
    return Check(name, FAIL, f"does not answer: {why}", f"start it (its ovsdb-server), or {FIND_DB}")


def northd(pids: list[int]) -> Check:
    if not pids:
        return Check("ovn-northd", FAIL, "not running: the southbound database never learns of new ports",
                     "start ovn-northd (systemctl start ovn-northd, or ovn-ctl start_northd)")
    code, out, why = tool("ovn-appctl", TIMEOUT, "-t", "ovn-northd", "status")
    if code == 0:
        return Check("ovn-northd", OK, f"running (pid {pids[0]}), {out.lower()}")
    if unreadable(why):
        return Check("ovn-northd", WARN, f"running (pid {pids[0]}); could not ask it: {why}", SUDO)
    return Check("ovn-northd", OK, f"running (pid {pids[0]}); its status is not readable ({why})")


def controller(pids: list[int]) -> Check:
    if not pids:
        return Check("ovn-controller", FAIL,
                     "not running: ports on this host are never bound, get no DHCP and pass no traffic",
                     "start ovn-controller (systemctl start ovn-controller, or ovn-ctl start_controller)")
    code, out, why = tool("ovn-appctl", TIMEOUT, "-t", "ovn-controller", "connection-status")
    if code == 0 and out == "connected":
        return Check("ovn-controller", OK, f"running (pid {pids[0]}), connected to the southbound database")
    if code == 0:
        return Check("ovn-controller", FAIL, f"running (pid {pids[0]}) but {out or 'not connected'} "
                     "to the southbound database", "check external_ids:ovn-remote in Open vSwitch "
                     "(ovs-vsctl get Open_vSwitch . external_ids:ovn-remote) and that the database answers")
    if unreadable(why):
        return Check("ovn-controller", WARN, f"running (pid {pids[0]}); could not ask it: {why}", SUDO)
    return Check("ovn-controller", WARN, f"running (pid {pids[0]}); its connection is not readable ({why})")


def chassis(ctx: Context, remote: str) -> Check:
    """This host's chassis in the southbound database, and its bridge mappings."""
    system_id = ovs_setting("system-id")
    if not system_id:
        return Check("OVN chassis", FAIL, "Open vSwitch has no external_ids:system-id: ovn-controller "
                     "cannot register this host", "ovs-vsctl set Open_vSwitch . external_ids:system-id=$(hostname)")
    db = () if _local_db("ovn-sbctl") or not remote else (f"--db={remote}",)
    code, out, why = tool("ovn-sbctl", TIMEOUT, *db, "--bare", "--columns=hostname", "find", "Chassis",
                          f"name={system_id}")
    if code is None or code:
        result = WARN if code is not None and (unreadable(why) or elsewhere(why)) else FAIL
        fix = SUDO if unreadable(why) else FIND_DB if elsewhere(why) else ""
        return Check("OVN chassis", result, f"could not look up chassis {system_id}: {why}", fix)
    if not out:
        return Check("OVN chassis", FAIL, f"chassis {system_id} is not in the southbound database",
                     "ovn-controller registers it when it starts and connects: check that it runs")
    mappings = dict(item.split(":", 1) for item in ovs_setting("ovn-bridge-mappings").split(",") if ":" in item)
    needed = external_physnets(ctx)
    unmapped = sorted(p for p in needed if p not in mappings)
    if unmapped:
        return Check("OVN chassis", FAIL, f"chassis {system_id} ({out}) maps no bridge for physical network "
                     f"{', '.join(unmapped)} of Neutron's external networks: routers get no gateway here",
                     f"ovs-vsctl set Open_vSwitch . external_ids:ovn-bridge-mappings={unmapped[0]}:br-ex "
                     "(with the bridge made: ovs-vsctl add-br br-ex)")
    mapped = ", ".join(f"{p}:{b}" for p, b in sorted(mappings.items())) or "no bridge mappings"
    return Check("OVN chassis", OK, f"{system_id} ({out}) registered; {mapped}")


def external_physnets(ctx: Context) -> set[str]:
    """The physical networks of Neutron's external networks ({} when they cannot be read)."""
    try:
        return {n.provider_physical_network for n in ctx.conn.network.networks(is_router_external=True)
                if n.provider_physical_network}
    except Exception:
        return set()


def metadata_agent(ctx: Context) -> Check:
    try:
        agents = [a for a in ctx.agents() if a.agent_type == METADATA_AGENT]
    except Skip:
        raise
    except Exception:
        agents = None
    local = running("neutron-ovn-metadata-agent")
    if agents is None or not (agents or ctx.is_admin):
        if local:
            return Check("OVN metadata agent", OK, f"running here (pid {local[0]}); Neutron's view needs admin")
        raise Skip("no OVN metadata agent runs here, and Neutron's agents need admin to list")
    alive = [a for a in agents if a.is_alive]
    if not agents:
        return Check("OVN metadata agent", FAIL, "Neutron knows of no OVN metadata agent: servers get no "
                     "metadata (no SSH key, no user data)", "start neutron-ovn-metadata-agent on each compute host")
    if not alive:
        return Check("OVN metadata agent", FAIL, f"{len(agents)} known, none alive (hosts "
                     f"{', '.join(sorted(a.host or '?' for a in agents))})",
                     "restart neutron-ovn-metadata-agent and read its log")
    return Check("OVN metadata agent", OK, f"alive on {', '.join(sorted(a.host or '?' for a in alive))}")
