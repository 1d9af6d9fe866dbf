"""The SSH loop of the boot-until-SSH rows: what a person runs after
``openstack server create --wait`` to know the server can be logged into.

``session()`` (untimed, before the rows) makes the group ``bench-ssh``
(ICMP and SSH in) and takes a token, the compute endpoint and the
network's ovnmeta- namespace, with the osops venv's openstacksdk;
``SshLoop(names)`` (timed, a step of a run) lists the servers by name
until each has an address on the network, then waits in that namespace
until each address answers with an SSH banner.  ``drop_group()`` deletes
the group again.  Its list requests go straight to the cloud, not through
the counting proxy.
"""

import json
import subprocess
import time
import urllib.request

GROUP = "bench-ssh"
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # to the loopback cloud, never a proxy
TIMEOUT = 300

_SESSION = r"""
import json, sys, openstack
from osops import security_groups
conn = openstack.connect(cloud=sys.argv[1])
if sys.argv[3] == "drop":
    security_groups.delete_groups(conn, security_groups.find_groups(conn, sys.argv[2]))
    raise SystemExit(0)
if not security_groups.find_groups(conn, sys.argv[2]):
    security_groups.create_open_group(conn, sys.argv[2], "bench/run: ping and SSH in")
network = conn.network.find_network(sys.argv[3], ignore_missing=False)
print(json.dumps({"token": conn.session.get_token(), "compute": conn.compute.get_endpoint(),
                  "netns": "ovnmeta-" + network.id, "network": network.name}))
"""

# Run inside the namespace: every address answers with "SSH-" (exit 0), or the time is up (exit 1).
_PROBE = r"""
import socket, sys, time
left, deadline = set(sys.argv[2:]), time.monotonic() + float(sys.argv[1])
while left and time.monotonic() < deadline:
    for address in sorted(left):
        try:
            with socket.create_connection((address, 22), timeout=1) as s:
                s.settimeout(2)
                if s.recv(4).startswith(b"SSH-"):
                    left.discard(address)
        except OSError:
            pass
    if left:
        time.sleep(0.2)
sys.exit(1 if left else 0)
"""


def session(python, env, cloud, network):
    """{token, compute, netns, network} for the loop, run with the osops venv's *python*."""
    done = subprocess.run([str(python), "-c", _SESSION, cloud, GROUP, network], env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"bench: the SSH rows' set-up failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def drop_group(python, env, cloud):
    """Delete the bench-ssh group (the rows' servers are gone by then)."""
    subprocess.run([str(python), "-c", _SESSION, cloud, GROUP, "drop"], env=env, timeout=300)


class SshLoop:
    """One timed step: wait until the servers *names* answer SSH."""

    def __init__(self, names, where):
        self.names, self.where = list(names), where

    def __str__(self):
        return "(wait until " + ", ".join(self.names) + " answer SSH)"

    def __call__(self):
        deadline = time.monotonic() + TIMEOUT
        addresses = self._addresses(deadline)
        probe = subprocess.run(["ip", "netns", "exec", self.where["netns"], "python3", "-c", _PROBE,
                                str(max(deadline - time.monotonic(), 1)), *addresses], timeout=TIMEOUT + 30)
        if probe.returncode != 0:
            raise SystemExit(f"bench: {', '.join(self.names)} did not answer SSH within {TIMEOUT} s")

    def _addresses(self, deadline):
        found = {}
        while time.monotonic() < deadline:
            for server in self._list():
                if server["name"] in self.names:
                    found[server["name"]] = next((a["addr"] for a in server["addresses"].get(self.where["network"], [])
                                                  if a.get("version") == 4), None)
            if len(found) == len(self.names) and all(found.values()):
                return list(found.values())
            time.sleep(0.5)
        raise SystemExit(f"bench: {', '.join(self.names)} got no address within {TIMEOUT} s")

    def _list(self):
        stem = self.names[0].rsplit("-", 1)[0] if len(self.names) > 1 else self.names[0]
        request = urllib.request.Request(f"{self.where['compute']}/servers/detail?name=^{stem}",
                                         headers={"X-Auth-Token": self.where["token"]})
        with _DIRECT.open(request, timeout=30) as answer:
            return json.load(answer)["servers"]
