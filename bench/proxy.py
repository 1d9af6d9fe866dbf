"""A counting HTTP proxy on 127.0.0.1, and what its log says about polling."""

import dataclasses
import http.client
import http.server
import re
import socketserver
import threading
import time
import urllib.parse

HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
       "upgrade", "proxy-authorization", "proxy-authenticate", "content-length"}
KEPT_HEADERS = ("openstack-api-version", "x-openstack-nova-api-version", "accept")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclasses.dataclass(frozen=True)
class Call:
    """One request through the proxy: when (epoch seconds), what, and the
    headers a replay needs (microversions)."""

    at: float
    method: str
    url: str
    headers: tuple = ()

    def __str__(self):
        return f"{self.method} {self.url}"


class CountingProxy:
    """A forward HTTP proxy on 127.0.0.1 that records the requests through it."""

    def __init__(self):
        self.calls = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def forward(self):
                url = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                if body is not None:
                    headers["Content-Length"] = str(len(body))
                kept = tuple((k, v) for k, v in headers.items() if k.lower() in KEPT_HEADERS)
                with proxy.lock:
                    proxy.calls.append(Call(time.time(), self.command, self.path, kept))
                upstream = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=300)
                target = url.path + (f"?{url.query}" if url.query else "")
                upstream.request(self.command, target or "/", body=body, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                upstream.close()
                self.send_response(response.status, response.reason)
                for key, value in response.getheaders():
                    if key.lower() not in HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = forward

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self):
        """The calls since the last take."""
        with self.lock:
            calls, self.calls = self.calls, []
        return calls


def is_identity(call, identity_port=5000):
    """A call to Keystone (the token and its discovery)."""
    return urllib.parse.urlsplit(call.url).port == identity_port


def is_discovery(call):
    """A version discovery call: GET of a service's root or version root."""
    path = urllib.parse.urlsplit(call.url).path.rstrip("/")
    return call.method == "GET" and re.fullmatch(r"(/v[0-9.]+)?", path) is not None


def server_polls(calls):
    """(list calls, single-server GETs) among *calls*: how a wait polls Nova.
    A list is ``GET .../servers/detail`` or ``GET .../servers?...``; a
    single GET is ``GET .../servers/<uuid>``."""
    lists = singles = 0
    for call in calls:
        if call.method != "GET":
            continue
        path = urllib.parse.urlsplit(call.url).path.rstrip("/")
        if path.endswith(("/servers/detail", "/servers")):
            lists += 1
        elif re.search(r"/servers/" + UUID.pattern + "$", path):
            singles += 1
    return lists, singles
