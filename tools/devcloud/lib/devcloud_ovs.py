"""Open vSwitch bridges and ports that the devcloud makes, through ovs-vsctl.

*db* is ovs-vsctl's ``--db`` (``unix:<socket>``) of the Open vSwitch the
cloud uses.  Standard library only: devcloud (outside the services' venv)
and its virt driver (inside nova-compute) both use it.
"""

import subprocess


def vsctl(db, *args, check=True):
    """Run ``ovs-vsctl --db=DB ARGS``; its output.  RuntimeError with its
    complaint when it fails and *check*, and whenever it cannot be run."""
    try:
        done = subprocess.run(["ovs-vsctl", "--db=" + db, "--timeout=10", *args],
                              capture_output=True, text=True)
    except OSError as exc:
        raise RuntimeError("cannot run ovs-vsctl (openvswitch-switch): %s" % (exc.strerror or exc)) from None
    if check and done.returncode:
        raise RuntimeError("ovs-vsctl %s: %s" % (" ".join(args), done.stderr.strip()))
    return done.stdout.strip() if done.returncode == 0 else None


def bridge_exists(db, name):
    return vsctl(db, "br-exists", name, check=False) is not None


def port_exists(db, name):
    return bool(vsctl(db, "--bare", "--columns=name", "find", "Port", "name=" + name, check=False))


def add_bridge(db, name, datapath_type, *settings):
    """The bridge *name* with *datapath_type* ("system" or "netdev") and
    further ``KEY=VALUE`` *settings* of its Bridge row."""
    vsctl(db, "--may-exist", "add-br", name, "--", "set", "Bridge", name,
          "datapath_type=" + datapath_type, *settings)


def add_port(db, bridge, port, external_ids=None):
    """*port* (a link of this host) on *bridge*, with *external_ids*."""
    ids = ["external_ids:%s=%s" % (k, v) for k, v in (external_ids or {}).items()]
    vsctl(db, "--may-exist", "add-port", bridge, port, *(["--", "set", "Interface", port] + ids if ids else []))


def delete(db, kind, name):
    """Delete the bridge (*kind* "ovsbr") or port ("ovsport") *name*."""
    vsctl(db, "--if-exists", "del-br" if kind == "ovsbr" else "del-port", name, check=False)
