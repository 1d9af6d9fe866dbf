"""The scale rows (``bench/run --scale``, on a cloud nobody else uses meanwhile).

In a project of its own (``bench-s-project``, the admin user as admin, no
quotas), made through the API many at a time: 2,000 images (records
without data, and one image of 1 KiB, ``bench-s-boot``, to boot),
500 flavors (1 MB, no disk) and 300 servers (no network; ``--scale-servers``)
on fake compute hosts of their own, the timed rows' servers on another
(bench/fakehost.py).  Rows: image, flavor and server list; one boot
by image name (resolved against the 2,000) and its delete; ``boot --count
50 --wait``; ``delete --wait`` of 50 by name.  Each list row also runs once
per tool before the resources exist, for how it grows.  Everything is
removed in a finally (also on Ctrl-C or SIGTERM), and at the start if an
earlier run left its project.
"""

import os
import shutil
import subprocess
import tempfile
import time

from bench import install, servers
from bench.cloudapi import Api, ApiError, parallel
from bench.cloudtime import name_query
from bench.fakehost import HOST, ZONE, FakeHost
from bench.measure import Context, measure
from bench.novalog import Logs
from bench.proxy import CountingProxy
from bench.rows import Row, argvs, many
from bench.tools import Step, Tool

CLOUD, PROJECT = "bench-scale", "bench-s-project"
IMAGES, FLAVORS, MANY = 2000, 500, 50
PER_BULK_HOST = 100
SERVERS = {"count": 300}  # bench/run --scale-servers changes it
RUNS = {"list": 3, "boot": 2}  # bench/run --runs, --boot-runs change them
BOOT_IMAGE, FLAVOR = "bench-s-boot", "bench-s-flv-000"

_CLOUDS = r"""
import os, sys, yaml
with open(sys.argv[1]) as f:
    clouds = yaml.safe_load(f)
entry = dict(clouds["clouds"][sys.argv[2]])
entry["auth"] = {k: v for k, v in entry["auth"].items() if k not in ("project_id", "project_name")}
entry["auth"]["project_name"] = sys.argv[4]
clouds["clouds"][sys.argv[3]] = entry
fd = os.open(sys.argv[5], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
with os.fdopen(fd, "w") as f:
    yaml.safe_dump(clouds, f)
"""


def rows(image_id, flavor_id, api):
    """The scale rows; the delete row's servers are made before each run, the boot rows' removed after."""
    boot = ["--image", BOOT_IMAGE, "--flavor", FLAVOR, "--availability-zone", ZONE]
    osc_boot = [*boot, "--network", "private"]

    def make_many(stem):
        servers.create(api, stem, MANY, image_id, flavor_id, ZONE)
        servers.wait_active(api, name_query(stem), MANY)

    def drop(stem):
        servers.remove(api, name_query(stem))

    return [
        Row("image-list", "`image list`", lambda n: argvs(["image", "list"]), lambda n: argvs(["image", "list"]),
            "list"),
        Row("flavor-list", "`flavor list`", lambda n: argvs(["flavor", "list"]),
            lambda n: argvs(["flavor", "list"]), "list"),
        Row("server-list", "`server list`", lambda n: argvs(["server", "list"]),
            lambda n: argvs(["server", "list"]), "list"),
        Row("boot-image", "boot `--image NAME` + wait + delete",
            lambda n: [Step(["boot", n, *boot], "boot"), Step(["delete", n, "--wait"], "delete")],
            lambda n: [Step(["server", "create", *osc_boot, "--wait", n], "boot"),
                       Step(["server", "delete", "--wait", n], "delete")], "boot",
            note=f"the image named among {IMAGES:,} images, the flavor among {FLAVORS}"),
        Row("boot-50", f"`boot --count {MANY} --wait`",
            lambda n: [Step(["boot", n, "--count", str(MANY), *boot], "boot")],
            lambda n: [Step(["server", "create", *osc_boot, "--min", str(MANY), "--max", str(MANY), "--wait", n],
                            "boot")], "boot", after=drop,
            note=f"OSC's `--wait` waits for the first of the {MANY} only; the bench deletes them after each run"),
        Row("delete-50", f"`delete --wait` of {MANY} by name",
            lambda n: [Step(["delete", *many(n, MANY), "--wait"], "delete")],
            lambda n: [Step(["server", "delete", "--wait", *many(n, MANY)], "delete")], "boot", before=make_many,
            note=f"the bench makes the {MANY} (no network) before each run"),
    ]


