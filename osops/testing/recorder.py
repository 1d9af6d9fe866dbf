"""Record every HTTP exchange of a session into a scrubbed cassette.

The hook is a ``requests`` transport adapter mounted on the session that
keystoneauth sends through; nothing global is patched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import BaseAdapter, HTTPAdapter

from osops.testing import cassette, scrub


@dataclass
class Exchange:
    """One request and what came back (or the error raised)."""

    method: str
    url: str
    request_body: bytes | str | None
    request_headers: dict[str, str]
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""
    error: str = ""


class RecordingAdapter(BaseAdapter):
    """A transport adapter that keeps a copy (in *exchanges*) of every
    exchange that the adapter under it, *inner* (a plain ``HTTPAdapter``
    by default), carries."""

    def __init__(self, exchanges: list[Exchange], inner: BaseAdapter | None = None) -> None:
        super().__init__()
        self.exchanges = exchanges
        self.inner = inner or HTTPAdapter()

    def close(self) -> None:
        """Close the adapter under it."""
        self.inner.close()

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: None | float | tuple[float, float] | tuple[float, None] = None, verify: bool | str = True,
             cert: None | bytes | str | tuple[bytes | str, bytes | str] = None,
             proxies: Mapping[str, str] | None = None) -> requests.Response:
        """Send *request* through the adapter under it, keeping a copy;
        *stream*, *timeout*, *verify*, *cert* and *proxies* are requests' own."""
        x = Exchange(str(request.method), str(request.url), request.body, dict(request.headers))
        self.exchanges.append(x)
        try:
            response = self.inner.send(request, stream=stream, timeout=timeout, verify=verify, cert=cert,
                                       proxies=proxies)
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            x.error = _error_name(exc)
            raise
        x.status, x.headers, x.content = response.status_code, dict(response.headers), response.content
        return response


class Recorder:
    """Collects exchanges from :meth:`session` and saves them as a cassette.

    *transport* is the adapter that really sends (default: the network);
    tests pass a requests-mock adapter.  With *scrub_names*, user and
    project names are masked too.
    """

    def __init__(self, scrub_names: bool = False, transport: BaseAdapter | None = None) -> None:
        self.exchanges: list[Exchange] = []
        self.scrub_names = scrub_names
        self.transport = transport

    def session(self) -> requests.Session:
        """A ``requests.Session`` whose traffic is recorded."""
        s = requests.Session()
        adapter = RecordingAdapter(self.exchanges, self.transport)
        s.mount("http://", adapter)
        s.mount("https://", adapter)
        return s

    def cassette(self, command: str = "") -> dict[str, Any]:
        """The scrubbed cassette of everything recorded so far, for *command* (its command line)."""
        return scrub.to_cassette(self.exchanges, command, self.scrub_names)

    def save(self, path: str, command: str = "") -> None:
        """Write the scrubbed cassette (of *command*) to *path* atomically."""
        cassette.save(path, self.cassette(command))


def _error_name(exc):
    """The name replay raises again: ConnectTimeout, ReadTimeout or ConnectionError."""
    for kind in (requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout):
        if isinstance(exc, kind):
            return kind.__name__
    return "ConnectionError"
