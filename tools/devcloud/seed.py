"""Seed the devcloud like devstack.  Runs in the services' venv.

usage: seed.py STATE_DIR identity|resources|images|network-node|wait-conductor

identity:     projects demo and service, user demo, the service users, and
              the catalog (keystone-manage bootstrap made admin and identity).
images:       the cirros images, real ones where devcloud built the guest
              (see seed_images); at every up, quick when nothing changed.
resources:    flavors, and devstack's topology: the shared network
              `private` (private-subnet 10.0.0.0/26), the external flat
              network `public` (public-subnet 172.24.4.0/24, no DHCP, its
              outside 172.24.4.1 is devcloud's namespace devcloud-ext) and
              `router1` of project demo (as devstack makes it, so that
              demo's servers get floating IPs), its gateway on public, an
              interface on private-subnet.
network-node: a network:dhcp port on each network with IPv4 DHCP subnets,
              with an address on each of them, as Neutron's DHCP agent
              makes; prints one JSON line per port (network id, port id,
              MAC, addresses as address/prefix) for devcloud to plug.
Idempotent: whatever exists by name is left alone (an image also needs
the right data).
"""
import ipaddress
import json
import struct
import sys
import time

PW = "devstack"
REGION = "RegionOne"
SERVICES = [  # name, type, URL
    ("glance", "image", "http://127.0.0.1:9292"),
    ("placement", "placement", "http://127.0.0.1:8778"),
    ("nova", "compute", "http://127.0.0.1:8774/v2.1"),
    ("neutron", "network", "http://127.0.0.1:9696"),
]
FLAVORS = [  # id, name, ram MB, disk GB, vcpus
    ("1", "m1.tiny", 512, 1, 1), ("2", "m1.small", 2048, 20, 1),
    ("3", "m1.medium", 4096, 40, 2), ("4", "m1.large", 8192, 80, 4),
    ("5", "m1.xlarge", 16384, 160, 8), ("42", "m1.nano", 64, 0, 1),
    ("84", "m1.micro", 128, 0, 1),
]


def admin_session():
    from keystoneauth1 import session as ks_session
    from keystoneauth1.identity import v3
    auth = v3.Password(auth_url="http://127.0.0.1:5000/v3", username="admin",
                       password=PW, project_name="admin",
                       user_domain_id="default", project_domain_id="default")
    return ks_session.Session(auth=auth, timeout=60)


class Api:
    def __init__(self, sess, service_type, endpoint=None):
        self.s, self.kw = sess, {"endpoint_filter": {
            "service_type": service_type, "interface": "public",
            "region_name": REGION}}
        if endpoint:
            self.kw = {"endpoint_override": endpoint}

    def get(self, path, **kw):
        return self.s.get(path, **self.kw, **kw).json()

    def post(self, path, body, **kw):
        r = self.s.post(path, json=body, **self.kw, **kw)
        return r.json() if r.content else None

    def put(self, path, **kw):
        return self.s.put(path, **self.kw, **kw)


def find_or_create(api, path, key, name, body, query=""):
    found = api.get("%s?name=%s%s" % (path, name, query))[key + "s"]
    if found:
        return found[0]
    return api.post(path, {key: body})[key]


def seed_identity(sess):
    ks = Api(sess, "identity", "http://127.0.0.1:5000/v3")
    dom = {"domain_id": "default"}
    roles = {r["name"]: r["id"] for r in ks.get("/roles")["roles"]}
    for role in ("service", "member", "reader"):
        if role not in roles:
            roles[role] = ks.post("/roles", {"role": {"name": role}})[
                "role"]["id"]
    projects = {}
    for name, desc in (("service", "devcloud service users"),
                       ("demo", "devcloud demo project")):
        projects[name] = find_or_create(ks, "/projects", "project", name, dict(
            dom, name=name, description=desc), "&domain_id=default")["id"]

    def user(name, project, role_names):
        u = find_or_create(ks, "/users", "user", name, dict(
            dom, name=name, password=PW, default_project_id=project),
            "&domain_id=default")
        for r in role_names:
            ks.put("/projects/%s/users/%s/roles/%s" % (project, u["id"],
                                                        roles[r]))

    user("demo", projects["demo"], ["member", "reader"])
    for name, stype, url in SERVICES:
        user(name, projects["service"], ["admin", "service"])
        svc = [s for s in ks.get("/services?type=" + stype)["services"]]
        svc = svc[0] if svc else ks.post("/services", {"service": {
            "name": name, "type": stype, "enabled": True}})["service"]
        have = {e["interface"] for e in ks.get(
            "/endpoints?service_id=" + svc["id"])["endpoints"]}
        for iface in ("public", "internal", "admin"):
            if iface not in have:
                ks.post("/endpoints", {"endpoint": {
                    "service_id": svc["id"], "interface": iface, "url": url,
                    "region_id": REGION, "enabled": True}})


