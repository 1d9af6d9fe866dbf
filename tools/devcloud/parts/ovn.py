"""Open vSwitch and OVN: the cloud's networking in its default mode (ML2/OVN).

Makes, all under the state directory: the Open vSwitch database
(``data/ovs/conf.db``) and ovs-vswitchd, OVN's northbound and southbound
databases (``data/ovn/``), ovn-northd and ovn-controller, their sockets in
``run/ovs`` and ``run/ovn`` and logs in ``logs/``.  This host is the OVN
chassis ``devcloud`` (Nova's host name), a gateway chassis, with the
bridge mapping ``public:br-ex``.  The bridges br-int and br-ex, and the
namespace ``devcloud-ext``: the outside of the external network ``public``,
172.24.4.1/24 on a veth into br-ex, routed nowhere else; floating IPs are
reached from there.  Where the kernel has no openvswitch module, OVS runs
its userspace datapath (``netdev``).

Where an Open vSwitch of the machine's own already answers on
/run/openvswitch/db.sock, that one is used (and left running) instead of
starting another.

``down``: stops ovn-controller, ovn-northd and the OVN databases; removes
the bridges, ports and namespace made, which are in the kernel record
(with the servers' namespaces); then stops ovs-vswitchd (``exit
--cleanup``, which takes its datapath devices with it) and the OVS
database.
A machine's own Open vSwitch is left running, with only devcloud's
bridges and ports removed and the external_ids devcloud set put back.
"""

import json
import os
import subprocess
import time

import devcloud_netns as kernel
import devcloud_ovs as ovs

from parts.paths import DATA, LOGS, NOVA_HOST, RUN, CannotRun, log
from parts.procs import pidof, spawn, stop, wait_for

OVS_RUN, OVN_RUN = os.path.join(RUN, "ovs"), os.path.join(RUN, "ovn")
OWN_OVS_DB = "unix:" + os.path.join(OVS_RUN, "db.sock")
SYSTEM_OVS_SOCK = "/run/openvswitch/db.sock"
NB_DB = "unix:" + os.path.join(OVN_RUN, "ovnnb_db.sock")
SB_DB = "unix:" + os.path.join(OVN_RUN, "ovnsb_db.sock")
SHARED = os.path.join(RUN, "ovs-shared")  # the database of a machine's own OVS, when devcloud uses it
SAVED_IDS = os.path.join(RUN, "ovs-external-ids.json")
EXT_NS, EXT_HOST_END = "devcloud-ext", "dcext-br"
EXT_ADDRESS = "172.24.4.1/24"
SCHEMAS = {"conf.db": "/usr/share/openvswitch/vswitch.ovsschema",
           "ovnnb_db.db": "/usr/share/ovn/ovn-nb.ovsschema",
           "ovnsb_db.db": "/usr/share/ovn/ovn-sb.ovsschema"}
DAEMONS = ["ovsdb-server", "ovs-vswitchd", "ovn-nb", "ovn-sb", "ovn-northd", "ovn-controller"]


def env():
    """Where the OVS and OVN tools find this cloud's sockets."""
    return {"OVS_RUNDIR": os.path.dirname(ovs_db()[len("unix:"):]), "OVN_RUNDIR": OVN_RUN}


def ovs_db():
    """The Open vSwitch database the cloud uses (``unix:<socket>``)."""
    try:
        with open(SHARED) as f:
            return f.read().strip()
    except OSError:
        return OWN_OVS_DB


def datapath_type():
    """The kernel datapath where the openvswitch module is loaded, else the userspace one."""
    return "system" if os.path.exists("/sys/module/openvswitch") else "netdev"


def why_not():
    """Why OVS/OVN cannot run on this machine (the cloud then runs light), or None."""
    if datapath_type() == "netdev" and not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun for Open vSwitch's userspace datapath, and no openvswitch kernel module"
    return None


