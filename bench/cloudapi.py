"""The bench's own calls to the cloud (set-up, clean-up, reading Nova's
records after a run): a token and the endpoints taken once with the osops
venv's openstacksdk, then urllib straight to the cloud, never through the
counting proxy, many at once with a thread pool."""

import concurrent.futures
import json
import subprocess
import urllib.error
import urllib.request

DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# Nova asks Neutron for the ports of a page's servers in one URL (150 ids at most); behind
# gunicorn's default 4094-byte request line that fails past about 85 servers
SERVER_PAGE = 80
COMPUTE_VERSION = "2.96"  # launched_at, instance actions of deleted servers, host in the list

_SESSION = r"""
import json, sys, openstack
conn = openstack.connect(cloud=sys.argv[1])
ends = {t: conn.session.get_endpoint(service_type=t, interface="public")
        for t in ("compute", "image", "network", "identity", "placement")}
print(json.dumps({"token": conn.session.get_token(), "project_id": conn.current_project_id,
                  "user_id": conn.current_user_id, "endpoints": ends}))
"""


class ApiError(RuntimeError):
    """A call answered with an error status."""

    def __init__(self, status, text):
        super().__init__(f"{status}: {text[:300]}")
        self.status = status


class Api:
    """REST calls with one token, by service type and path."""

    def __init__(self, python, env, cloud):
        done = subprocess.run([str(python), "-c", _SESSION, cloud], env=env, capture_output=True,
                              text=True, timeout=300)
        if done.returncode != 0:
            raise SystemExit(f"bench: no token for {cloud}: {done.stderr.strip()[-500:]}")
        session = json.loads(done.stdout)
        self.token, self.project_id = session["token"], session["project_id"]
        self.user_id, self.endpoints = session["user_id"], session["endpoints"]

    def url(self, service, path):
        base = self.endpoints[service].rstrip("/")
        prefix = {"image": "/v2", "network": "/v2.0", "identity": "/v3"}.get(service, "")
        if prefix and base.endswith(prefix):
            prefix = ""
        return f"{base}{prefix}{path}"

    def upload(self, image_id, data):
        """Put *data* into a queued image."""
        request = urllib.request.Request(self.url("image", f"/images/{image_id}/file"), data=data, method="PUT",
                                         headers={"X-Auth-Token": self.token,
                                                  "Content-Type": "application/octet-stream"})
        with DIRECT.open(request, timeout=300) as answer:
            answer.read()

    def call(self, method, service, path, body=None, headers=None, missing_ok=False):
        """The JSON answer (None when there is none); with *missing_ok*, a 404 is None."""
        all_headers = {"X-Auth-Token": self.token, "Accept": "application/json"}
        if service == "compute":
            all_headers["OpenStack-API-Version"] = f"compute {COMPUTE_VERSION}"
        if service == "placement":
            all_headers["OpenStack-API-Version"] = "placement 1.26"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        request = urllib.request.Request(self.url(service, path), data=data, method=method, headers=all_headers)
        try:
            with DIRECT.open(request, timeout=300) as answer:
                text = answer.read()
        except urllib.error.HTTPError as exc:
            if missing_ok and exc.code == 404:
                return None
            raise ApiError(exc.code, exc.read().decode(errors="replace")) from None
        return json.loads(text) if text.strip() else None

    def get(self, service, path, **kw):
        return self.call("GET", service, path, **kw)

    def post(self, service, path, body, **kw):
        return self.call("POST", service, path, body, **kw)

    def put(self, service, path, body, **kw):
        return self.call("PUT", service, path, body, **kw)

    def delete(self, service, path, **kw):
        return self.call("DELETE", service, path, missing_ok=True, **kw)

    def servers(self, query):
        """Every server matching *query* (all pages), of all projects."""
        out, marker = [], None
        while True:
            page = f"/servers/detail?all_tenants=1&limit={SERVER_PAGE}&{query}"
            page += f"&marker={marker}" if marker else ""
            servers = self.get("compute", page)["servers"]
            out += servers
            if len(servers) < SERVER_PAGE:
                return out
            marker = servers[-1]["id"]

    def images(self):
        """Every image (all pages)."""
        out, path = [], "/images?limit=1000"
        while path:
            page = self.get("image", path)
            out += page["images"]
            path = page.get("next", "").removeprefix("/v2") or None
        return out


def parallel(fn, items, workers=16):
    """fn(item) for each item, *workers* at a time; the results in order.
    An interrupt cancels what has not started (the clean-up finds by name
    whatever the started ones made)."""
    pool = concurrent.futures.ThreadPoolExecutor(workers)
    try:
        futures = [pool.submit(fn, item) for item in items]
        return [f.result() for f in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
