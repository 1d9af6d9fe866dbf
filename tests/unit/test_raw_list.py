"""Lists read as the services' JSON (osops.raw_list): one request per page
following the next links, no page after the one holding an exact id, and
models built from the JSON equal to those built through openstacksdk's
Resource objects from the same recorded rows."""

import json
import re

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from openstack import exceptions
from openstack.compute.v2.flavor import Flavor as SDKFlavor
from openstack.compute.v2.server import Server as SDKServer
from openstack.image.v2.image import Image as SDKImage

from osops import flavors, images, raw_list, servers
from osops.errors import Ambiguous, NotFound
from osops.models import POWER_STATES, Address, Flavor, Image, Server, iso8601
from tests.unit.conftest import cassette


def response(body, status=200):
    r = requests.Response()
    r.status_code, r._content = status, json.dumps(body).encode()
    r.headers["Content-Type"] = "application/json"
    return r


class Proxy:
    """A service proxy answering GETs from *pages*: {(url, marker): body}."""

    default_microversion = "2.100"  # what openstacksdk would have negotiated

    def __init__(self, answers):
        self.answers = answers
        self.asked = []

    def get(self, url, params=None, microversion=None, headers=None):
        params = dict(params or {})
        self.asked.append((url, params))
        if "name" in params and url in ("/images", "/servers/detail"):  # the name filters: one page here
            key = url.strip("/").split("/")[0]
            every = [i for (u, _), body in self.answers.items() if u == url for i in body[key]]
            if key == "images":  # Glance: the exact name
                return response({key: [i for i in every if i["name"] == params["name"]]})
            return response({key: [i for i in every if nova_name_match(params["name"], i["name"])]})
        marker = params.get("marker")
        body = self.answers.get((url, marker[0] if isinstance(marker, list) else marker))
        return response(body) if body is not None else response({"itemNotFound": {"message": "no"}}, 404)


def nova_name_match(pattern, name):
    """Nova's ``name`` filter on MySQL: "|" escaped, then a REGEXP search ignoring case."""
    return re.search(pattern.replace("|", "\\|"), name, re.IGNORECASE) is not None


class Conn:
    def __init__(self, image=None, compute=None):
        self.image, self.compute = image, compute


def glance(*pages_of_ids, image=None):
    """Glance's answers: each page's images, a next link on all but the last."""
    answers, marker = {}, None
    for i, ids in enumerate(pages_of_ids):
        body = {"images": [image(x) if image else img(x) for x in ids], "first": "/v2/images"}
        if i < len(pages_of_ids) - 1:
            body["next"] = f"/v2/images?limit=1000&marker={ids[-1]}"
        answers[("/images", marker)] = body
        marker = ids[-1]
    return answers


def img(image_id, name=None, disk="qcow2"):
    return {"id": image_id, "name": name or f"img-{image_id}", "status": "active", "disk_format": disk,
            "container_format": "bare", "size": 1, "visibility": "public", "self": f"/v2/images/{image_id}"}


def test_pages_follow_glances_next_link_with_its_limit():
    proxy = Proxy(glance(["a1", "a2"], ["b1", "b2"], ["c1"]))
    listed = list(raw_list.pages(proxy, "/images", "images", {"limit": 1000}))
    assert [[r["id"] for r in page] for page in listed] == [["a1", "a2"], ["b1", "b2"], ["c1"]]
    assert proxy.asked == [("/images", {"limit": 1000}),
                           ("/images", {"limit": ["1000"], "marker": ["a2"]}),
                           ("/images", {"limit": ["1000"], "marker": ["b2"]})]


def test_pages_follow_novas_links_keeping_the_filters():
    href = "http://compute.example/v2.1/servers/detail?marker=s1"
    proxy = Proxy({("/servers/detail", None): {"servers": [{"id": "s1"}],
                                               "servers_links": [{"rel": "next", "href": href}]},
                   ("http://compute.example/v2.1/servers/detail", "s1"): {"servers": [{"id": "s2"}]}})
    rows = list(raw_list.rows(raw_list.pages(proxy, "/servers/detail", "servers", {"all_tenants": True})))
    assert [r["id"] for r in rows] == ["s1", "s2"]
    assert proxy.asked[1] == ("http://compute.example/v2.1/servers/detail", {"all_tenants": True, "marker": ["s1"]})


def test_one_page_is_one_request():
    proxy = Proxy(glance(["a1", "a2"]))
    assert len(images.list_images(Conn(image=proxy))) == 2
    assert proxy.asked == [("/images", {"limit": raw_list.GLANCE_PAGE})]


