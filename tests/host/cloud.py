"""Replayed cloud for the port ties: Keystone and Nova as recorded from the
loopback cloud (data/cloud-base.json: one server, demo-1), plus Neutron
port and network lists shaped as Neutron returns them."""

import copy
import json
import pathlib

from osops.host.targets import ROUTER_OWNERS

BASE = json.loads((pathlib.Path(__file__).parent / "data" / "cloud-base.json").read_text())
PROJECT = "109d6b58988b45008f9b32052fb36ca0"
SERVER = {"name": "demo-1", "id": "9d7d2503-43e1-493b-a047-de7009fed628"}
NETWORK = "9246ff3e-1aec-4108-9b36-7b56e0a96696"
SUBNET = "2094fde8-8047-4c61-8648-1e619076403d"


def neutron_port(port_id, device_id=SERVER["id"], device_owner="compute:nova", project=PROJECT,
                 network_id=NETWORK, ip="10.0.0.12"):
    """A port as ``GET /v2.0/ports`` lists it."""
    return {
        "admin_state_up": True, "allowed_address_pairs": [], "binding:host_id": "devstack",
        "binding:profile": {}, "binding:vif_details": {"connectivity": "l2", "port_filter": True},
        "binding:vif_type": "ovs", "binding:vnic_type": "normal", "created_at": "2026-11-25T13:16:22Z",
        "description": "", "device_id": device_id, "device_owner": device_owner, "dns_assignment": [],
        "dns_name": "", "extra_dhcp_opts": [], "fixed_ips": [{"ip_address": ip, "subnet_id": SUBNET}],
        "id": port_id, "ip_allocation": "immediate", "mac_address": "fa:16:3e:77:cd:41", "name": "",
        "network_id": network_id, "port_security_enabled": True, "project_id": project,
        "propagate_uplink_status": False, "revision_number": 4, "security_groups": [],
        "status": "ACTIVE", "tags": [], "tenant_id": project, "updated_at": "2026-11-25T13:16:24Z"}


def network(net_id=NETWORK, name="private"):
    """A network as ``GET /v2.0/networks`` lists it."""
    return {"admin_state_up": True, "availability_zone_hints": [], "availability_zones": [],
            "created_at": "2026-11-25T13:13:12Z", "description": "", "id": net_id,
            "ipv4_address_scope": None, "ipv6_address_scope": None, "mtu": 1450, "name": name,
            "port_security_enabled": True, "project_id": PROJECT, "provider:network_type": "vxlan",
            "provider:physical_network": None, "provider:segmentation_id": 695, "revision_number": 2,
            "router:external": False, "shared": True, "status": "ACTIVE", "subnets": [SUBNET], "tags": [],
            "tenant_id": PROJECT, "updated_at": "2026-11-25T13:13:12Z"}


def cassette(ports=None, networks=None, addresses=None, router_ports=None, query=None):
    """The base cassette plus ``GET /v2.0/ports`` (when *ports* is given),
    ``GET /v2.0/networks`` and the router interface port list; *addresses*
    replaces demo-1's addresses; *query* is the server list's query."""
    data = copy.deepcopy(BASE)
    if addresses is not None:
        for item in data["interactions"]:
            if item["request"]["url"].endswith("/servers/detail"):
                item["response"]["json"]["servers"][0]["addresses"] = addresses
    if query is not None:
        for item in data["interactions"]:
            if item["request"]["url"].endswith("/servers/detail"):
                item["request"]["query"] = query
    routers = {"device_owner": list(ROUTER_OWNERS)}
    for path, key, rows, q in (("/v2.0/ports", "ports", ports, {}), ("/v2.0/networks", "networks", networks, {}),
                               ("/v2.0/ports", "ports", router_ports, routers)):
        if rows is not None:
            data["interactions"].append({
                "request": {"method": "GET", "url": "{network}" + path, "query": q, "body": None},
                "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                             "json": {key: rows}}})
    return data


def connect(player):
    """A connection to the replayed cloud."""
    import osops

    return osops.connect(auth_url=player.auth_url, username="admin", password="secret-pw",
                         project_name="admin", user_domain_id="default", project_domain_id="default")


def env(player):
    """OS_* variables that point the CLI at the replayed cloud."""
    return {"OS_AUTH_URL": player.auth_url, "OS_USERNAME": "admin", "OS_PASSWORD": "secret-pw",
            "OS_PROJECT_NAME": "admin", "OS_USER_DOMAIN_ID": "default", "OS_PROJECT_DOMAIN_ID": "default",
            "OS_IDENTITY_API_VERSION": "3"}
