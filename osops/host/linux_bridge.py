"""Linux bridges as the kernel reports them through ``ip -j -d link`` (no brctl)."""

import json

from osops.host import commands
from osops.host.models import Bridge, BridgePort


def list_bridges() -> list[Bridge]:
    """The Linux bridges of this network namespace, with their ports."""
    done = commands.run(["ip", "-j", "-d", "link", "show"])
    return parse_links(json.loads(done.stdout or "[]"))


def parse_links(links: list[dict]) -> list[Bridge]:
    """Bridges (sorted by name) from the JSON of ``ip -j -d link show``."""
    bridges = [link for link in links if _info(link).get("info_kind") == "bridge"]
    ports: dict[str, list[BridgePort]] = {}
    for link in links:
        if _info(link).get("info_slave_kind") == "bridge" and link.get("master"):
            ports.setdefault(link["master"], []).append(_port(link))
    return sorted((Bridge(name=b["ifname"], type="linux",
                          bridge_id=brctl_id(_info(b).get("info_data", {}).get("bridge_id", "")),
                          stp=bool(_info(b).get("info_data", {}).get("stp_state")),
                          state=b.get("operstate", ""), mtu=b.get("mtu"),
                          ports=tuple(sorted(ports.get(b["ifname"], []), key=lambda p: p.name)))
                   for b in bridges), key=lambda b: b.name)


def brctl_id(bridge_id: str) -> str:
    """``8000.0:17:a4:47:a8:a9`` (ip's form) as brctl shows it: ``8000.0017a447a8a9``."""
    priority, _, mac = bridge_id.partition(".")
    if not mac:
        return bridge_id
    return f"{priority}.{''.join(f'{int(octet, 16):02x}' for octet in mac.split(':'))}"


def _info(link):
    return link.get("linkinfo") or {}


def _port(link):
    info = _info(link)
    kind = info.get("info_kind", "")
    if kind == "tun":
        kind = info.get("info_data", {}).get("type", "tun")
    return BridgePort(name=link["ifname"], kind=kind or "ether",
                      state=info.get("info_slave_data", {}).get("state", ""), mtu=link.get("mtu"))