def run(args, osops_exe, osc_exe, log):
    """(results, extra lines for the report) of the scale rows."""
    osops_py = osops_exe.parent / "python"
    admin_env = install.base_env()
    admin = Api(osops_py, admin_env, install.CLOUD)
    work = tempfile.mkdtemp(prefix="osops-bench-scale-")
    hosts, project = [], None
    try:
        stale = _project(admin)
        if stale:
            log(f"removing what an earlier scale run left (project {PROJECT}) ...")
            _teardown(admin, stale, [], log)
        project = _make_project(admin)
        clouds = os.path.join(work, "clouds.yaml")
        subprocess.run([str(osops_py), "-c", _CLOUDS, str(install.STATE / "clouds.yaml"), install.CLOUD, CLOUD,
                        PROJECT, clouds], check=True, env=admin_env)
        env = install.base_env(clouds, CLOUD)
        api = Api(osops_py, env, CLOUD)
        hosts = _hosts(admin, log)
        parallel(FakeHost.start, hosts, workers=len(hosts))
        logs = Logs(install.STATE / "logs" / "nova-api.log", [hosts[0].log_file])
        ctx = Context(CountingProxy(), Tool("floor", osops_py, {**env, "BENCH_TOKEN": api.token}), api, logs, log)
        tools = [Tool("osops", osops_exe, env), Tool("osc", osc_exe, env)]
        image_id, flavor_id = _boot_image(api), _flavor(admin, 0)
        scale_rows = rows(image_id, flavor_id, api)
        before = _baseline(scale_rows, tools, ctx, api)
        _populate(api, admin, image_id, flavor_id, [h.host for h in hosts[1:]], log)
        results = []
        for row in scale_rows:
            runs = RUNS["boot"] if row.kind == "boot" else RUNS["list"]
            log(f"{row.key}: {runs} timed runs each")
            results.append(measure(row, tools, runs, ctx))
        return results, _growth(before, results, _counts(api))
    finally:
        if project:
            _teardown(admin, project, hosts, log)
        else:
            for host in hosts:
                host.remove()
        shutil.rmtree(work, ignore_errors=True)