def tiny_qcow2(virtual_size=112 * 1024 * 1024):
    """A structurally valid, empty qcow2 v3 image of four 64 KiB clusters:
    header, refcount table, refcount block, L1 table."""
    cs = 1 << 16
    buf = bytearray(4 * cs)
    struct.pack_into(
        ">4sIQIIQIIQQIIQQQQII", buf, 0, b"QFI\xfb", 3, 0, 0, 16,
        virtual_size, 0, 1, 3 * cs, 1 * cs, 1, 0, 0, 0, 0, 0, 4, 104)
    struct.pack_into(">Q", buf, cs, 2 * cs)           # refcount table
    struct.pack_into(">4H", buf, 2 * cs, 1, 1, 1, 1)  # clusters 0..3 used
    return bytes(buf)


def seed_images(sess):
    """The cirros images: the guest image devcloud built (its files in
    $DEVCLOUD_GUEST_KERNEL, _INITRAMFS and _QCOW2) for real guests, else
    placeholders that nothing boots.  An image whose data is not what it
    should be (a placeholder where a guest is wanted, an older build) is
    made again under its name, with the images that name it."""
    import hashlib
    import os

    image = Api(sess, "image")
    guest = {k: os.environ.get("DEVCLOUD_GUEST_" + k.upper()) for k in ("kernel", "initramfs", "qcow2")}

    def data(kind, placeholder):
        if not guest[kind]:
            return placeholder
        with open(guest[kind], "rb") as f:
            return f.read()

    def img(name, disk, container, content, **props):
        digest = hashlib.sha512(content).hexdigest()
        # by name: a listing's first page may hold none of ours (a cloud of many images)
        found = next(iter(image.get("/v2/images?name=" + name)["images"]), None)
        if found and found["status"] == "active" and found.get("os_hash_value") == digest and all(
                found.get(k) == v for k, v in props.items()):
            return found["id"]
        if found:  # half-made by an interrupted run, or of other data: made again
            sess.delete("/v2/images/" + found["id"], **image.kw)
        i = image.post("/v2/images", dict(name=name, disk_format=disk, container_format=container,
                                          visibility="public", **props))
        image.put("/v2/images/%s/file" % i["id"], data=content,
                  headers={"Content-Type": "application/octet-stream"})
        return i["id"]

    def blob(kind):
        return b"osops devcloud placeholder %s, not bootable\n" % kind * 64

    kernel = img("cirros-0.3.4-x86_64-uec-kernel", "aki", "aki", data("kernel", blob(b"kernel")))
    ramdisk = img("cirros-0.3.4-x86_64-uec-ramdisk", "ari", "ari", data("initramfs", blob(b"ramdisk")))
    # the AMI's root disk: the guest runs from its initramfs, so an empty raw disk will do
    img("cirros-0.3.4-x86_64-uec", "ami", "ami", bytes(1 << 20) if guest["kernel"] else blob(b"disk"),
        kernel_id=kernel, ramdisk_id=ramdisk)
    img("cirros-0.6.2-x86_64-disk", "qcow2", "bare", data("qcow2", tiny_qcow2()))


def seed_resources(sess):
    compute = Api(sess, "compute")
    have = {f["id"] for f in compute.get("/flavors?is_public=None")["flavors"]}
    for fid, name, ram, disk, vcpus in FLAVORS:
        if fid not in have:
            compute.post("/flavors", {"flavor": {
                "id": fid, "name": name, "ram": ram, "disk": disk,
                "vcpus": vcpus, "os-flavor-access:is_public": True}})

    seed_topology(Api(sess, "network"))


