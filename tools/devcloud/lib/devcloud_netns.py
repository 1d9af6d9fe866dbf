"""Kernel objects that make the devcloud's servers reachable on this host.

A real Neutron host with the Linux bridge agent has, for each network, a
bridge ``brq<network id[:11]>`` holding one ``tap<port id[:11]>`` per
port, and a ``qdhcp-<network id>`` namespace on the network's DHCP port.
The devcloud builds the same: devcloud itself makes each network's
bridge and qdhcp namespace (as the DHCP agent would, without dnsmasq),
and its virt driver (devcloud_virt) gives every server a namespace
``devcloud-<server uuid>`` whose ``eth<N>`` carries the port's MAC and
fixed addresses, plugged into the bridge through the port's tap.  The
bridges have no uplink and no address on the host, so nothing is routed
off them.

Every object made here is noted in a record directory (one file per
object: a namespace, a link, an Open vSwitch port or bridge) so that
``devcloud down`` removes exactly what was made.
Standard library only: devcloud (outside the services' venv) uses it too.
"""

import ipaddress
import os
import subprocess

import devcloud_ovs as ovs

# Removal order: namespaces first (their veths go with them), then OVS
# ports, Linux links, OVS bridges.
KINDS = ("netns", "ovsport", "link", "ovsbr")


def ip(*args, check=True):
    """Run ``ip ARGS``: True when it succeeded.  RuntimeError with its
    complaint when it failed and *check*, and whenever ip cannot be run."""
    done = _run_ip(args)
    if check and done.returncode:
        raise RuntimeError("ip %s: %s" % (" ".join(args), done.stderr.strip()))
    return done.returncode == 0


def _run_ip(args):
    try:
        return subprocess.run(["ip", *args], capture_output=True, text=True)
    except OSError as exc:  # no ip, or one that cannot start
        raise RuntimeError("cannot run ip (iproute2): %s" % (exc.strerror or exc)) from None


def bridge_name(network_id):
    return "brq" + network_id[:11]


def tap_name(port_id):
    return "tap" + port_id[:11]


def exists(link):
    return ip("link", "show", link, check=False)


def netns_exists(name):
    return os.path.exists(os.path.join("/run/netns", name))


class Record:
    """The objects made, one empty file each in *directory*; *ovs_db* is
    the Open vSwitch database of the recorded OVS ports and bridges."""

    def __init__(self, directory, ovs_db=None):
        self.directory = directory
        self.ovs_db = ovs_db

    def add(self, kind, name):
        os.makedirs(self.directory, exist_ok=True)
        open(os.path.join(self.directory, "%s-%s" % (kind, name)), "w").close()

    def drop(self, kind, name):
        try:
            os.unlink(os.path.join(self.directory, "%s-%s" % (kind, name)))
        except FileNotFoundError:
            pass

    def entries(self):
        """The recorded objects, (kind, name) each, in the order of KINDS."""
        if not os.path.isdir(self.directory):
            return []
        found = [tuple(e.partition("-")[::2]) for e in os.listdir(self.directory)]
        return sorted((e for e in found if e[0] in KINDS), key=lambda e: (KINDS.index(e[0]), e))

    def present(self, kind, name):
        """Is the recorded object *kind* *name* there?"""
        if kind == "netns":
            return netns_exists(name)
        if kind == "link":
            return exists(name)
        if self.ovs_db is None:
            return False  # no Open vSwitch to ask: nothing of it to remove either
        return (ovs.bridge_exists if kind == "ovsbr" else ovs.port_exists)(self.ovs_db, name)

    def remove(self, kind, name):
        if kind in ("netns", "link"):
            ip(*(("netns", "del") if kind == "netns" else ("link", "del")), name, check=False)
        else:
            ovs.delete(self.ovs_db, kind, name)

    def gone(self):
        """The recorded objects that are no longer there."""
        return [e for e in self.entries() if not self.present(*e)]

    def forget_gone(self):
        for kind, name in self.gone():
            self.drop(kind, name)

    def remove_all(self):
        """Delete every recorded object, in the order of KINDS.  The record
        of one that is still there afterwards is kept, for the next try.
        Returns (removed, left), lists of "kind-name"."""
        removed, left = [], []
        for kind, name in self.entries():
            if self.present(kind, name):
                self.remove(kind, name)
            if self.present(kind, name):
                left.append("%s-%s" % (kind, name))
            else:
                self.drop(kind, name)
                removed.append("%s-%s" % (kind, name))
        return removed, left


def ensure_bridge(network_id, record):
    """The network's bridge, made and brought up if missing."""
    br = bridge_name(network_id)
    if not exists(br):
        if not ip("link", "add", br, "type", "bridge", check=False) and not exists(br):
            raise RuntimeError("cannot make bridge %s" % br)  # lost no race: a real failure
        record.add("link", br)
    ip("link", "set", br, "up")
    return br


def ensure_netns(name, record):
    if not netns_exists(name):
        ip("netns", "add", name)
        record.add("netns", name)
        ip("-n", name, "link", "set", "lo", "up")


