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

import json
import os
import tempfile
import urllib.parse

FORMAT = 1
PLACEHOLDER_HOST = "{name}.osops.invalid"


def load(path):
    """Read a cassette file; a clear error when it is not one."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict) or data.get("osops_cassette") != FORMAT:
        raise ValueError(f"{path} is not an osops cassette (format {FORMAT})")
    return data


def save(path, data):
    """Write *data* to *path* atomically (a reader never sees half a file)."""
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


def split_placeholder(url):
    """``"{image}/v2/images"`` -> ``("image", "/v2/images")``."""
    if not url.startswith("{"):
        raise ValueError(f"cassette URL without a service placeholder: {url}")
    name, _, path = url[1:].partition("}")
    return name, path or "/"


def base_url(name):
    """The URL a placeholder stands for during replay."""
    return "http://" + PLACEHOLDER_HOST.format(name=name)


def origin(url):
    """``"http://127.0.0.1:5000/v3"`` -> ``"http://127.0.0.1:5000"``."""
    split = urllib.parse.urlsplit(url)
    return f"{split.scheme}://{split.netloc}"


def parse_json(data):
    """A request or response body (bytes or str) parsed as JSON, or None."""
    if not data:
        return None
    try:
        return json.loads(data)
    except (ValueError, TypeError):
        return None


def query_of(url):
    """A URL's query as a sorted list of (key, value) pairs."""
    return sorted(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True))


def flat_query(query):
    """A cassette's ``{"k": ["v", ...]}`` query as sorted (key, value) pairs."""
    return sorted((k, v) for k, values in (query or {}).items() for v in values)