def _database(name, directory):
    """The database file *name* in *directory*, made from its schema, or
    converted when an older run left one of an older schema.  Returns its
    path and whether it was made now."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        subprocess.run(["ovsdb-tool", "create", path, SCHEMAS[name]], check=True, capture_output=True)
        return path, True
    if subprocess.run(["ovsdb-tool", "needs-conversion", path, SCHEMAS[name]],
                      capture_output=True, text=True).stdout.strip() == "yes":
        subprocess.run(["ovsdb-tool", "convert", path, SCHEMAS[name]], check=True, capture_output=True)
    return path, False


def _ovsdb_server(name, path, sock, rundir):
    spawn(name, ["ovsdb-server", path, "--remote=punix:" + sock, "--no-chdir",
                 "--unixctl=" + os.path.join(rundir, name + ".ctl"),
                 "--log-file=" + os.path.join(LOGS, name + "-daemon.log")], env())
    _started(name, lambda: _db_answers(sock))


def _db_answers(sock):
    try:
        return subprocess.run(["ovsdb-client", "--timeout=2", "list-dbs", "unix:" + sock],
                              capture_output=True).returncode == 0
    except OSError:
        return False


def _started(name, check, timeout=30):
    """Wait for *name* with *check*; CannotRun naming its log when it dies."""
    try:
        wait_for(name, check, timeout, [name])
    except RuntimeError:
        raise CannotRun("%s did not start; see %s" % (name, _log_of(name))) from None


def _log_of(name):
    daemon_log = os.path.join(LOGS, name + "-daemon.log")
    return daemon_log if os.path.exists(daemon_log) else os.path.join(LOGS, name + ".log")


def start_ovs():
    """The Open vSwitch database and switch: the machine's own where one
    answers, else devcloud's."""
    os.makedirs(OVS_RUN, exist_ok=True)
    if not pidof("ovsdb-server") and not os.path.exists(SHARED) and _db_answers(SYSTEM_OVS_SOCK):
        with open(SHARED, "w") as f:
            f.write("unix:" + SYSTEM_OVS_SOCK)
        log("using this machine's own Open vSwitch (%s); down leaves it running" % SYSTEM_OVS_SOCK)
    if os.path.exists(SHARED):
        return
    if not pidof("ovsdb-server"):
        _ovsdb_server("ovsdb-server", _database("conf.db", os.path.join(DATA, "ovs"))[0],
                      os.path.join(OVS_RUN, "db.sock"), OVS_RUN)
        ovs.vsctl(OWN_OVS_DB, "--no-wait", "init")
    if not pidof("ovs-vswitchd"):
        ctl = os.path.join(OVS_RUN, "ovs-vswitchd.ctl")
        spawn("ovs-vswitchd", ["ovs-vswitchd", OWN_OVS_DB, "--unixctl=" + ctl, "--no-chdir",
                               "--pidfile=" + os.path.join(OVS_RUN, "ovs-vswitchd.pid"),
                               "--log-file=" + os.path.join(LOGS, "ovs-vswitchd-daemon.log")], env())
        _started("ovs-vswitchd", lambda: _appctl(ctl, "version"))


def _appctl(target, *command, tool="ovs-appctl"):
    try:
        return subprocess.run([tool, "-t", target, *command], capture_output=True, timeout=30,
                              env=dict(os.environ, **env())).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def start_ovn():
    """OVN's databases and northd (the central part).  True when the
    northbound database was made now (Neutron's may then be ahead of it)."""
    os.makedirs(OVN_RUN, exist_ok=True)
    fresh = False
    for name, db in (("ovn-nb", "ovnnb_db"), ("ovn-sb", "ovnsb_db")):
        if not pidof(name):
            path, made = _database(db + ".db", os.path.join(DATA, "ovn"))
            fresh = fresh or (made and name == "ovn-nb")
            _ovsdb_server(name, path, os.path.join(OVN_RUN, db + ".sock"), OVN_RUN)
    if not pidof("ovn-northd"):
        # a PID file and the default control socket: `ovn-appctl -t ovn-northd` finds it (OVN_RUNDIR)
        spawn("ovn-northd", ["ovn-northd", "--ovnnb-db=" + NB_DB, "--ovnsb-db=" + SB_DB, "--no-chdir",
                             "--pidfile=" + os.path.join(OVN_RUN, "ovn-northd.pid"),
                             "--log-file=" + os.path.join(LOGS, "ovn-northd-daemon.log")], env())
        _started("ovn-northd", lambda: _appctl("ovn-northd", "version", tool="ovn-appctl"))
    return fresh


CHASSIS_IDS = {
    "system-id": NOVA_HOST, "hostname": NOVA_HOST, "ovn-remote": SB_DB, "ovn-encap-type": "geneve",
    "ovn-encap-ip": "127.0.0.1", "ovn-bridge-mappings": "public:br-ex",
    "ovn-cms-options": "enable-chassis-as-gw",
}


def start_chassis(record):
    """This host as OVN chassis: its settings in OVS, br-int and br-ex,
    the external namespace, and ovn-controller."""
    db = ovs_db()
    ids = dict(CHASSIS_IDS, **{"ovn-bridge-datapath-type": datapath_type()})
    _save_external_ids(db, ids)
    ovs.vsctl(db, "set", "Open_vSwitch", ".", *("external_ids:%s=%s" % kv for kv in ids.items()))
    for bridge, settings in (("br-int", ["fail_mode=secure", "other_config:disable-in-band=true"]),
                             ("br-ex", [])):
        if not ovs.bridge_exists(db, bridge):
            ovs.add_bridge(db, bridge, datapath_type(), *settings)
            record.add("ovsbr", bridge)
    outside(record)
    if not pidof("ovn-controller"):
        spawn("ovn-controller", ["ovn-controller", db, "--no-chdir",
                                 "--pidfile=" + os.path.join(OVN_RUN, "ovn-controller.pid"),
                                 "--log-file=" + os.path.join(LOGS, "ovn-controller-daemon.log")], env())
    _started("ovn-controller", chassis_registered, 60)


