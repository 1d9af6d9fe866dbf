"""A forward HTTP proxy on 127.0.0.1 that injects faults.

Clients reach it through ``http_proxy`` (every request names its full URL);
it sends each request on to an *upstream*: the replaying server of
:mod:`tests.faults.replayed_cloud` for every host, or (for the loopback
cloud) the host and port the URL names.  A :class:`Fault` picks requests by
method and URL and says what happens to the first *times* of them:

=================  ==========================================================
``status``          answered at once with *status* (and *headers*, *body*);
                    never sent on
``reset``           the connection is reset before the request is sent on
``reset-after``     sent on, answered by the service, then the connection
                    is reset: the service did it, the client never hears
``truncate``        sent on; the client gets the headers and half the body
``hang``            never answered (until the proxy closes)
``hold``            held until :meth:`Fault.release` (``arrived`` is set
                    when it comes), then sent on (dropped if the proxy
                    closes first): a moment to send a signal
``hold-answer``     sent on, and the answer held as ``hold`` holds
=================  ==========================================================

*after* lets that many matching requests through first.

A GET that is sent on after a ``reset-after`` or ``truncate`` of the same
GET carries ``X-Fault-Repeat``, so that a replayed service
answers it as it answered the first (a real one needs no such help).
"""

import http.client
import re
import socket
import struct
import threading
import urllib.parse

from tests.faults.replayed_cloud import REPEAT

HOP_BY_HOP = ("connection", "keep-alive", "proxy-connection", "transfer-encoding", "content-length")


class Fault:
    """What happens to the first *times* requests whose method is *method*
    and whose URL matches the regular expression *url*."""

    def __init__(self, method, url, kind, times=1, status=503, headers=None, body=b"", after=0):
        self.method, self.url, self.kind, self.times = method, re.compile(url), kind, times
        self.after = after
        self.status, self.headers = status, dict(headers or {})
        self.body = body.encode() if isinstance(body, str) else body
        self.hits = 0
        self.arrived = threading.Event()
        self._go = threading.Event()

    def __repr__(self):
        return f"{self.kind}({self.method} {self.url.pattern})"

    def takes(self, method, url):
        """True (and counted) when this fault applies to *method url* now."""
        if method != self.method or not self.url.search(url):
            return False
        if self.after > 0:
            self.after -= 1
            return False
        if self.hits < self.times:
            self.hits += 1
            return True
        return False

    def release(self):
        """Let a held request go on."""
        self._go.set()

    def wait_released(self, stop):
        while not (self._go.wait(0.05) or stop.is_set()):
            pass


class FaultProxy:
    """The proxy (a context manager): ``url`` for http_proxy, ``faults``
    (a list, changed at will), ``seen`` every (method, URL, fault or None).
    *upstream(host, port)* is the (host, port) to send a request on to."""

    def __init__(self, upstream, faults=()):
        self.upstream = upstream
        self.faults = list(faults)
        self.seen = []
        self.repeat = set()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d" % self._listener.getsockname()[1]

    def __enter__(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for fault in self.faults:
            fault.release()
        self._listener.close()

    def _accept(self):
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        with client:
            try:
                reader = client.makefile("rb")
                while self._one(client, reader):
                    pass
            except OSError:
                pass

    def _one(self, client, reader):
        """Handle one request; False when the connection is over."""
        line = reader.readline()
        if not line.strip():
            return False
        method, url, _version = line.decode("latin-1").split()
        headers = {}
        for raw in iter(reader.readline, b"\r\n"):
            if not raw:
                return False
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip()] = value.strip()
        length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), 0) or 0)
        body = reader.read(length) if length else None
        fault = next((f for f in self.faults if f.takes(method, url)), None)
        self.seen.append((method, url, fault))
        kind = fault.kind if fault else None
        if kind == "status":
            _answer(client, fault.status, fault.headers, fault.body)
            return False
        if kind == "reset":
            _reset(client)
            return False
        if kind == "hang":
            self._stop.wait()
            return False
        if kind == "hold":
            fault.arrived.set()
            fault.wait_released(self._stop)
            if self._stop.is_set():
                return False
        if (method, url) in self.repeat:
            self.repeat.discard((method, url))
            headers[REPEAT] = "1"
        status, reply_headers, content = self._send_on(method, url, headers, body)
        if kind in ("reset-after", "truncate") and method == "GET":
            self.repeat.add((method, url))
        if kind == "reset-after":
            _reset(client)
            return False
        if kind == "hold-answer":
            fault.arrived.set()
            fault.wait_released(self._stop)
        if kind == "truncate":
            _answer(client, status, reply_headers, content[:len(content) // 2], length=len(content))
            return False
        _answer(client, status, reply_headers, content)
        return True

    def _send_on(self, method, url, headers, body):
        split = urllib.parse.urlsplit(url)
        host, port = self.upstream(split.hostname, split.port or 80)
        conn = http.client.HTTPConnection(host, port, timeout=60)
        try:
            path = split.path + (f"?{split.query}" if split.query else "")
            conn.request(method, path or "/", body=body,
                         headers={k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP})
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()


def _answer(client, status, headers, content, length=None):
    items = headers.items() if isinstance(headers, dict) else headers
    lines = [f"HTTP/1.1 {status} {http.client.responses.get(status, 'Status')}"]
    lines += [f"{k}: {v}" for k, v in items if k.lower() not in HOP_BY_HOP]
    lines += [f"Content-Length: {len(content) if length is None else length}", "", ""]
    client.sendall("\r\n".join(lines).encode("latin-1") + content)


def _reset(client):
    """Close with a TCP reset rather than a clean close."""
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
