"""Record every HTTP exchange of a session into a scrubbed cassette.

The hook is a ``requests`` transport adapter mounted on the session that
keystoneauth sends through; nothing global is patched.
"""

from dataclasses import dataclass, field

import requests
from requests.adapters import BaseAdapter, HTTPAdapter

from osops.testing import cassette, scrub


@dataclass
class Exchange:
    """One request and what came back (or the error raised)."""

    method: str
    url: str
    request_body: bytes | str | None
    request_headers: dict
    status: int = 0
    headers: dict = field(default_factory=dict)
    content: bytes = b""
    error: str = ""


class RecordingAdapter(BaseAdapter):
    """A transport adapter that keeps a copy of every exchange that the
    adapter under it (a plain ``HTTPAdapter`` by default) carries."""

    def __init__(self, exchanges, inner=None):
        super().__init__()
        self.exchanges = exchanges
        self.inner = inner or HTTPAdapter()

    def close(self):
        self.inner.close()

    def send(self, request, **kwargs):
        x = Exchange(request.method, request.url, request.body, dict(request.headers))
        self.exchanges.append(x)
        try:
            response = self.inner.send(request, **kwargs)
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            x.error = _error_name(exc)
            raise
        x.status, x.headers, x.content = response.status_code, dict(response.headers), response.content
        return response


class Recorder:
    """Collects exchanges from :meth:`session` and saves them as a cassette.

    *transport* is the adapter that really sends (default: the network);
    tests pass a requests-mock adapter.
    """

    def __init__(self, scrub_names=False, transport=None):
        self.exchanges = []
        self.scrub_names = scrub_names
        self.transport = transport

    def session(self):
        """A ``requests.Session`` whose traffic is recorded."""
        s = requests.Session()
        adapter = RecordingAdapter(self.exchanges, self.transport)
        s.mount("http://", adapter)
        s.mount("https://", adapter)
        return s

    def cassette(self, command=""):
        """The scrubbed cassette of everything recorded so far."""
        return scrub.to_cassette(self.exchanges, command, self.scrub_names)

    def save(self, path, command=""):
        """Write the scrubbed cassette to *path* atomically."""
        cassette.save(path, self.cassette(command))


def _error_name(exc):
    """The name replay raises again: ConnectTimeout, ReadTimeout or ConnectionError."""
    for kind in (requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout):
        if isinstance(exc, kind):
            return kind.__name__
    return "ConnectionError"
