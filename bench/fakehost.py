"""Extra nova-computes, with Nova's fake driver, joined to the running
loopback cloud for the scale rows: host ``bench-fake`` (the timed rows
boot on it with ``--availability-zone nova:bench-fake``) and the hosts the
bulk servers go to (``bench-fake-1`` ...), all in zone ``nova``.  This
Nova asks placement for every allocation on a node at each claim (one
GET per server already there), so a host's claims slow down as it fills:
the bulk goes to hosts of its own, about 100 servers each.

It runs from the cloud's venv with the cloud's nova-cpu.conf and a file of
its own after it (host, driver, state dir, log, lock dir).  It reserves all
its disk and all but 512 MB of its memory, so the scheduler does not send
other flavors' servers to it; the scale rows boot a flavor of 1 MB and no
disk.  Neutron's OVN driver binds a port only to a host with a live OVN
chassis: a chassis of the host's name (no encapsulation traffic, no gateway) is
added to OVN's southbound database and kept alive by copying the
northbound nb_cfg to it, as an ovn-controller answering would; its ports
stay DOWN, which the fake driver does not wait for.  :meth:`FakeHost.remove`
stops the process and deletes the compute service (Nova deletes its node
and resource provider), any provider left, and the chassis.
"""

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from bench.install import STATE

HOST = "bench-fake"
ZONE = f"nova:{HOST}"
SB = "unix:" + str(STATE / "run" / "ovn" / "ovnsb_db.sock")
NB = "unix:" + str(STATE / "run" / "ovn" / "ovnnb_db.sock")
SOCK = STATE / "run" / "mysqld.sock"
READY_TIMEOUT = 180

CONFIG = """
[DEFAULT]
host = {host}
compute_driver = fake.FakeDriverWithoutFakeNodes
state_path = {dir}/state
instances_path = {dir}/instances
log_file = {dir}/nova-compute.log
use_stderr = False
vif_plugging_is_fatal = False
vif_plugging_timeout = 0
resume_guests_state_on_host_boot = False
reserved_host_disk_mb = 614400000
reserved_host_memory_mb = 799488
initial_cpu_allocation_ratio = 1.0
initial_ram_allocation_ratio = 1.0
initial_disk_allocation_ratio = 1.0
# no periodic resource audit: at each it asks placement once per server on the host
update_resources_interval = -1

[oslo_concurrency]
lock_path = {dir}/locks
"""


def venv():
    """The cloud's services' venv."""
    found = sorted(glob.glob(str(STATE / "venv-*" / "bin" / "nova-compute")), key=os.path.getmtime)
    if not found:
        raise SystemExit(f"bench: no nova-compute in {STATE}/venv-*: is tools/devcloud installed?")
    return os.path.dirname(os.path.dirname(found[-1]))


def sql(query):
    done = subprocess.run(["mariadb", "--no-defaults", f"--socket={SOCK}", "-uroot", "-N", "-B", "-e", query],
                          capture_output=True, text=True, timeout=30)
    return done.stdout.strip() if done.returncode == 0 else ""