def devices(namespace, prefix):
    """Names of the links in *namespace* that start with *prefix*, sorted
    ([] when there is no such namespace)."""
    names = link_names(_run_ip(["-n", namespace, "-o", "link", "show"]).stdout)
    return sorted(n for n in names if n.startswith(prefix))


def link_names(text):
    """The link names in ``ip -o link show``'s *text*, without a veth's
    ``@peer`` ("5: eth0@if6: <...> ..." -> "eth0")."""
    return [line.split(": ")[1].split("@")[0] for line in text.splitlines() if ": " in line]


def plug(namespace, device, network_id, port_id, mac, addresses, record):
    """Put a link in *namespace* (named *device*, or the next free
    ``eth<N>`` when *device* is None) with *mac* and *addresses*
    ("10.0.0.5/26" ...), its peer ``tap<port id>`` on the network's
    bridge.  A tap that is already there is left as it is; when a step
    fails, the tap made (and its peer) is deleted again and the error
    raised."""
    if exists(tap_name(port_id)):
        return
    br = ensure_bridge(network_id, record)
    _veth(namespace, device, port_id, mac, addresses, record,
          lambda tap, device: ip("link", "set", tap, "master", br))
    forget_neighbours(network_id, addresses)


def plug_ovs(namespace, port_id, mac, server_id, record, bridge="br-int"):
    """As plug, for ML2/OVN: the tap is a port of the Open vSwitch
    *bridge* whose ``external_ids:iface-id`` is the Neutron port, so that
    ovn-controller binds it; the link in *namespace* gets no address (the
    server asks OVN's DHCP: see dhcp).  Returns the link's name in
    *namespace*, or None when the tap was there already."""
    if exists(tap_name(port_id)):
        return None
    ids = {"iface-id": port_id, "attached-mac": mac, "iface-status": "active", "vm-uuid": server_id}

    def attach(tap, device):
        no_checksum_offload(namespace, device)
        ovs.add_port(record.ovs_db, bridge, tap, ids)
        record.add("ovsport", tap)

    return _veth(namespace, None, port_id, mac, [], record, attach)


def _veth(namespace, device, port_id, mac, addresses, record, attach):
    """The veth pair of plug and plug_ovs; *attach(tap, device)* puts its
    host end on a bridge.  Returns the device's name in *namespace*."""
    ensure_netns(namespace, record)
    if device is None:
        taken = set(devices(namespace, "eth"))
        device = next("eth%d" % i for i in range(len(taken) + 1) if "eth%d" % i not in taken)
    tap, temp = tap_name(port_id), "dc" + port_id[:11]
    ip("link", "add", tap, "type", "veth", "peer", "name", temp)
    try:
        ip("link", "set", temp, "netns", namespace)
        ip("-n", namespace, "link", "set", temp, "name", device)
        ip("-n", namespace, "link", "set", device, "address", mac)
        for address in addresses:
            ip("-n", namespace, "addr", "add", address, "dev", device)
        ip("-n", namespace, "link", "set", device, "up")
        attach(tap, device)
        ip("link", "set", tap, "up")
    except RuntimeError:
        ip("link", "del", tap, check=False)  # its peer goes with it, in whichever namespace it is
        raise
    return device


def no_checksum_offload(namespace, device):
    """Have the veth *device* fill in its checksums itself: Open vSwitch's
    userspace datapath reads it with a packet socket, so an offloaded
    (still empty) TCP or UDP checksum would reach conntrack, which drops
    the packet as invalid (ICMP passes: its checksum is never offloaded)."""
    try:
        done = subprocess.run(["ip", "netns", "exec", namespace, "ethtool", "-K", device, "tx", "off"],
                              capture_output=True, text=True)
    except OSError as exc:
        raise RuntimeError("cannot run ethtool: %s" % (exc.strerror or exc)) from None
    if done.returncode:
        raise RuntimeError("ethtool -K %s tx off in %s: %s" % (device, namespace, done.stderr.strip()))


def dhcp(namespace, device, script, timeout=30):
    """Ask DHCP for *device*'s address in *namespace*, as a booting guest
    would: busybox's udhcpc, which calls *script* to set what it got, and
    quits once bound.  RuntimeError when no lease came within *timeout*
    seconds."""
    argv = ["ip", "netns", "exec", namespace, "busybox", "udhcpc", "-i", device, "-s", script,
            "-q", "-n", "-f", "-t", str(timeout), "-T", "1"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout + 10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError("udhcpc on %s in %s: %s" % (device, namespace, exc)) from None
    if done.returncode:
        raise RuntimeError("no DHCP lease for %s in %s: %s" % (device, namespace, done.stderr.strip()[-300:]))


def forget_neighbours(network_id, addresses):
    """Drop what the network's qdhcp namespace remembers of *addresses*: a
    new server may have an earlier one's address (a real guest's
    gratuitous ARP would tell; these namespaces send none)."""
    qdhcp = "qdhcp-" + network_id
    if netns_exists(qdhcp):
        for address in addresses:
            ip("-n", qdhcp, "neigh", "flush", "to", address.split("/")[0], check=False)


def with_prefix(address, cidr):
    """"10.0.0.5", "10.0.0.0/26" -> "10.0.0.5/26"."""
    return "%s/%d" % (address, ipaddress.ip_network(cidr).prefixlen)
