"""The light mode's network node: what Neutron's Linux bridge and DHCP
agents would make, without the agents.

For each network with an IPv4 DHCP subnet: its bridge ``brq<network
id[:11]>`` and a ``qdhcp-<network id>`` namespace on the network's DHCP
port (made by ``seed.py network-node``), so that the servers (namespaces
plugged by lib/devcloud_virt) can be pinged.  All is noted in the kernel
record; ``down`` removes it.
"""

import json
import os
import shutil
import subprocess

import devcloud_netns as kernel

from parts.database import sql
from parts.paths import DIR, KERNEL

NF_CALL_IPTABLES = "/proc/sys/net/bridge/bridge-nf-call-iptables"


def start(seed, env):
    """Plug each network's DHCP port; what the record holds but is gone is forgotten first."""
    record = kernel.Record(KERNEL)
    record.forget_gone()
    r = subprocess.run(seed + ["network-node"], capture_output=True, text=True, env=env, cwd=DIR, timeout=120)
    if r.returncode:
        raise RuntimeError("seed.py network-node failed: %s" % r.stderr.strip()[-500:])
    for line in r.stdout.splitlines():
        port = json.loads(line)
        kernel.plug("qdhcp-" + port["network_id"], "ns-" + port["port_id"][:11], port["network_id"],
                    port["port_id"], port["mac"], port["addresses"], record)


def whole():
    """Cheaply (no API call): has every network with an IPv4 DHCP subnet its qdhcp namespace?"""
    try:
        networks = sql("SELECT DISTINCT network_id FROM neutron.subnets "
                       "WHERE enable_dhcp = 1 AND ip_version = 4").split()
    except (RuntimeError, subprocess.TimeoutExpired):
        return False
    return all(kernel.netns_exists("qdhcp-" + n) for n in networks)


def netfilter_warning(nf_call=NF_CALL_IPTABLES, iptables=None):
    """One line when br_netfilter hands bridged IPv4 to an iptables FORWARD
    chain whose policy is DROP (as on Docker hosts), else None."""
    try:
        with open(nf_call) as f:
            if f.read().strip() != "1":
                return None
    except OSError:  # no br_netfilter
        return None
    iptables = iptables or shutil.which("iptables", path=os.environ.get("PATH", os.defpath) + ":/usr/sbin:/sbin")
    if not iptables:
        return None
    try:
        r = subprocess.run([iptables, "-S", "FORWARD"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if "-P FORWARD DROP" not in r.stdout.splitlines():
        return None
    return ("warning: br_netfilter passes bridged traffic through iptables, whose FORWARD policy is DROP: "
            "the servers will not answer ping (see Limits in tools/devcloud/README.md)")