def test_a_page_asked_twice_is_an_error_not_a_loop():
    proxy = Proxy({("/images", None): {"images": [img("a")], "next": "/v2/images"}})
    with pytest.raises(exceptions.SDKException, match="endless pagination"):
        list(raw_list.pages(proxy, "/images", "images"))


def test_an_http_error_is_openstacksdks():
    with pytest.raises(exceptions.NotFoundException):
        list(raw_list.pages(Proxy({}), "/images", "images"))


def test_rows_ask_no_page_after_the_one_with_every_id():
    proxy = Proxy(glance(["a1", "a2"], ["b1", "b2"], ["c1"]))
    assert [r["id"] for r in raw_list.rows(raw_list.pages(proxy, "/images", "images"), ["a2", "b1"])] == \
        ["a1", "a2", "b1", "b2"]
    assert len(proxy.asked) == 2


def nova_servers(*pages_of_names):
    answers, marker = {}, None
    for i, names in enumerate(pages_of_names):
        body = {"servers": [{"id": f"id-{n}", "name": n, "status": "ACTIVE"} for n in names]}
        if i < len(pages_of_names) - 1:
            body["servers_links"] = [{"rel": "next", "href": f"/v2.1/servers/detail?marker=id-{names[-1]}"}]
        answers[("/servers/detail", marker)] = body
        marker = f"id-{names[-1]}"
    return answers


def test_a_server_by_id_stops_at_its_page():
    proxy = Proxy(nova_servers(["web-1", "web-2"], ["db"], ["web-3"]))
    assert servers.find_server(Conn(compute=proxy), "id-db").name == "db"
    # not shaped as Nova's ids (UUIDs), "id-db" is tried as a name first
    assert [(p.get("name"), p.get("marker")) for _, p in proxy.asked] == \
        [(r"^id\-db$", None), (None, None), (None, ["id-web-2"])]


def test_a_server_by_name_reads_every_page_and_keeps_the_rules():
    proxy = Proxy(nova_servers(["web-1", "db"], ["web-3"]))
    with pytest.raises(Exception, match="ambiguous: it matches web-1 .*web-3"):
        servers.find_server(Conn(compute=proxy), "web")
    assert [p.get("name") for _, p in proxy.asked] == ["^web$", None, None]  # no server is named web


def test_exact_server_names_are_one_list_filtered_by_their_common_prefix():
    proxy = Proxy(nova_servers(["web-1", "db", "WEB-2"], ["web-2", "web-10"]))
    found = servers.find_servers(Conn(compute=proxy), ["web-2", "web-10", "web-1", "web-2"])
    assert [s.id for s in found] == ["id-web-2", "id-web-10", "id-web-1", "id-web-2"]  # not WEB-2
    assert proxy.asked == [("/servers/detail", {"name": r"^web\-"})]


def test_a_shared_name_an_id_or_a_missing_name_takes_the_whole_list():
    shared = Proxy(nova_servers(["web-a", "db"], ["web-a", "web-b"]))
    with pytest.raises(Exception, match="ambiguous: it matches web-a .*web-a"):
        servers.find_servers(Conn(compute=shared), ["web-b", "web-a"])
    assert [p.get("name") for _, p in shared.asked] == [r"^web\-", None, None]
    by_id = Proxy({("/servers/detail", None): {"servers": [{"id": UUID, "name": "web", "status": "ACTIVE"}]}})
    assert servers.find_servers(Conn(compute=by_id), ["web", UUID])[1].id == UUID
    assert by_id.asked == [("/servers/detail", {})]  # a UUID may be an id: no filter
    missing = Proxy(nova_servers(["web-1"], ["db"]))
    with pytest.raises(NotFound, match="no server 'web-9'"):
        servers.find_servers(Conn(compute=missing), ["web-1", "web-9"])
    assert [p.get("name") for _, p in missing.asked] == [r"^web\-", None, None]
    unrelated = Proxy(nova_servers(["web"], ["db"]))
    assert [s.id for s in servers.find_servers(Conn(compute=unrelated), ["web", "db"])] == ["id-web", "id-db"]
    assert unrelated.asked == [("/servers/detail", {}), ("/servers/detail", {"marker": ["id-web"]})]


@pytest.mark.parametrize("names, pattern", [
    (["web"], "^web$"), (["web-1", "web-2"], r"^web\-"), (["web-1", "web-1"], "^web\\-1$"),
    (["a|b"], "^a"), (["a|b", "a|c"], "^a"), (["|a"], None), (["web", "db"], None), ([""], None), ([], None),
])
def test_the_name_filter_is_one_name_or_a_common_prefix_never_an_alternation(names, pattern):
    assert servers._name_filter(names) == pattern


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6))
def test_every_name_passes_its_name_filter_as_nova_applies_it(names):
    pattern = servers._name_filter(names)
    assert pattern is None or all(nova_name_match(pattern, n) for n in names)


