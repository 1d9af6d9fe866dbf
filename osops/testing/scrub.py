"""Turn raw HTTP exchanges into a cassette with no secrets and no hosts.

The parsed bodies and the header values are walked, never the JSON text:

- a password, application-credential secret, ``adminPass`` or a private
  key (Nova's ``private_key``; a public key is fine and stays) is masked
  where the API carries one (a key in :data:`SECRET_KEYS`), so a password
  that is also a common word ("admin") leaves role names, endpoint
  interfaces and ``admin_state_up`` alone;
- a token is masked wherever a value equals one seen in an
  ``X-Auth-Token``/``X-Subject-Token`` header, and anything shaped like a
  Fernet token is masked too;
- with *scrub_names*, the user and project names of the auth request and
  of the objects that are that user and project (by id) are masked;
- ``scheme://host:port`` becomes a service placeholder taken from the
  token's catalog, and a bare host name or address ``cloud-host``, as does
  a value that is this machine's own name (a hypervisor's host name);
- the command line gets the same, and a password or secret the session
  sent or got is masked where it is a whole value there (``--var pw=...``).

Resource ids stay, so the cassette replays with the same behaviour.
"""

from __future__ import annotations

import re
import socket
import urllib.parse
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from osops.testing.cassette import origin, parse_json

if TYPE_CHECKING:
    from osops.testing.recorder import Exchange

SECRET_KEYS = {"password", "secret", "adminPass", "admin_password", "original_password",
               "passcode", "totp", "private_key"}  # private_key: Nova's answer when it generates a keypair
KEEP_HEADERS = {"content-type", "location", "openstack-api-version",
                "x-openstack-nova-api-version", "x-subject-token"}
TOKEN_HEADERS = {"x-auth-token", "x-subject-token"}
FERNET = re.compile(r"gAAAAA[A-Za-z0-9_=-]{20,}")
MASK = {"password": "<password>", "token": "<token>", "user": "<user>", "project": "<project>"}


def to_cassette(exchanges: Sequence[Exchange], command: str = "", scrub_names: bool = False) -> dict[str, Any]:
    """A cassette dict from ``Exchange`` records, scrubbed."""
    origins = _origins(exchanges)
    scrubber = _Scrubber(origins, _tokens(exchanges), _name_owners(exchanges) if scrub_names else None)
    interactions = [_interaction(x, origins, scrubber) for x in exchanges]
    return {"osops_cassette": 1, "command": scrubber.command(command, _secrets(exchanges)),
            "interactions": interactions}


