"""Nova's fake virt driver, with a network namespace standing in for each server.

Servers still run nothing, but each one's ports are plugged for real
(devcloud_netns) in the namespace ``devcloud-<uuid>``.  With ML2/OVN
($DEVCLOUD_NET_MODE=ovn) each port is a veth whose host end is a port of
br-int with the Neutron port as its iface-id, and the server takes its
address from OVN's DHCP as a guest would (busybox udhcpc), so security
groups, routers and floating IPs apply to it.  In the light mode the tap
sits on the network's Linux bridge next to a qdhcp namespace and the
fixed addresses are set directly.  Suspend, pause and power off take its
links down and resume, unpause and power on bring them back (asking DHCP
again, for the routes a link going down drops); delete removes the
namespace and with it the taps.  A restarted nova-compute plugs its
servers again (plug_vifs), each with its links in its power state.  A
failing ``ip`` or DHCP is logged, never fails the server.  nova-compute
runs as root; the record of what was made is in $DEVCLOUD_KERNEL_RECORD,
the OVS database in $DEVCLOUD_OVS_DB.
"""

import os

import devcloud_netns as kernel
from nova.compute import power_state
from nova.virt import fake
from oslo_log import log as logging

LOG = logging.getLogger(__name__)
RECORD = kernel.Record(os.environ.get("DEVCLOUD_KERNEL_RECORD", "/var/tmp/osops-devcloud/run/kernel"),
                       os.environ.get("DEVCLOUD_OVS_DB"))
OVN = os.environ.get("DEVCLOUD_NET_MODE") == "ovn"
DHCP_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "devcloud_udhcpc.sh")


def namespace(instance):
    return "devcloud-" + instance.uuid


def _addresses(vif):
    return [kernel.with_prefix(fixed["address"], subnet["cidr"])
            for subnet in vif["network"]["subnets"] for fixed in subnet["ips"]
            if ":" not in fixed["address"]]


class NetnsDriver(fake.FakeDriverWithoutFakeNodes):
    """FakeDriverWithoutFakeNodes whose servers are network namespaces."""

    def _plug(self, instance, vifs):
        for vif in vifs or ():
            try:
                if OVN:
                    kernel.plug_ovs(namespace(instance), vif["id"], vif["address"], instance.uuid, RECORD)
                else:
                    kernel.plug(namespace(instance), None, vif["network"]["id"],
                                vif["id"], vif["address"], _addresses(vif), RECORD)
            except RuntimeError as exc:  # the server stays up, unreachable; say why in the log
                LOG.warning("cannot plug port %s: %s", vif["id"], exc, instance=instance)

    def _dhcp(self, instance):
        """With OVN, each link of the server asks DHCP for its address."""
        if not OVN:
            return
        try:
            for device in kernel.devices(namespace(instance), "eth"):
                kernel.dhcp(namespace(instance), device, DHCP_SCRIPT)
        except RuntimeError as exc:  # as a guest whose DHCP fails: up, without an address
            LOG.warning("%s", exc, instance=instance)

    def _links(self, instance, state):
        try:
            for device in kernel.devices(namespace(instance), "eth"):
                kernel.ip("-n", namespace(instance), "link", "set", device, state, check=False)
        except RuntimeError as exc:
            LOG.warning("cannot set the links of %s %s: %s", namespace(instance), state, exc, instance=instance)
        if state == "up":
            self._dhcp(instance)

    def _ip(self, instance, *args):
        """``ip ARGS`` whose failure is only logged."""
        try:
            kernel.ip(*args, check=False)
        except RuntimeError as exc:
            LOG.warning("%s", exc, instance=instance)

    def _power(self, instance, state):
        """Note the server's power *state* (the fake driver notes none for
        suspend and pause, so Nova would save RUNNING) and set its links
        up when it is RUNNING, else down."""
        if instance.uuid in self.instances:
            self.instances[instance.uuid].state = state
        self._links(instance, "up" if state == power_state.RUNNING else "down")

    def spawn(self, context, instance, image_meta, injected_files, admin_password, allocations,
              network_info=None, block_device_info=None, power_on=True, accel_info=None):
        super().spawn(context, instance, image_meta, injected_files, admin_password, allocations,
                      network_info, block_device_info, power_on, accel_info)
        self._plug(instance, network_info)
        self._links(instance, "up" if power_on else "down")

    def plug_vifs(self, instance, network_info):
        """At nova-compute's start, for each server it has.  The fake
        driver's servers lived in the last process's memory: the server is
        taken back as spawn takes it (its resources claimed), in the power
        state Nova has for it, and plugged with its links up only when that
        is RUNNING (a SHUTOFF, SUSPENDED or PAUSED server stays silent)."""
        if instance.uuid not in self.instances:
            flavor = instance.flavor
            self.resources.claim(vcpus=flavor.vcpus, mem=flavor.memory_mb, disk=flavor.root_gb)
            self.instances[instance.uuid] = fake.FakeInstance(instance.name, instance.power_state, instance.uuid)
        self._plug(instance, network_info)
        self._power(instance, instance.power_state)

    def attach_interface(self, context, instance, image_meta, vif):
        super().attach_interface(context, instance, image_meta, vif)
        self._plug(instance, [vif])
        self._dhcp(instance)

    def detach_interface(self, context, instance, vif):
        super().detach_interface(context, instance, vif)
        self._ip(instance, "link", "del", kernel.tap_name(vif["id"]))
        self._unplug_ovs([vif])

    def _unplug_ovs(self, vifs):
        """With OVN, the vifs' ports off br-int (their links are gone)."""
        for vif in vifs or () if OVN else ():
            RECORD.remove("ovsport", kernel.tap_name(vif["id"]))
            RECORD.drop("ovsport", kernel.tap_name(vif["id"]))

    def destroy(self, context, instance, network_info, block_device_info=None, destroy_disks=True,
                destroy_secrets=True):
        super().destroy(context, instance, network_info, block_device_info, destroy_disks, destroy_secrets)
        if kernel.netns_exists(namespace(instance)):
            self._ip(instance, "netns", "del", namespace(instance))  # its veths go with it
        RECORD.drop("netns", namespace(instance))
        self._unplug_ovs(network_info)

    def suspend(self, context, instance):
        self._power(instance, power_state.SUSPENDED)

    def resume(self, context, instance, network_info, block_device_info=None, share_info=None):
        self._power(instance, power_state.RUNNING)

    def pause(self, instance):
        self._power(instance, power_state.PAUSED)

    def unpause(self, instance):
        self._power(instance, power_state.RUNNING)

    def power_off(self, instance, timeout=0, retry_interval=0):
        super().power_off(instance, timeout, retry_interval)
        self._links(instance, "down")

    def power_on(self, context, instance, network_info, block_device_info=None, accel_info=None,
                 share_info=None):
        super().power_on(context, instance, network_info, block_device_info, accel_info, share_info)
        self._links(instance, "up")