def _save_external_ids(db, ids):
    """Note what a machine's own OVS had under the keys devcloud sets, once."""
    if db == OWN_OVS_DB or os.path.exists(SAVED_IDS):
        return
    with open(SAVED_IDS, "w") as f:
        json.dump({k: _get_id(db, k) for k in ids}, f)


def _get_id(db, key):
    return ovs.vsctl(db, "--if-exists", "get", "Open_vSwitch", ".", "external_ids:" + key, check=False) or None


def outside(record):
    """The namespace devcloud-ext: 172.24.4.1/24 on a veth into br-ex."""
    if kernel.netns_exists(EXT_NS) and kernel.exists(EXT_HOST_END):
        return
    kernel.ensure_netns(EXT_NS, record)
    if not kernel.exists(EXT_HOST_END):
        kernel.ip("link", "add", EXT_HOST_END, "type", "veth", "peer", "name", "dcext-ns")
        kernel.ip("link", "set", "dcext-ns", "netns", EXT_NS)
        kernel.ip("-n", EXT_NS, "link", "set", "dcext-ns", "name", "eth0")
        kernel.ip("-n", EXT_NS, "addr", "add", EXT_ADDRESS, "dev", "eth0")
        kernel.ip("-n", EXT_NS, "link", "set", "eth0", "up")
        kernel.no_checksum_offload(EXT_NS, "eth0")
        kernel.ip("link", "set", EXT_HOST_END, "up")
    ovs.add_port(ovs_db(), "br-ex", EXT_HOST_END)
    record.add("ovsport", EXT_HOST_END)


def chassis_registered():
    """Is this host's chassis in the southbound database?"""
    try:
        out = subprocess.run(["ovn-sbctl", "--db=" + SB_DB, "--timeout=5", "--bare", "--columns=name",
                              "find", "Chassis", "hostname=" + NOVA_HOST], capture_output=True, text=True)
    except OSError:
        return False
    return out.returncode == 0 and out.stdout.strip() != ""


def all_running():
    """{daemon: running?} of what devcloud starts here (its own OVS only when it started it)."""
    names = DAEMONS if not os.path.exists(SHARED) else DAEMONS[2:]
    return {n: pidof(n) is not None for n in names}


def stop_ovn():
    """Stop ovn-controller (which would make br-int again), ovn-northd and
    the OVN databases; the names that were running."""
    return stop(["ovn-controller", "ovn-northd", "ovn-nb", "ovn-sb"])


def remove_guest_taps():
    """The taps os-vif put on br-int for real guests (they outlive QEMU), with their ports;
    only where br-int is devcloud's own (in its kernel record)."""
    if not os.path.exists(os.path.join(RUN, "kernel", "ovsbr-br-int")):
        return
    for port in (ovs.vsctl(ovs_db(), "list-ports", "br-int", check=False) or "").split():
        if port.startswith("tap"):
            kernel.ip("link", "del", port, check=False)
            ovs.delete(ovs_db(), "ovsport", port)


def stop_ovs():
    """Stop the Open vSwitch devcloud started; with a machine's own, put
    back the external_ids devcloud changed.  The names that were running."""
    if os.path.exists(SHARED):
        _restore_external_ids()
        os.unlink(SHARED)
        return []
    stopped = []
    if pidof("ovs-vswitchd") and _appctl(os.path.join(OVS_RUN, "ovs-vswitchd.ctl"), "exit", "--cleanup"):
        deadline = time.time() + 10
        while pidof("ovs-vswitchd") and time.time() < deadline:
            time.sleep(0.1)
        stopped.append("ovs-vswitchd")
    return stopped + stop(["ovs-vswitchd", "ovsdb-server"])


def _restore_external_ids():
    try:
        with open(SAVED_IDS) as f:
            saved = json.load(f)
    except (OSError, ValueError):
        return
    db = ovs_db()
    for key, value in saved.items():
        if value is None:
            ovs.vsctl(db, "remove", "Open_vSwitch", ".", "external_ids", key, check=False)
        else:
            ovs.vsctl(db, "set", "Open_vSwitch", ".", "external_ids:%s=%s" % (key, value), check=False)
    os.unlink(SAVED_IDS)
