"""Checks on the host that runs the cloud: ping servers, inspect bridges.

``osops.host.ping`` pings addresses concurrently (also from network
namespaces, see ``osops.host.netns``); ``osops.host.targets`` turns servers
into addresses to ping.  ``osops.host.bridges`` lists Linux bridges
(``linux_bridge``) and Open vSwitch ones (``ovs``) and ties their ports to
servers (``ports``, ``libvirt``).  Nothing here needs a cloud except the
ties; a connection is always an optional ``conn`` argument.
"""
