"""The OpenStack services: their APIs under gunicorn, Nova's workers and,
with ML2/OVN, Neutron's OVN metadata agent.

Each runs as a recorded process group (parts.procs); ``down`` stops them,
Nova's workers and the agent first.  The metadata agent starts an haproxy
per network, which leaves the agent's process group, and an
``ovnmeta-<network id>`` namespace, which outlives it: ``down`` ends those
haproxies by their PID files under ``data/neutron/external/pids`` and
deletes those namespaces.
"""

import glob
import os
import signal
import subprocess

from parts import ovn
from parts.database import sql
from parts.paths import DATA, DIR, ETC, HOST, KERNEL, LIB, NOVA_HOST, PYLIB, log
from parts.procs import http_ok, pidof, port_busy, spawn, stop

# name, port, WSGI module, config environment
APIS = [
    ("keystone", 5000, "keystone.wsgi.api", {"OS_KEYSTONE_CONFIG_DIR": ETC + "/keystone"}),
    ("glance", 9292, "glance.wsgi.api", {"OS_GLANCE_CONFIG_DIR": ETC + "/glance"}),
    ("placement", 8778, "placement.wsgi.api", {"OS_PLACEMENT_CONFIG_DIR": ETC + "/placement"}),
    # ASGI_WORKERS: Neutron's OVN driver counts its API workers from it; with none it logs
    # "The Neutron API workers count is zero" and drops OVN's events (ports never go ACTIVE)
    ("neutron", 9696, "neutron.wsgi.api",
     {"OS_NEUTRON_CONFIG_DIR": ETC + "/neutron", "OS_NEUTRON_CONFIG_FILES": "neutron.conf;ml2_conf.ini",
      "ASGI_WORKERS": "1"}),
    ("nova-api", 8774, "nova.wsgi.osapi_compute",
     {"OS_NOVA_CONFIG_DIR": ETC + "/nova", "OS_NOVA_CONFIG_FILES": "api-paste.ini;nova.conf"}),
]
METADATA_API = ("nova-metadata", 8775, "nova.wsgi.metadata",
                {"OS_NOVA_CONFIG_DIR": ETC + "/nova", "OS_NOVA_CONFIG_FILES": "api-paste.ini;nova.conf"})
NOVA_WORKERS = ["nova-conductor", "nova-scheduler", "nova-compute"]
METADATA_AGENT = "neutron-ovn-metadata-agent"
HAPROXY_PIDS = os.path.join(DATA, "neutron", "external", "pids")


def apis(mode):
    return APIS + ([METADATA_API] if mode == "ovn" else [])


def names(mode):
    """The services of *mode*, in the order they start."""
    return [a[0] for a in apis(mode)] + NOVA_WORKERS + ([METADATA_AGENT] if mode == "ovn" else [])


def service_env(venv, extra):
    env = {"PATH": venv + "/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "PYTHONPATH": LIB + ":" + PYLIB, "HOME": DATA, "LC_ALL": "C.UTF-8",
           "TMPDIR": os.path.join(DATA, "tmp")}  # or Neutron leaves /tmp/neutron_* behind
    env.update(extra)
    return env


def start_api(venv, name, port, module, cfg_env):
    if pidof(name):
        return
    if port_busy(port):
        raise RuntimeError("port %d (%s) is taken by a process devcloud did not start" % (port, name))
    env = service_env(venv, cfg_env)
    env["DEVCLOUD_WSGI_MODULE"] = module
    spawn(name, [
        venv + "/bin/gunicorn", "--bind", "%s:%d" % (HOST, port),
        "--workers", "1", "--worker-class", "gthread", "--threads", "8",
        "--timeout", "300", "--graceful-timeout", "5", "--no-control-socket",
        # Nova asks Neutron for the ports of up to 150 servers in one URL (about 7 KB) when it
        # lists servers; gunicorn's default 4094-byte request line fails that past ~85 servers
        "--limit-request-line", "8190",
        "--name", "devcloud-" + name,
        "--access-logfile", os.path.join(DIR, "logs", name + "-access.log"),
        "--error-logfile", "-", "devcloud_wsgi:application"], env)


def start_nova_worker(venv, name, mode):
    if pidof(name):
        return
    conf = "nova-cpu.conf" if name == "nova-compute" else "nova.conf"
    argv, extra = [venv + "/bin/" + name], {}
    if name == "nova-compute":  # with the devcloud's virt driver
        argv = [venv + "/bin/python", os.path.join(LIB, "devcloud_compute.py")]
        extra = {"DEVCLOUD_KERNEL_RECORD": KERNEL, "DEVCLOUD_NET_MODE": mode}
        if mode == "ovn":
            extra["DEVCLOUD_OVS_DB"] = ovn.ovs_db()
    spawn(name, argv + ["--config-file", ETC + "/nova/" + conf], service_env(venv, extra))


def start_metadata_agent(venv):
    if not pidof(METADATA_AGENT):
        spawn(METADATA_AGENT, [venv + "/bin/" + METADATA_AGENT,
                               "--config-file", ETC + "/neutron/neutron.conf",
                               "--config-file", ETC + "/neutron/neutron_ovn_metadata_agent.ini"],
              service_env(venv, {}))


def compute_ready(since):
    """nova-compute reported since *since* (UTC), mapped to a cell, in placement."""
    try:
        out = sql(
            "SELECT (SELECT COUNT(*) FROM nova.services WHERE deleted=0 AND "
            "`binary`='nova-compute' AND host='%s' AND updated_at >= '%s'),"
            "(SELECT COUNT(*) FROM nova_api.host_mappings WHERE host='%s'),"
            "(SELECT COUNT(*) FROM placement.inventories)" % (NOVA_HOST, since, NOVA_HOST))
    except (RuntimeError, OSError, subprocess.SubprocessError):
        return False
    return all(int(x) > 0 for x in out.split())


def apis_answering(mode):
    return {name: bool(pidof(name) and http_ok(port)) for name, port, _, _ in apis(mode)}


def stop_all(mode):
    """Stop the services (Nova's workers and the agent first), then the
    metadata proxies the agent left.  Returns the names that were running."""
    stopped = stop(NOVA_WORKERS + [METADATA_AGENT]) + stop([a[0] for a in apis(mode)])
    return stopped + stop_metadata_proxies()


def stop_metadata_proxies():
    """End the haproxies of the metadata agent, by their PID files, and
    delete the ``ovnmeta-`` namespaces of this cloud's networks; the
    haproxies ended."""
    import devcloud_netns as kernel  # lib/, on sys.path
    ended, networks = [], set(_our_networks())
    for pidfile in glob.glob(os.path.join(HAPROXY_PIDS, "*.pid.haproxy")):
        networks.add(os.path.basename(pidfile).split(".")[0])
        try:
            with open(pidfile) as f:
                pid = int(f.read().split()[0])
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                if b"haproxy" in f.read():
                    os.kill(pid, signal.SIGTERM)
                    ended.append("haproxy")
        except (OSError, ValueError, IndexError):
            pass
        os.unlink(pidfile)
    for network in networks:
        if kernel.netns_exists("ovnmeta-" + network) and not kernel.ip(
                "netns", "del", "ovnmeta-" + network, check=False):
            log("could not delete namespace ovnmeta-%s" % network)
    return ended


def _our_networks():
    try:
        return sql("SELECT id FROM neutron.networks").split()
    except (RuntimeError, OSError, subprocess.SubprocessError):
        return []
