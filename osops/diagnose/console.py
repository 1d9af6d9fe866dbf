"""What the guest's console log says: a DHCP lease for its port's address
(and DHCP on in its subnet), metadata or a config drive read, a login
prompt.  Written for cirros (``Lease of 10.0.0.5 obtained``,
``=== datasource: ec2 net ===``) and cloud-init."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from osops.doctor.core import FAIL, OK, SKIP, WARN, Check

if TYPE_CHECKING:
    from osops.diagnose.facts import Facts
    from osops.diagnose.here import HostView

NAMES = ("DHCP", "Metadata", "Login prompt")
LEASE = re.compile(r"lease of (\S+?),? obtained", re.IGNORECASE)
NO_LEASE = re.compile(r"no lease, failing|sending discover", re.IGNORECASE)
DATASOURCE = re.compile(r"=== datasource: (.+?) ===")
CLOUD_INIT_OK = re.compile(r"Cloud-init v\. \S+ finished.*Datasource (DataSource(?!None)\S+)")
NO_METADATA = re.compile(r"failed to read iid from metadata|No datasource found|Datasource DataSourceNone")
LOGIN = re.compile(r"\blogin: ")


def checks(facts: Facts, here: HostView) -> list[Check]:
    """Three rows: DHCP, metadata, login prompt."""
    return [_dhcp(facts), _metadata(facts), _login(facts)]


def _dhcp(facts):
    off = [s for s in facts.subnets.values() if s.ip_version == 4 and s.is_dhcp_enabled is False]
    if off:
        names = ", ".join(s.name or s.id for s in off)
        return Check("DHCP", FAIL, f"DHCP is off on subnet {names}: the guest gets no address from it",
                     f"openstack subnet set --dhcp {off[0].name or off[0].id}")
    log = facts.console
    if log is None:
        return Check("DHCP", SKIP, facts.console_error)
    wanted = {ip.get("ip_address") for p in facts.ports for ip in p.fixed_ips or ()}
    leases = LEASE.findall(log)
    if wanted & set(leases):
        return Check("DHCP", OK, f"console: lease of {', '.join(sorted(wanted & set(leases)))} obtained")
    if leases:
        return Check("DHCP", FAIL, f"the guest got {leases[-1]}, but its port has {', '.join(sorted(wanted))}",
                     "another DHCP server answers on the network: find it (osops bridge list)")
    if NO_LEASE.search(log):
        return Check("DHCP", FAIL, "console: the guest asked for an address and got no lease",
                     "DHCP on its network: the qdhcp-/ovnmeta- namespace and the DHCP agent or OVN "
                     "(osops doctor)")
    return Check("DHCP", WARN, "the console log shows no DHCP yet (still booting?)",
                 f"wait, then osops console log {facts.server.name}")


def _metadata(facts):
    log = facts.console
    if log is None:
        return Check("Metadata", SKIP, facts.console_error)
    source = DATASOURCE.search(log) or CLOUD_INIT_OK.search(log)
    if NO_METADATA.search(log) or (source and source[1].startswith("None")):
        return Check("Metadata", FAIL, "console: the guest read neither the metadata service nor a config drive",
                     "the metadata path: neutron-ovn-metadata-agent or the L3/DHCP agent's proxy and "
                     "nova's metadata API (osops doctor), or boot with --config-drive")
    if source:
        return Check("Metadata", OK, f"console: datasource {source[1]}")
    return Check("Metadata", WARN, "the console log shows no metadata read yet (still booting?)",
                 f"wait, then osops console log {facts.server.name}")


def _login(facts):
    log = facts.console
    if log is None:
        return Check("Login prompt", SKIP, facts.console_error)
    found = next((m for m in map(LOGIN.search, (line + " " for line in log.splitlines())) if m), None)
    if found:
        return Check("Login prompt", OK, f"console: {found.string[:found.end()].strip()}")
    return Check("Login prompt", WARN, "no login prompt in the console log yet (still booting?)",
                 f"wait, then osops console log {facts.server.name}")
