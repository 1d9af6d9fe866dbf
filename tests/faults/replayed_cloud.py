"""A recorded session served over a real socket on 127.0.0.1, where the
servers it boots and deletes come and go.

:class:`LiveReplay` is the strict replay of :mod:`osops.testing.replay`
with what a fault needs on top: the create call really creates (the
servers of the recorded boot, with the metadata the call sent), a DELETE
really deletes (later GETs answer 404, lists leave the server out), a
list the recording lacks (the lookup of a boot whose answer was lost)
answers with the servers alive, and a request the proxy marks as sent
again (``X-Fault-Repeat``) gets the answer the first one got.
:meth:`LiveReplay.left` is what was created and not deleted.

:class:`ReplayServer` serves a LiveReplay over HTTP; the service is told
by the Host header (the placeholders' hosts, ``compute.osops.invalid``
...), which a client reaches through the proxy of :mod:`tests.faults.proxy`.
"""

import copy
import http.server
import json
import re
import threading
import urllib.parse

import requests
import requests_mock

from osops.testing.replay import Replay, UnmatchedRequest

SERVERS = re.compile(r"/servers(?:/(?P<id>[0-9a-f-]{36}))?(?P<rest>/detail)?$")
REPEAT = "X-Fault-Repeat"


class LiveReplay(Replay):
    """A replay in which the recorded boot creates and DELETE deletes."""

    def __init__(self, data):
        super().__init__(data)
        self.created = {}  # id -> server (recorded JSON, with the metadata the create call sent)
        self.deleted = []
        self.lock = threading.Lock()
        self._boot = _recorded_boot(data)

    def left(self):
        """Names of the servers created and not deleted."""
        return sorted(s["name"] for sid, s in self.created.items() if sid not in self.deleted)

    def match(self, request):
        with self.lock:
            split = urllib.parse.urlsplit(request.url)
            m = SERVERS.search(split.path) if split.hostname == "compute.osops.invalid" else None
            sid = m and m["id"]
            if m and sid and request.method == "DELETE" and not m["rest"]:
                return self._delete(request, sid)
            if m and sid and request.method == "GET" and sid in self.deleted:
                self.calls.append(f"GET {request.url}")
                return _json(request, 404, {"itemNotFound": {"code": 404, "message": f"Instance {sid} could not "
                                                             "be found."}})
            served = dict(self._served)
            try:
                response = super().match(request)
            except UnmatchedRequest:
                if not (m and m["rest"] and request.method == "GET"):
                    raise
                self.unmatched.pop()
                return self._list(request, urllib.parse.parse_qs(split.query))
            if request.headers.get(REPEAT):
                self._served = served  # what the first try consumed stands for both
            if request.method == "POST" and m and not sid and response.status_code == 202:
                self._create(fmt_body(request))
            return response

    def _respond(self, request, response):
        """The recorded answer with deleted servers left out of lists and
        created ones carrying the metadata their create call sent."""
        body = response.get("json")
        if isinstance(body, dict) and ("servers" in body or "server" in body):
            body = copy.deepcopy(body)
            if "servers" in body:
                body["servers"] = [self._live(s) for s in body["servers"] if s.get("id") not in self.deleted]
            else:
                body["server"] = self._live(body["server"])
            response = {**response, "json": body}
        return super()._respond(request, response)

    def _live(self, server):
        if server.get("id") in self.created:
            return {**server, "metadata": {**(server.get("metadata") or {}),
                                           **self.created[server["id"]]["metadata"]}}
        return server

    def _create(self, body):
        metadata = ((body or {}).get("server") or {}).get("metadata") or {}
        for server in self._boot:
            self.created[server["id"]] = {**server, "metadata": {**server.get("metadata", {}), **metadata}}

    def _delete(self, request, sid):
        self.calls.append(f"DELETE {request.url}")
        if sid in self.deleted:
            return _json(request, 404, {"itemNotFound": {"code": 404, "message": f"Instance {sid} could not be "
                                                         "found."}})
        self.deleted.append(sid)
        return requests_mock.create_response(request, status_code=204, text="")

    def _list(self, request, query):
        """A list the recording lacks: the boot's servers as its reservation's
        next recorded list shows them (or as created), those alive and named
        as the query's ``name`` pattern says."""
        key = next((k for k, _desc in self._recorded if any(q == "reservation_id" for q, _v in k[3])), None)
        if key is not None and self.created:
            n = self._served.get(key, 0)
            self._served[key] = n + 1
            queue = self._queues[key]
            listed = queue[min(n, len(queue) - 1)]["json"]["servers"]
        else:
            listed = list(self.created.values())
        pattern = query.get("name", [""])[0]
        alive = [self._live(s) for s in listed if s["id"] in self.created and s["id"] not in self.deleted]
        return _json(request, 200, {"servers": [s for s in alive if re.search(pattern, s["name"])]})


def fmt_body(request):
    try:
        return json.loads(request.body or b"null")
    except ValueError:
        return None


def _json(request, status, body):
    return requests_mock.create_response(request, status_code=status, json=body)


def _recorded_boot(data):
    """The servers the recorded create call made: its reservation's first list."""
    for item in data["interactions"]:
        if "reservation_id" in (item["request"].get("query") or {}):
            return copy.deepcopy(item["response"]["json"]["servers"])
    return []


class ReplayServer:
    """:class:`LiveReplay` of *data* served on 127.0.0.1 (a context manager;
    ``address`` is its (host, port))."""

    def __init__(self, data):
        self.player = LiveReplay(data)
        player = self.player

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out apart: no delayed-ACK stall

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                url = f"http://{self.headers['Host']}{self.path}"
                prepared = requests.Request(self.command, url, data=body, headers=dict(self.headers)).prepare()
                try:
                    response = player.match(prepared)
                    status, headers, content = response.status_code, response.headers, response.content
                except UnmatchedRequest as exc:
                    status, headers, content = 599, {"Content-Type": "text/plain"}, str(exc).encode()
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _any

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.address = self.httpd.server_address

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