def walk(body: object) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in a parsed JSON *body*, at any depth."""
    if isinstance(body, dict):
        for k, v in body.items():
            yield k, v
            yield from walk(v)
    elif isinstance(body, list):
        for v in body:
            yield from walk(v)


class _Scrubber:
    """Masks secrets and hosts in one parsed value (a body, a header value)."""

    def __init__(self, origins, tokens, name_owners):
        self.origins = sorted(origins.items(), key=lambda kv: -len(kv[0]))
        self.tokens = tokens
        self.name_owners = name_owners  # {user or project id: mask for its name}; None: names stay
        hosts = {urllib.parse.urlsplit(o).hostname for o in origins} - {None}
        self.hosts = re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, sorted(hosts))) + r")(?![\w])"
                                ) if hosts else None
        self.machine = {socket.gethostname(), socket.getfqdn()} - {"", "localhost"}

    def body(self, value, request=False):
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for k, v in value.items():
                if k in SECRET_KEYS and isinstance(v, str):
                    out[k] = MASK["password"]
                elif request and k == "token" and isinstance(v, dict) and "id" in v:
                    out[k] = {**self.body(v, request), "id": MASK["token"]}
                else:
                    out[k] = self.body(v, request)
            owner = (self.name_owners or {}).get(value.get("id"))
            if owner and isinstance(out.get("name"), str):
                out["name"] = owner
            return out
        if isinstance(value, list):
            return [self.body(v, request) for v in value]
        return self.text(value) if isinstance(value, str) else value

    def auth_request(self, body):
        """A scrubbed auth request body, with its user and project names
        masked when names are scrubbed."""
        out = self.body(body, request=True)
        if self.name_owners is not None and isinstance(out, dict):
            auth = out.get("auth") or {}
            user = (auth.get("identity") or {}).get("password", {}).get("user") or {}
            project = (auth.get("scope") or {}).get("project") or {}
            for part, mask in ((user, MASK["user"]), (project, MASK["project"])):
                if isinstance(part.get("name"), str):
                    part["name"] = mask
        return out

    def command(self, line, secrets):
        """A command line: each of *secrets* masked where it is a whole
        word or the value of ``NAME=``, then :meth:`text`."""
        for secret in sorted(secrets, key=len, reverse=True):
            line = re.sub(r"(?<![^\s=])" + re.escape(secret) + r"(?!\S)", MASK["password"], line)
        return self.text(line)

    def text(self, value):
        if value in self.tokens:
            return MASK["token"]
        if value in self.machine:
            return "cloud-host"
        for token in self.tokens:  # long random strings: safe to find inside a text
            value = value.replace(token, MASK["token"])
        for url, name in self.origins:
            value = value.replace(url, "{" + name + "}")
        value = FERNET.sub(MASK["token"], value)
        return self.hosts.sub("cloud-host", value) if self.hosts else value


def _interaction(x, origins, scrubber):
    split = urllib.parse.urlsplit(x.url)
    query = {k: [scrubber.text(v) for v in values]
             for k, values in urllib.parse.parse_qs(split.query, keep_blank_values=True).items()}
    request = {"method": x.method, "url": "{%s}%s" % (origins[origin(x.url)], split.path or "/"),
               "query": query, "body": scrubber.auth_request(parse_json(x.request_body))}
    if x.error:
        return {"request": request, "response": {"raise": x.error}}
    headers = {k: (MASK["token"] if k.lower() in TOKEN_HEADERS else scrubber.text(v))
               for k, v in x.headers.items() if k.lower() in KEEP_HEADERS}
    response = {"status": x.status, "headers": headers}
    body = parse_json(x.content)
    if body is not None:
        response["json"] = scrubber.body(body)
    else:
        response["text"] = scrubber.text((x.content or b"").decode("utf-8", "replace"))
    return {"request": request, "response": response}


def _tokens(exchanges):
    """Every token value seen in a token header."""
    return {v for x in exchanges for k, v in list(x.request_headers.items()) + list(x.headers.items())
            if k.lower() in TOKEN_HEADERS and isinstance(v, str) and v}


def _secrets(exchanges):
    """Every password or secret (a :data:`SECRET_KEYS` value) in a request or response body."""
    return {v for x in exchanges for body in (x.request_body, x.content)
            for k, v in walk(parse_json(body)) if k in SECRET_KEYS and isinstance(v, str) and v}


def _name_owners(exchanges):
    """{id: mask} for the user and project the tokens were issued to."""
    owners = {}
    for x in exchanges:
        token = (parse_json(x.content) or {}).get("token") if x.status < 300 else None
        if isinstance(token, dict):
            for part in ("user", "project"):
                if isinstance(token.get(part), dict) and token[part].get("id"):
                    owners[token[part]["id"]] = MASK[part]
    return owners


def _origins(exchanges):
    """Map each scheme://host:port seen to a service placeholder name."""
    services: dict[str, set[str]] = {}
    for x in exchanges:
        token = (parse_json(x.content) or {}).get("token") if x.status < 300 else None
        for entry in (token or {}).get("catalog", []) if isinstance(token, dict) else []:
            for ep in entry.get("endpoints", []):
                services.setdefault(origin(ep.get("url", "")), set()).add(entry.get("type", "service"))
    names = {o: (sorted(t)[0] if len(t) == 1 else "cloud") for o, t in services.items()}
    auth = next((x for x in exchanges if x.url.rstrip("/").endswith("/auth/tokens")), None)
    if auth and origin(auth.url) not in names:
        names[origin(auth.url)] = "identity"
    for x in exchanges:
        names.setdefault(origin(x.url), f"host{len(names) + 1}")
    return names
