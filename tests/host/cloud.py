"""The recorded cloud behind the port ties and ``ping --netns auto``.

Every API body here was recorded from the loopback cloud (tools/devcloud)
with ``osops --record``, while a server ``hostrec`` had its port's tap on
its network's bridge on this host (the devcloud plugs servers for real),
beside the network's ``network:dhcp`` port and a router interface.  Tests take ids from these recordings; a variant is a
small edit that the test names (an address, a dropped call).

  tests/cassettes/host-bridge-show.json       bridge show: port list (hostrec's port,
                                              the dhcp port, the router interface), server list
  tests/cassettes/host-bridge-show-many.json  the same after 40 more interfaces were
                                              attached to hostrec
  tests/cassettes/host-ping-auto.json         ping hostrec --netns auto --address-type fixed:
                                              server list, hostrec's port (by device_id), router
                                              interface ports
  tests/cassettes/host-ping-all.json          ping --all: the ACTIVE server list
  tests/cassettes/boot.json                   its network list, with private: add_network_list()
                                              (recorded on the ML2/OVN cloud, the host-* ones on
                                              the light one: private is given hostrec's network id)

tools/record-cassettes records them with the others (as root): it boots
hostrec, makes the router and its interface, records the sessions
(host-ping-auto where the only namespace is an empty qrouter-<router id>,
so no packet leaves it: it has no interface; hostrec has no floating
address), attaches the 40 interfaces, records host-bridge-show-many, and
removes all of it again.
"""

import copy
import json
import re
import threading
import uuid

from osops.host import netns
from osops.host.targets import ROUTER_OWNERS
from tests.unit.conftest import cassette as recorded


def interaction(data, path, query=None):
    """The recorded ``GET ...path`` of *data* (with exactly *query*, {} by default)."""
    [item] = [i for i in data["interactions"] if i["request"]["method"] == "GET"
              and i["request"]["url"].endswith(path) and (i["request"]["query"] or {}) == (query or {})]
    return item


def body(data, path, query=None):
    """The JSON body recorded for ``GET ...path``."""
    return interaction(data, path, query)["response"]["json"]


def drop(data, path, query=None):
    """*data* without its ``GET ...path``: a call that must not be made fails the test."""
    data["interactions"].remove(interaction(data, path, query))
    return data


def asked_by_name(data, name):
    """*data* (a loaded host-* session, recorded before server names were asked
    of Nova by its name filter, and kept) with its list of all servers
    turned into the filtered list ``osops ping NAME`` now asks for first:
    ``name=^NAME$``, answering the servers so named.  An exact name is one
    filtered GET, so a list of all would fail the test."""
    listed = interaction(data, "/servers/detail")
    listed["request"]["query"] = {"name": [f"^{re.escape(name)}$"]}
    servers = listed["response"]["json"]["servers"]
    servers[:] = [s for s in servers if s["name"] == name]
    return data


def network_list():
    """The network list boot.json recorded, its network ``private`` given
    the id of hostrec's network (the host-* cassettes come from the light
    cloud, boot.json from the ML2/OVN one: two clouds, two ids)."""
    listed = copy.deepcopy(interaction(recorded("boot"), "/v2.0/networks"))
    for network in listed["response"]["json"]["networks"]:
        if network["name"] == "private":
            network["id"] = PORT["network_id"]
    return listed


def add_network_list(data):
    """*data* with a network list, as for a server whose port does not say
    its network (host-ping-auto has none: hostrec's port said it): the
    one of :func:`network_list`, which holds hostrec's network."""
    data["interactions"].append(network_list())
    return data


def add_network_called(data, name):
    """*data* with the network list of :func:`add_network_list` and in it a
    second network called *name*: the recorded one with another id (its
    digits reversed)."""
    networks = body(add_network_list(data), "/v2.0/networks")["networks"]
    [like] = [n for n in networks if n["name"] == name]
    networks.append({**like, "id": like["id"][::-1]})
    return data


def set_addresses(data, addresses):
    """*data* with the server's addresses in the server list replaced."""
    [server] = body(data, "/servers/detail")["servers"]
    server["addresses"] = addresses
    return data


BRIDGE_SHOW = recorded("host-bridge-show")
[SERVER] = body(BRIDGE_SHOW, "/servers/detail")["servers"]  # hostrec
_PORTS = body(BRIDGE_SHOW, "/v2.0/ports")["ports"]
[PORT] = [p for p in _PORTS if p["device_id"] == SERVER["id"]]  # its tap's port
[DHCP_PORT] = [p for p in _PORTS if p["device_owner"] == "network:dhcp"]
PING_AUTO = recorded("host-ping-auto")
PORT_QUERY = {"device_id": [SERVER["id"]]}
[NETWORK] = [n for n in network_list()["response"]["json"]["networks"]  # private
             if n["id"] == PORT["network_id"] and n["name"] in SERVER["addresses"]]
ROUTER_QUERY = {"device_owner": list(ROUTER_OWNERS)}
[ROUTER_PORT] = body(PING_AUTO, "/v2.0/ports", ROUTER_QUERY)["ports"]  # hostrec-router's interface


def with_fresh_ids(data, *ids):
    """*data* with each of *ids* replaced everywhere by a new uuid, and the
    new ids.  A namespace named after a recorded id (qdhcp-<network id>)
    may exist on this host for real: the loopback cloud is the one the
    cassettes were recorded from.  A test that makes one renames the id."""
    text = json.dumps(data)
    fresh = [str(uuid.uuid4()) for _ in ids]
    for old, new in zip(ids, fresh, strict=True):
        text = text.replace(old, new)
    return json.loads(text), fresh


def in_namespace(ns, fn, *args):
    """``fn(*args)`` in a thread that entered namespace *ns* (the tools it
    runs, like ip, start there too); its result, or its exception."""
    done = {}

    def run():
        try:
            netns.enter(ns)
            done["result"] = fn(*args)
        except BaseException as exc:  # re-raised in the caller
            done["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in done:
        raise done["error"]
    return done["result"]


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
