"""Servers made and removed by the bench itself (untimed), through the API."""

import time
import urllib.parse

from bench.cloudapi import parallel

TIMEOUT = 600


def create(api, name, count, image, flavor, zone=None, networks="none"):
    """One create call for *count* servers named name-1 … name-N (or *name*)."""
    server = {"name": name, "imageRef": image, "flavorRef": flavor, "networks": networks,
              "min_count": count, "max_count": count}
    if zone:
        server["availability_zone"] = zone
    api.post("compute", "/servers", {"server": server})


def prefix_query(prefix):
    return "name=" + urllib.parse.quote("^" + prefix)


def wait_active(api, query, count):
    """Wait until *count* servers of *query* are ACTIVE; a SystemExit on ERROR or timeout."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        servers = api.servers(query)
        broken = [s["name"] for s in servers if s["status"] == "ERROR"]
        if broken:
            raise SystemExit(f"bench: servers went to ERROR: {', '.join(broken[:5])}")
        if sum(s["status"] == "ACTIVE" for s in servers) >= count:
            return servers
        time.sleep(0.5)
    raise SystemExit(f"bench: {count} servers did not go ACTIVE within {TIMEOUT} s")


def remove(api, query):
    """Delete every server of *query* (all projects) and wait until they are gone."""
    deadline = time.monotonic() + TIMEOUT
    servers = api.servers(query)
    parallel(lambda s: api.delete("compute", f"/servers/{s['id']}"), servers)
    while servers and time.monotonic() < deadline:
        time.sleep(0.5)
        servers = api.servers(query)
    if servers:
        raise SystemExit(f"bench: {len(servers)} servers were not gone within {TIMEOUT} s")
