"""The cloud's own words: an HTTP error answer as a message that carries
the service's own message and the request id.

Nova answers ``{"badRequest": {"message": ...}}`` (or ``forbidden``,
``itemNotFound`` ...), Neutron ``{"NeutronError": {"message": ...}}``,
Keystone ``{"error": {"message": ...}}``, Glance and Placement ``{"message":
...}`` or ``{"errors": [{"detail": ...}]}``; a proxy in the way answers an
HTML page, whose title is what it says.  A guess at what to do is made
only when the message says what the matter is: a policy refusal (the
role), a quota.
"""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING

from osops.explain import _at, _one_line, _service, _unauthorized, _who

if TYPE_CHECKING:
    import requests

    from osops.explain import _Known

POLICY = re.compile(r"\bpolic(y|ies)\b|not authorized|requires? (the )?(admin|role)", re.I)
QUOTA = re.compile(r"quota|maximum number of .* exceeded|limit exceeded|over ?limit", re.I)
REQUEST_ID_HEADERS = ("x-openstack-request-id", "x-compute-request-id")
TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
TAGS = re.compile(r"<[^>]+>")


def own_words(response: requests.Response | None) -> str:
    """The message the service put in its error *response* ('' when none)."""
    if response is None:
        return ""
    text = response.text or ""
    kind = response.headers.get("Content-Type", "")
    if "json" in kind or text.lstrip().startswith("{"):
        try:
            said = _message(json.loads(text))
        except ValueError:
            said = ""
        if said:
            return _one_line(said)
    if "html" in kind or text.lstrip().lower().startswith(("<!doctype", "<html")):
        title = TITLE.search(text)
        body = title.group(1) if title else TAGS.sub(" ", text)
        return _one_line(html.unescape(body))[:200]
    return _one_line(text)[:200]


def _message(body):
    """The message in a JSON error body of any service's shape."""
    if not isinstance(body, dict):
        return ""
    if isinstance(body.get("message"), str):
        return body["message"]
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("detail") or errors[0].get("title") or "")
    for value in body.values():  # {"badRequest": {...}}, {"NeutronError": {...}}, {"error": {...}}
        if isinstance(value, dict) and isinstance(value.get("message"), str):
            return value["message"]
    return ""


def request_id(response: requests.Response | None) -> str:
    """The request id the service gave *response* ('' when none)."""
    if response is None:
        return ""
    return next((response.headers[h] for h in REQUEST_ID_HEADERS if response.headers.get(h)), "")


def http_error(exc: BaseException, known: _Known) -> tuple[str, str]:
    """(problem, fix) for an HTTP error answer *exc* (openstacksdk's or
    keystoneauth's), in the service's own words with the request id."""
    status = getattr(exc, "status_code", None) or getattr(exc, "http_status", None)
    response = getattr(exc, "response", None)
    url = getattr(exc, "url", None) or (response.url if response is not None else "") or ""
    said = own_words(response) or _detail(exc)
    rid = request_id(response)
    said_id = said + (f" (request {rid})" if rid else "")
    service = _service(url, known)
    where = _at(service, url) or "the cloud"
    if status == 401:
        return _unauthorized(exc, known)
    if QUOTA.search(said) and status in (400, 403, 409, 413, 429):
        return (f"over quota at {where}: {said_id}",
                "free some resources or raise the quota (openstack quota show), then try again")
    if status == 403:
        if POLICY.search(said):
            return f"forbidden: {said_id}", f"{_who(known)} lacks the role for it (try an admin cloud)"
        return f"forbidden by {where}: {said_id}", ""
    if status == 404:
        return f"not found: {said_id if said else url}", ""
    if status == 409:
        return f"conflict: {said_id if said else 'the resource is busy'}", "retry when it settles"
    problem = f"HTTP {status} from {where}: {said_id}".rstrip(": ")
    if status and status >= 500:
        return problem, f"{service or 'the service'} failed: its log says why"
    return problem, ""


def _detail(exc):
    for attr in ("details", "message"):
        text = getattr(exc, attr, None)
        if text and isinstance(text, str) and "Unrecognized schema" not in text:
            return _one_line(text)
    return ""