def _hosts(admin, log):
    """The timed rows' fake host, then one for each PER_BULK_HOST servers of the bulk."""
    bulk = -(-SERVERS["count"] // PER_BULK_HOST)
    return [FakeHost(admin, log), *(FakeHost(admin, log, f"{HOST}-{i}", f"127.0.0.{254 - i}")
                                    for i in range(1, bulk + 1))]


def _project(admin):
    found = admin.get("identity", f"/projects?name={PROJECT}")["projects"]
    return found[0]["id"] if found else None


def _make_project(admin):
    project = admin.post("identity", "/projects", {"project": {"name": PROJECT, "domain_id": "default",
                                                               "description": "bench/run --scale"}})["project"]["id"]
    role = admin.get("identity", "/roles?name=admin")["roles"][0]["id"]
    admin.put("identity", f"/projects/{project}/users/{admin.user_id}/roles/{role}", None)
    admin.put("compute", f"/os-quota-sets/{project}", {"quota_set": {"instances": -1, "cores": -1, "ram": -1}})
    admin.put("network", f"/quotas/{project}", {"quota": {"port": -1}})
    return project


def _boot_image(api):
    image = api.post("image", "/images", {"name": BOOT_IMAGE, "disk_format": "raw", "container_format": "bare"})
    api.upload(image["id"], b"\0" * 1024)
    return image["id"]


def _flavor(admin, i):
    body = {"flavor": {"name": f"bench-s-flv-{i:03d}", "ram": 1, "vcpus": 1, "disk": 0}}
    return admin.post("compute", "/flavors", body)["flavor"]["id"]


def _populate(api, admin, image_id, flavor_id, bulk_hosts, log):
    started = time.monotonic()
    parallel(lambda i: api.post("image", "/images", {"name": f"bench-s-img-{i:04d}", "disk_format": "raw",
                                                     "container_format": "bare"}), range(1, IMAGES))
    log(f"{IMAGES - 1} more images in {time.monotonic() - started:.0f} s")
    started = time.monotonic()
    parallel(lambda i: _flavor(admin, i), range(1, FLAVORS))
    log(f"{FLAVORS - 1} more flavors in {time.monotonic() - started:.0f} s")
    started = time.monotonic()
    count = SERVERS["count"]
    batches = [(f"bench-s-srv{b}", min(MANY, count - b * MANY), f"nova:{bulk_hosts[b * MANY // PER_BULK_HOST]}")
               for b in range(-(-count // MANY))]
    parallel(lambda batch: servers.create(api, *batch[:2], image_id, flavor_id, batch[2]), batches,
             workers=len(bulk_hosts))
    servers.wait_active(api, servers.prefix_query("bench-s-srv"), count)
    log(f"{count} servers on {len(bulk_hosts)} fake hosts in {time.monotonic() - started:.0f} s")


def _counts(api):
    return {"image-list": len(api.images()),
            "flavor-list": len(api.get("compute", "/flavors")["flavors"]),
            "server-list": len(api.get("compute", "/servers")["servers"])}


def _baseline(scale_rows, tools, ctx, api):
    """Each list row per tool before the resources exist (a warm-up, a run
    through the proxy for its calls, a timed run):
    {row key: ({tool: (wall, rss KiB, calls)}, resources)}."""
    out = {}
    counts = _counts(api)
    for row in scale_rows:
        if row.kind != "list":
            continue
        per_tool = {}
        for tool in tools:
            steps = getattr(row, tool.name)("x")
            tool.run(steps)
            ctx.proxy.take()
            tool.run(steps, proxy=ctx.proxy)
            calls = len(ctx.proxy.take())
            run = tool.run(steps)
            per_tool[tool.name] = (run.wall, run.rss_kib, calls)
        out[row.key] = (per_tool, counts[row.key])
    return out


def _growth(before, results, counts):
    """How the list rows grow: calls, time and memory per resource from
    the empty project to the full one."""
    lines = ["How the list rows grow, from the project before the resources (one run per tool) to the "
             "scale rows (medians):", "",
             "| Row | resources | calls osops / OSC | ms per resource osops / OSC | KiB per resource osops / OSC |",
             "|---|---|---|---|---|"]
    for r in results:
        if r.row.key not in before:
            continue
        small, n0 = before[r.row.key]
        n1 = counts[r.row.key]
        grown = max(n1 - n0, 1)
        cells = []
        for tool in ("osops", "osc"):
            wall, rss, calls = small[tool]
            cells.append((f"{calls} → {len(r.calls[tool])}",
                          f"{(r.median(tool) - wall) * 1000 / grown:.2f}",
                          f"{(max(x.rss_kib for x in r.runs[tool]) - rss) / grown:.1f}"))
        lines.append(f"| {r.row.title} | {n0} → {n1} | {cells[0][0]} / {cells[1][0]} "
                     f"| {cells[0][1]} / {cells[1][1]} | {cells[0][2]} / {cells[1][2]} |")
    return ["", *lines, ""]


def _teardown(admin, project, hosts, log):
    """Remove everything of the scale run; each step runs even if one before it failed."""
    def servers_gone():
        servers.remove(admin, f"project_id={project}")

    def images_gone():
        mine = [i for i in admin.images() if i.get("owner") == project]
        parallel(lambda i: admin.delete("image", f"/images/{i['id']}"), mine)

    def flavors_gone():
        flavors = admin.get("compute", "/flavors?is_public=None")["flavors"]
        parallel(lambda f: admin.delete("compute", f"/flavors/{f['id']}"),
                 [f for f in flavors if f["name"].startswith("bench-s-flv-")])

    def network_gone():
        for port in admin.get("network", f"/ports?project_id={project}")["ports"]:
            admin.delete("network", f"/ports/{port['id']}")
        for group in admin.get("network", f"/security-groups?project_id={project}")["security_groups"]:
            admin.delete("network", f"/security-groups/{group['id']}")
        admin.delete("network", f"/quotas/{project}")

    def project_gone():
        if admin.servers(f"project_id={project}"):
            raise SystemExit(f"servers are left in {PROJECT}: the project stays for the next run to remove")
        admin.delete("compute", f"/os-quota-sets/{project}")
        admin.delete("identity", f"/projects/{project}")

    steps = [servers_gone, *(h.remove for h in hosts), images_gone, flavors_gone, network_gone, project_gone]
    for step in steps:
        try:
            step()
        except (ApiError, SystemExit, OSError) as exc:
            log(f"bench: clean-up step {step.__name__} failed: {exc}")
    log("scale resources removed")
