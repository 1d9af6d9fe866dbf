"""Strict replay of a cassette through requests-mock."""

from __future__ import annotations

import contextlib
import datetime
import difflib
import json
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any

import requests

from osops.testing import cassette as fmt

PLACEHOLDER = re.compile(r'"\{([a-z][a-z0-9-]*)\}(?=[/"])')
RAISABLE = {
    "ConnectTimeout": requests.exceptions.ConnectTimeout,
    "ReadTimeout": requests.exceptions.ReadTimeout,
    "ConnectionError": requests.exceptions.ConnectionError,
}


class UnmatchedRequest(AssertionError):
    """A request the cassette has no recorded interaction for."""


class Replay:
    """Answers requests from a cassette (*data*: a path or a loaded dict),
    each service at its URL in *bases* (default ``http://NAME.osops.invalid``).

    Matching is on method, service, path and query (order-insensitive), and
    on the top-level keys of a recorded JSON body (so ``{"suspend": null}``
    and ``{"resume": null}`` differ while generated names do not).  Calls
    that match the same interaction get its recorded responses in order;
    the last one repeats, as polling needs.  ``calls`` lists every request
    seen as ``"METHOD URL"``; ``bodies`` their JSON bodies (or None);
    ``unmatched`` the message of every request that had no recording
    (raised as :class:`UnmatchedRequest` too, but code under test may
    catch that: a test can assert ``unmatched == []``).  Recorded tokens
    are made valid for a day from the replayed cloud's now: this host's
    clock plus *clock_skew* seconds (negative: the cloud's clock is behind).
    """

    def __init__(self, data: str | dict[str, Any], bases: Mapping[str, str] | None = None,
                 clock_skew: float = 0) -> None:
        if not isinstance(data, dict):
            data = fmt.load(data)
        self.command = data.get("command")
        self.clock_skew = clock_skew
        self.bases: dict[str, str] = {}
        self._queues: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        self._recorded: list[tuple[tuple[Any, ...], str]] = []
        for item in data["interactions"]:
            req = item["request"]
            name, path = fmt.split_placeholder(req["url"])
            self.bases.setdefault(name, (bases or {}).get(name) or fmt.base_url(name))
            query, body_keys = fmt.flat_query(req.get("query")), _body_keys(req.get("body"))
            key = _key(req["method"], name, path, query, body_keys)
            self._queues.setdefault(key, []).append(item["response"])
            self._recorded.append((key, _describe(req["method"], req["url"], query, body_keys)))
        for name in PLACEHOLDER.findall(json.dumps(data)):
            self.bases.setdefault(name, (bases or {}).get(name) or fmt.base_url(name))
        self._origins = {fmt.origin(url): name for name, url in self.bases.items()}
        self._served: dict[tuple[Any, ...], int] = {}
        self.calls: list[str] = []
        self.bodies: list[Any] = []
        self.unmatched: list[str] = []

    @property
    def auth_url(self) -> str:
        """The Keystone URL to give a connection under this replay: the one
        the recording was made with, on the replay's identity host."""
        base = self.bases.get("identity", fmt.base_url("identity"))
        method, _name, path, _query, _body = next((key for key, _desc in self._recorded if key[1] == "identity"),
                                                  ("GET", "identity", "/", (), None))
        if method == "POST":
            path = path.rsplit("/auth/tokens", 1)[0]
        return base + (path.rstrip("/") or "")

    def match(self, request: Any) -> requests.Response:
        """requests-mock matcher (*request* is its proxy of a
        ``requests.PreparedRequest``): the recorded response, or UnmatchedRequest."""
        url: str = request.url
        body = fmt.parse_json(request.body)
        self.calls.append(f"{request.method} {url}")
        self.bodies.append(body)
        split = urllib.parse.urlsplit(url)
        name = self._origins.get(fmt.origin(url))
        key = _key(request.method, name, split.path or "/", fmt.query_of(url), _body_keys(body))
        responses = self._queues.get(key)
        if not responses:
            self.unmatched.append(self._unmatched(request.method, url, key[4]))
            raise UnmatchedRequest(self.unmatched[-1])
        n = self._served.get(key, 0)
        self._served[key] = n + 1
        return self._respond(request, responses[min(n, len(responses) - 1)])

    def session(self) -> requests.Session:
        """A ``requests.Session`` answered by this replay (no global patch)."""
        import requests_mock

        adapter = requests_mock.Adapter()
        adapter.add_matcher(self.match)
        s = requests.Session()
        s.mount("http://", adapter)
        s.mount("https://", adapter)
        return s

    def _respond(self, request, response):
        import requests_mock

        if response.get("raise"):
            raise RAISABLE[response["raise"]](f"replayed {response['raise']} for {request.url}")
        headers = {k: self._unplace(v) for k, v in (response.get("headers") or {}).items()}
        kwargs = {"status_code": response["status"], "headers": headers}
        if "json" in response:
            body = json.loads(self._unplace(json.dumps(response["json"])))
            kwargs["json"] = _fresh_token(body, self.clock_skew)
        else:
            kwargs["text"] = self._unplace(response.get("text") or "")
        return requests_mock.create_response(request, **kwargs)

    def _unplace(self, text):
        for name, url in self.bases.items():
            text = text.replace("{" + name + "}", url)
        return text

    def _unmatched(self, method, url, body_keys):
        """The one-line message: the request (with its body keys, when it
        has a JSON body) and the nearest recorded interaction."""
        split = urllib.parse.urlsplit(url)
        name = self._origins.get(fmt.origin(url))
        wanted = _describe(method, "{%s}%s" % (name, split.path) if name else url, fmt.query_of(url), body_keys)
        recorded = [desc for _key, desc in self._recorded]
        near = difflib.get_close_matches(wanted, recorded, n=1, cutoff=0)
        hint = f"; nearest recorded: {near[0]}" if near else "; the cassette is empty"
        return f"no recorded interaction for {_describe(method, url, (), body_keys)}{hint}"


@contextlib.contextmanager
def replay(cassette: str | dict[str, Any], bases: Mapping[str, str] | None = None,
           clock_skew: float = 0) -> Iterator[Replay]:
    """Replay *cassette* (a path or loaded dict) for every request in the
    block, its services at *bases* (see :class:`Replay`).

    Yields the :class:`Replay`; use its ``auth_url`` to connect.  Any
    request the cassette lacks raises :class:`UnmatchedRequest`.
    *clock_skew* is how many seconds the replayed cloud's clock is ahead
    of this host's (see :class:`Replay`).
    """
    import requests_mock

    player = Replay(cassette, bases, clock_skew)
    with requests_mock.Mocker() as mocker:
        mocker.add_matcher(player.match)
        yield player


def _key(method, name, path, query, body_keys):
    return (method.upper(), name, path.rstrip("/") or "/", tuple(query), body_keys)


def _body_keys(body):
    return tuple(sorted(body)) if isinstance(body, dict) else None


def _describe(method, url, query, body_keys=None):
    text = f"{method} {url}" + ("?" + urllib.parse.urlencode(query) if query else "")
    return text + (f" with body keys {', '.join(body_keys) or '(none)'}" if body_keys is not None else "")


def _fresh_token(body, clock_skew=0):
    """Recorded tokens have expired; make them valid for a day from now
    (the cloud's now: *clock_skew* seconds off this host's)."""
    token = body.get("token") if isinstance(body, dict) else None
    if isinstance(token, dict) and "expires_at" in token:
        now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=clock_skew)
        token["issued_at"] = now.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        token["expires_at"] = (now + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    return body
