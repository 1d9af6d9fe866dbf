"""Checks on the host that runs the cloud: ping servers, inspect bridges.

``osops.host.ping`` pings addresses (from network namespaces too),
``osops.host.targets`` turns servers into addresses to ping,
``osops.host.bridges`` lists Linux and Open vSwitch bridges and ties their
ports to servers.  Nothing here needs a cloud except the ties; a
connection is always an optional ``conn`` argument.
"""