def sbctl(*args, db=SB, tool="ovn-sbctl"):
    done = subprocess.run([tool, f"--db={db}", *args], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise RuntimeError(f"{tool} {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


class FakeHost:
    """The extra compute host; :meth:`start`, then :meth:`remove` (in a finally)."""

    def __init__(self, api, log, host=HOST, encap_ip="127.0.0.254"):
        self.api, self.log, self.host, self.encap_ip = api, log, host, encap_ip
        self.dir = tempfile.mkdtemp(prefix=f"osops-{host}-")
        self.log_file = os.path.join(self.dir, "nova-compute.log")
        self.process = None
        self.alive = threading.Event()

    def start(self):
        for sub in ("state", "instances", "locks", "tmp"):
            os.makedirs(os.path.join(self.dir, sub))
        conf = os.path.join(self.dir, "bench-fake.conf")
        with open(conf, "w") as f:
            f.write(CONFIG.format(host=self.host, dir=self.dir))
        self._add_chassis()
        home = venv()
        env = {"PATH": home + "/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": self.dir, "LC_ALL": "C.UTF-8",
               "TMPDIR": os.path.join(self.dir, "tmp")}
        with open(os.path.join(self.dir, "stdout.log"), "w") as out:
            self.process = subprocess.Popen(
                [home + "/bin/nova-compute", "--config-file", str(STATE / "etc" / "nova" / "nova-cpu.conf"),
                 "--config-file", conf], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.log(f"fake compute host {self.host}: pid {self.process.pid}, log {self.log_file}")
        self._wait_ready()

    def _wait_ready(self):
        """Until Nova has the service up, its node in placement with inventory and the host mapped to a cell."""
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"bench: the fake compute host exited {self.process.returncode}; see {self.log_file}")
            services = self.api.get("compute", f"/os-services?binary=nova-compute&host={self.host}")["services"]
            providers = self.api.get("placement", f"/resource_providers?name={self.host}")["resource_providers"]
            inventory = providers and self.api.get(
                "placement", f"/resource_providers/{providers[0]['uuid']}/inventories")["inventories"]
            mapped = sql(f"SELECT COUNT(*) FROM nova_api.host_mappings WHERE host='{self.host}'") not in ("", "0")
            if services and services[0]["state"] == "up" and inventory and mapped:
                return
            time.sleep(1)
        raise SystemExit(f"bench: the fake compute host was not ready within {READY_TIMEOUT} s; see {self.log_file}")

    def _add_chassis(self):
        sbctl("--may-exist", "chassis-add", self.host, "geneve", self.encap_ip)
        sbctl("set", "Chassis", self.host, f"hostname={self.host}")
        chassis = sbctl("--bare", "--columns=_uuid", "find", "Chassis", f"name={self.host}")
        sbctl("create", "Chassis_Private", f"name={self.host}", f"chassis={chassis}", f"nb_cfg={self._nb_cfg()}")
        threading.Thread(target=self._keep_alive, daemon=True).start()

    @staticmethod
    def _nb_cfg():
        return sbctl("get", "NB_Global", ".", "nb_cfg", db=NB, tool="ovn-nbctl")

    def _keep_alive(self):
        while not self.alive.wait(3):
            try:
                sbctl("set", "Chassis_Private", self.host, f"nb_cfg={self._nb_cfg()}",
                      f"nb_cfg_timestamp={int(time.time() * 1000)}")
            except RuntimeError:
                pass

    def remove(self):
        """Stop it, delete its service, provider, chassis and agent, and its directory; what fails is said."""
        self.alive.set()
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        try:
            self._drop_service()
            self._drop_provider()  # only once the service is gone: Nova's delete needs the provider
        except Exception as exc:  # noqa: BLE001  (the chassis still goes)
            self.log(f"bench: removing the fake host {self.host}: {exc}")
        try:
            self._drop_chassis()
            self._drop_agents()
        except Exception as exc:  # noqa: BLE001  (the directory still goes)
            self.log(f"bench: removing the OVN chassis {self.host}: {exc}")
        left = sql(f"SELECT COUNT(*) FROM nova_api.host_mappings WHERE host='{self.host}'")
        if left not in ("", "0"):
            self.log(f"bench: nova_api still maps host {self.host} to a cell")
        shutil.rmtree(self.dir, ignore_errors=True)

    def _drop_service(self):
        for service in self.api.get("compute", f"/os-services?binary=nova-compute&host={self.host}")["services"]:
            self.api.delete("compute", f"/os-services/{service['id']}")

    def _drop_provider(self):
        for provider in self.api.get("placement", f"/resource_providers?name={self.host}")["resource_providers"]:
            usages = self.api.get("placement", f"/resource_providers/{provider['uuid']}/allocations")
            for consumer in usages.get("allocations", {}):
                self.api.delete("placement", f"/allocations/{consumer}")
            self.api.delete("placement", f"/resource_providers/{provider['uuid']}")

    def _drop_agents(self):
        """Neutron keeps the chassis' agent (dead) after the chassis goes: doctor would count it."""
        for agent in self.api.get("network", f"/agents?host={self.host}")["agents"]:
            self.api.delete("network", f"/agents/{agent['id']}")

    def _drop_chassis(self):
        sbctl("--if-exists", "destroy", "Chassis_Private", self.host)
        sbctl("--if-exists", "chassis-del", self.host)