def test_a_wait_on_several_servers_lists_those_of_their_names():
    proxy = Proxy(nova_servers(["job-1", "job-2", "other"]))
    listed = [Server.from_api({"id": f"id-{n}", "name": n, "status": "BUILD"}) for n in ("job-1", "job-2")]
    fetch = servers._fetcher(Conn(compute=proxy), listed)
    assert set(fetch()) == {"id-job-1", "id-job-2"}
    assert proxy.asked == [("/servers/detail", {"name": r"^job\-"})]


def test_a_flavor_by_id_stops_at_its_page():
    answers = {("/flavors/detail", None): {"flavors": [{"id": "1", "name": "m1.tiny"}],
                                           "flavors_links": [{"rel": "next", "href": "/v2.1/flavors/detail?marker=1"}]},
               ("/flavors/detail", "1"): {"flavors": [{"id": "2", "name": "m1.small"}]}}
    proxy = Proxy(answers)
    assert flavors.find_flavor(Conn(compute=proxy), "1").name == "m1.tiny"
    assert proxy.asked == [("/flavors/detail", {"is_public": "None"})]
    assert flavors.find_flavor(Conn(compute=Proxy(answers)), "m1.small").id == "2"


UUID = "338c4102-60f0-4b2a-8cc2-4791652a2eaf"


def test_an_image_id_is_one_get_without_the_list():
    proxy = Proxy({(f"/images/{UUID}", None): img(UUID, "cirros"), **glance(["a1"], ["a2"])})
    assert images.find_image(Conn(image=proxy), UUID).name == "cirros"
    assert proxy.asked == [(f"/images/{UUID}", {})]


def test_an_id_glance_does_not_have_falls_back_to_the_list_and_its_rules():
    # a UUID-shaped name is still a name; a kernel image's id is still not bootable
    named = glance([img("a1", UUID)["id"]], image=lambda x: img("a1", UUID))
    proxy = Proxy(named)
    assert images.find_image(Conn(image=proxy), UUID).id == "a1"
    assert [url for url, _ in proxy.asked] == [f"/images/{UUID}", "/images"]  # the name filter finds it
    kernel = Proxy({(f"/images/{UUID}", None): img(UUID, "vmlinuz", disk="aki"),
                    ("/images", None): {"images": [img(UUID, "vmlinuz", disk="aki"), img("a1", "cirros")]}})
    with pytest.raises(NotFound, match="kernel, ramdisk and inactive images are left out"):
        images.find_image(Conn(image=kernel), UUID)


def test_an_exact_image_name_is_one_filtered_get_without_the_list():
    proxy = Proxy(glance(["a1", "a2"], ["a3"], image=lambda x: img(x, f"name-{x}")))
    assert images.find_image(Conn(image=proxy), "name-a3").id == "a3"
    assert proxy.asked == [("/images", {"name": "name-a3", "limit": raw_list.GLANCE_PAGE})]


def test_a_prefix_or_a_shared_name_falls_back_to_the_list_and_its_rules():
    names = {"a1": "cirros-0.6", "a2": "cirros-0.6", "a3": "ubuntu", "a4": "vmlinuz", "a5": "fedora"}
    body = glance(["a1", "a2", "a3"], ["a4", "a5"],
                  image=lambda x: img(x, names[x], disk="aki" if x == "a4" else "qcow2"))
    proxy = Proxy(body)
    assert images.find_image(Conn(image=proxy), "ubu").id == "a3"
    assert [p.get("name") for _, p in proxy.asked] == ["ubu", None, None]
    with pytest.raises(Ambiguous, match="a1.*a2"):
        images.find_image(Conn(image=Proxy(body)), "cirros-0.6")
    with pytest.raises(NotFound, match="kernel"):
        images.find_image(Conn(image=Proxy(body)), "vmlinuz")  # by name too, a kernel is not booted


def test_a_name_glance_refuses_to_filter_by_falls_back_to_the_list():
    class Refusing(Proxy):
        def get(self, url, params=None, microversion=None, headers=None):
            if params and "name" in params:
                self.asked.append((url, dict(params)))
                return response({"badRequest": {"message": "Invalid operator in"}}, 400)
            return super().get(url, params, microversion, headers)

    proxy = Refusing(glance(["a1"], image=lambda x: img(x, "in:a,b")))
    assert images.find_image(Conn(image=proxy), "in:a,b").id == "a1"
    assert len(proxy.asked) == 2