def seed_topology(net):
    """private, public and router1, as devstack makes them."""
    private = subnet(net, find_or_create(net, "/v2.0/networks", "network", "private",
                                         {"name": "private", "shared": True}),
                     name="private-subnet", cidr="10.0.0.0/26", gateway_ip="10.0.0.1", enable_dhcp=True)
    public = find_or_create(net, "/v2.0/networks", "network", "public", {
        "name": "public", "router:external": True, "provider:network_type": "flat",
        "provider:physical_network": "public"})
    subnet(net, public, name="public-subnet", cidr="172.24.4.0/24", gateway_ip="172.24.4.1",
           enable_dhcp=False, allocation_pools=[{"start": "172.24.4.2", "end": "172.24.4.254"}])
    demo = Api(net.s, "identity", "http://127.0.0.1:5000/v3").get("/projects?name=demo")["projects"][0]["id"]
    router = find_or_create(net, "/v2.0/routers", "router", "router1", {
        "name": "router1", "project_id": demo, "external_gateway_info": {"network_id": public["id"]}})
    interfaces = net.get("/v2.0/ports?device_owner=network:router_interface&device_id=" + router["id"])["ports"]
    if not any(f["subnet_id"] == private["id"] for p in interfaces for f in p["fixed_ips"]):
        net.s.put("/v2.0/routers/%s/add_router_interface" % router["id"], json={"subnet_id": private["id"]},
                  **net.kw)


def subnet(net, network, **body):
    """The network's subnet named body["name"], made when missing."""
    have = net.get("/v2.0/subnets?network_id=%s&name=%s" % (network["id"], body["name"]))["subnets"]
    if have:
        return have[0]
    return net.post("/v2.0/subnets", {"subnet": dict(body, network_id=network["id"], ip_version=4)})["subnet"]


def network_node(sess):
    net = Api(sess, "network")
    subnets = net.get("/v2.0/subnets?enable_dhcp=True&ip_version=4")["subnets"]
    for network_id, dhcp_subnets in by_network(subnets).items():
        owner = "devcloud-dhcp-" + network_id
        ports = net.get("/v2.0/ports?device_owner=network:dhcp&device_id=" + owner)["ports"]
        if not ports:
            port = net.post("/v2.0/ports", {"port": {
                "name": "dhcp", "network_id": network_id, "device_owner": "network:dhcp", "device_id": owner,
                "fixed_ips": [{"subnet_id": s["id"]} for s in dhcp_subnets]}})["port"]
        else:
            port, missing = ports[0], fixed_ips_missing(ports[0], dhcp_subnets)
            if missing:  # a DHCP subnet made since
                port = net.put("/v2.0/ports/" + port["id"], json={"port": {
                    "fixed_ips": port["fixed_ips"] + missing}}).json()["port"]
        print(json.dumps(port_line(port, dhcp_subnets)))


def by_network(subnets):
    """{network id: [its subnets]}, in the order *subnets* come."""
    found = {}
    for subnet in subnets:
        found.setdefault(subnet["network_id"], []).append(subnet)
    return found


def fixed_ips_missing(port, subnets):
    """The fixed_ips *port* lacks for an address on each of *subnets*."""
    have = {f["subnet_id"] for f in port["fixed_ips"]}
    return [{"subnet_id": s["id"]} for s in subnets if s["id"] not in have]


def port_line(port, subnets):
    """What devcloud plugs for the DHCP *port*: its network, id, MAC and
    its address/prefix on each of *subnets*."""
    prefix = {s["id"]: ipaddress.ip_network(s["cidr"]).prefixlen for s in subnets}
    return {"network_id": port["network_id"], "port_id": port["id"], "mac": port["mac_address"],
            "addresses": ["%s/%d" % (f["ip_address"], prefix[f["subnet_id"]])
                          for f in port["fixed_ips"] if f["subnet_id"] in prefix]}


def wait_conductor(timeout=120):
    """Wait until nova-conductor consumes its RPC queue (the queue is not
    durable, so it exists only once a conductor has declared it)."""
    import amqp
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with amqp.Connection("127.0.0.1:5672", userid="guest",
                                 password="guest", connect_timeout=3) as c:
                c.channel().queue_declare("conductor", passive=True)
                return
        except amqp.exceptions.NotFound:
            time.sleep(0.3)
        except OSError:
            time.sleep(1)
    sys.exit("nova-conductor did not consume its queue in %ds" % timeout)


if __name__ == "__main__":
    if sys.argv[2] == "wait-conductor":
        wait_conductor()
    else:
        steps = {"identity": seed_identity, "resources": seed_resources, "images": seed_images,
                 "network-node": network_node}
        steps[sys.argv[2]](admin_session())
        if sys.argv[2] != "network-node":
            print("seeded", sys.argv[2])
