"""The cassette format: one recorded API session as JSON.

::

    {"osops_cassette": 1, "command": "image list",
     "interactions": [
       {"request": {"method": "GET", "url": "{image}/v2/images",
                    "query": {"limit": ["25"]}, "body": null},
        "response": {"status": 200, "headers": {...}, "json": {...}}}]}

URLs start with a service placeholder (``{identity}``, ``{compute}`` ...)
so that one cassette replays for any host and port.  A response has
``json`` or ``text``; a derived failure may have ``"raise":
"ConnectTimeout"`` (or ``ConnectionError``, ``ReadTimeout``) instead.
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

FORMAT = 1
PLACEHOLDER_HOST = "{name}.osops.invalid"


class BadCassette(ValueError):
    """A file that is not an osops cassette; the one-line message names it."""


def load(path: str) -> dict[str, Any]:
    """Read a cassette file (up to 10 MB); :class:`BadCassette`, naming the
    file and what is wrong, when it is not one."""
    from osops.files import read_limited

    try:
        data = json.loads(read_limited(path, "cassette").decode("utf-8"))
    except UnicodeDecodeError:
        raise BadCassette(f"{path} is not an osops cassette: not UTF-8 text") from None
    except ValueError as exc:
        raise BadCassette(f"{path} is not an osops cassette: not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("osops_cassette") != FORMAT:
        raise BadCassette(f"{path} is not an osops cassette (format {FORMAT})")
    interactions = data.get("interactions")
    if not isinstance(interactions, list):
        raise BadCassette(f"{path} is not an osops cassette: no list of interactions")
    for n, item in enumerate(interactions, 1):
        why = _odd(item)
        if why:
            raise BadCassette(f"{path}: interaction {n} {why}")
    return data


def _odd(item):
    """What is wrong with a cassette's interaction *item* ('' when nothing)."""
    request = item.get("request") if isinstance(item, dict) else None
    response = item.get("response") if isinstance(item, dict) else None
    if not isinstance(request, dict) or not isinstance(response, dict):
        return "lacks a request or a response"
    if not isinstance(request.get("method"), str) or not str(request.get("url", "")).startswith("{"):
        return "has no method, or a URL without a service placeholder"
    if not isinstance(response.get("status"), int) and not response.get("raise"):
        return "has a response without a status"
    return ""


def save(path: str, data: Mapping[str, Any]) -> None:
    """Write *data* to *path* atomically (a reader never sees half a file);
    only where nothing or a regular file is (OSError otherwise)."""
    import errno

    from osops.files import not_regular

    kind = not_regular(path)
    if kind:
        raise OSError(errno.EINVAL, f"{path} is {kind}, not a regular file: not replaced")
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".cassette-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def split_placeholder(url: str) -> tuple[str, str]:
    """``"{image}/v2/images"`` -> ``("image", "/v2/images")``."""
    if not url.startswith("{"):
        raise ValueError(f"cassette URL without a service placeholder: {url}")
    name, _, path = url[1:].partition("}")
    return name, path or "/"


def base_url(name: str) -> str:
    """The URL a placeholder stands for during replay."""
    return "http://" + PLACEHOLDER_HOST.format(name=name)


def origin(url: str) -> str:
    """``"http://127.0.0.1:5000/v3"`` -> ``"http://127.0.0.1:5000"``."""
    split = urllib.parse.urlsplit(url)
    return f"{split.scheme}://{split.netloc}"


def parse_json(data: bytes | str | None) -> Any:
    """A request or response body (bytes or str) parsed as JSON, or None."""
    if not data:
        return None
    try:
        return json.loads(data)
    except (ValueError, TypeError):
        return None


def query_of(url: str) -> list[tuple[str, str]]:
    """A URL's query as a sorted list of (key, value) pairs."""
    return sorted(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True))


def flat_query(query: Mapping[str, Sequence[str]] | None) -> list[tuple[str, str]]:
    """A cassette's ``{"k": ["v", ...]}`` query as sorted (key, value) pairs."""
    return sorted((k, v) for k, values in (query or {}).items() for v in values)