def test_names_by_id_is_one_get_each():
    proxy = Proxy({(f"/images/{UUID}", None): img(UUID, "cirros")})
    assert images.names_by_id(Conn(image=proxy), [UUID, UUID, "gone"]) == {UUID: "cirros", "gone": None}
    assert len(proxy.asked) == 2


# What the models were built from before: openstacksdk's Resource objects.
def image_via_sdk(img):
    return Image(id=img.id, name=img.name or "", status=img.status or "", disk_format=img.disk_format or "",
                 container_format=img.container_format or "", size=img.size, visibility=img.visibility or "")


def flavor_via_sdk(fl):
    return Flavor(id=fl.id, name=fl.name or "", ram=fl.ram, disk=fl.disk, ephemeral=fl.ephemeral or 0,
                  swap=fl.swap or 0, vcpus=fl.vcpus, rxtx_factor=fl.rxtx_factor if fl.rxtx_factor is not None else 1.0,
                  is_public=bool(fl.is_public))


def server_via_sdk(srv):
    addresses = tuple(Address(network=net, addr=a.get("addr", ""), version=a.get("version", 4),
                              type=a.get("OS-EXT-IPS:type", "fixed"), mac=a.get("OS-EXT-IPS-MAC:mac_addr", ""))
                      for net, addrs in (srv.addresses or {}).items() for a in addrs)
    flavor, image = srv.flavor, srv.image
    return Server(
        id=srv.id, name=srv.name or "", status=srv.status or "", task_state=srv.task_state,
        power_state=POWER_STATES.get(srv.power_state, str(srv.power_state or "")), addresses=addresses,
        flavor=(flavor.get("original_name") or flavor.get("name") or flavor.get("id") or "") if flavor else "",
        image=(image.get("name") or image.get("id") or "") if image else "",
        fault=(srv.fault or {}).get("message", "") if isinstance(srv.fault, dict) else "",
        metadata=dict(srv.metadata or {}), created=iso8601(srv.created_at) or "", key_name=srv.key_name,
        project_id=srv.project_id or "", image_id=(image or {}).get("id") or "",
        availability_zone=srv.availability_zone or None, host=srv.compute_host or None,
        hypervisor=srv.hypervisor_hostname or None, vm_state=srv.vm_state or None,
        security_groups=tuple(dict.fromkeys(g.get("name", "") for g in srv.security_groups or ())),
        volumes=tuple(v.get("id", "") for v in srv.attached_volumes or ()), launched_at=iso8601(srv.launched_at),
        updated=iso8601(srv.updated_at), user_id=srv.user_id or "")


def recorded_rows(name, path_end, key):
    return [row for item in cassette(name)["interactions"] if item["request"]["method"] == "GET"
            and item["request"]["url"].endswith(path_end) for row in (item["response"].get("json") or {}).get(key, ())]


@pytest.mark.parametrize(("name", "path_end", "key", "sdk", "model", "via_sdk"), [
    ("image-list", "/v2/images", "images", SDKImage, Image, image_via_sdk),
    ("flavor-list", "/flavors/detail", "flavors", SDKFlavor, Flavor, flavor_via_sdk),
    ("server-list", "/servers/detail", "servers", SDKServer, Server, server_via_sdk),
    ("lab-demo", "/servers/detail", "servers", SDKServer, Server, server_via_sdk),
])
def test_models_from_the_json_equal_those_from_openstacksdk(name, path_end, key, sdk, model, via_sdk):
    rows = recorded_rows(name, path_end, key)
    assert rows
    for row in rows:
        resource = sdk.existing(**{k: v for k, v in row.items() if k != "self"})
        assert model.from_api(row) == via_sdk(resource)


def test_nova_json_edges_read_as_openstacksdk_did():
    # no swap is "" before microversion 2.75; a server booted from a volume has image ""
    row = {"id": "f", "name": "m1", "ram": 64, "disk": 1, "vcpus": 1, "swap": "", "OS-FLV-EXT-DATA:ephemeral": 0}
    assert Flavor.from_api(row) == flavor_via_sdk(SDKFlavor.existing(**row))
    flavor = Flavor.from_api(row)
    assert (flavor.swap, flavor.is_public, flavor.rxtx_factor) == (0, True, 1.0)
    server = {"id": "s", "name": "vol", "status": "ACTIVE", "image": "", "flavor": {"original_name": "m1"},
              "OS-EXT-STS:power_state": 1, "created": "2026-12-04T15:38:49Z"}
    assert Server.from_api(server) == server_via_sdk(SDKServer.existing(**server))
    assert (Server.from_api(server).image, Server.from_api(server).power_state) == ("", "Running")
