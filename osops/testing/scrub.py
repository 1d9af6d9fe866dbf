"""Turn raw HTTP exchanges into a cassette with no secrets and no hosts.

Passwords, application-credential secrets, tokens (headers and bodies)
and ``adminPass`` are replaced before anything reaches the disk; hosts and
ports become service placeholders taken from the token's catalog; user
and project names too when asked.  Resource ids stay, so the cassette
replays with the same behaviour.
"""

import json
import re
import urllib.parse

SECRET_KEYS = {"password", "secret", "adminPass", "admin_password", "original_password",
               "passcode", "totp"}
KEEP_HEADERS = {"content-type", "location", "openstack-api-version",
                "x-openstack-nova-api-version", "x-subject-token"}
TOKEN_HEADERS = {"x-auth-token", "x-subject-token"}
FERNET = re.compile(r"gAAAAA[A-Za-z0-9_=-]{20,}")
MASK = {"password": "<password>", "token": "<token>"}


def to_cassette(exchanges, command="", scrub_names=False):
    """A cassette dict from ``Exchange`` records, scrubbed."""
    secrets = _secrets(exchanges, scrub_names)
    origins = _origins(exchanges)
    interactions = [_interaction(x, origins) for x in exchanges]
    text = json.dumps({"osops_cassette": 1, "command": command, "interactions": interactions})
    for origin, name in sorted(origins.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(origin, "{" + name + "}")
    for value, mask in sorted(secrets.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(json.dumps(value)[1:-1], mask)
    text = FERNET.sub(MASK["token"], text)
    for host in {urllib.parse.urlsplit(o).hostname for o in origins}:
        text = re.sub(r"(?<![\w.])" + re.escape(host) + r"(?![\w])", "cloud-host", text)
    return json.loads(text)


def _interaction(x, origins):
    split = urllib.parse.urlsplit(x.url)
    origin = f"{split.scheme}://{split.netloc}"
    request = {"method": x.method, "url": "{%s}%s" % (origins[origin], split.path or "/"),
               "query": urllib.parse.parse_qs(split.query, keep_blank_values=True),
               "body": _scrub_keys(_json(x.request_body), request=True)}
    if x.error:
        return {"request": request, "response": {"raise": x.error}}
    headers = {k: ("<token>" if k.lower() in TOKEN_HEADERS else v)
               for k, v in x.headers.items() if k.lower() in KEEP_HEADERS}
    response = {"status": x.status, "headers": headers}
    body = _json(x.content)
    if body is not None:
        response["json"] = _scrub_keys(body)
    else:
        response["text"] = (x.content or b"").decode("utf-8", "replace")
    return {"request": request, "response": response}


def _secrets(exchanges, scrub_names):
    """Every secret value seen, mapped to its mask."""
    found = {}
    for x in exchanges:
        for k, v in list(x.request_headers.items()) + list(x.headers.items()):
            if k.lower() in TOKEN_HEADERS and v:
                found[v] = MASK["token"]
        body = _json(x.request_body)
        for key, value in _walk(body):
            if key in SECRET_KEYS and isinstance(value, str) and len(value) >= 4:
                found[value] = MASK["password"]
        if scrub_names:
            found.update(_names(body))
    return found


def _names(body):
    """User and project names in an auth request body."""
    names = {}
    auth = (body or {}).get("auth", {}) if isinstance(body, dict) else {}
    user = auth.get("identity", {}).get("password", {}).get("user", {})
    project = auth.get("scope", {}).get("project", {})
    for value, mask in ((user.get("name"), "<user>"), (project.get("name"), "<project>")):
        if isinstance(value, str) and value:
            names[value] = mask
    return names


def _origins(exchanges):
    """Map each scheme://host:port seen to a service placeholder name."""
    services = {}
    for x in exchanges:
        token = (_json(x.content) or {}).get("token") if x.status < 300 else None
        for entry in (token or {}).get("catalog", []) if isinstance(token, dict) else []:
            for ep in entry.get("endpoints", []):
                services.setdefault(_origin(ep.get("url", "")), set()).add(entry.get("type", "service"))
    names = {o: (sorted(t)[0] if len(t) == 1 else "cloud") for o, t in services.items()}
    auth = next((x for x in exchanges if x.url.rstrip("/").endswith("/auth/tokens")), None)
    if auth and _origin(auth.url) not in names:
        names[_origin(auth.url)] = "identity"
    for x in exchanges:
        names.setdefault(_origin(x.url), f"host{len(names) + 1}")
    return names


def _origin(url):
    split = urllib.parse.urlsplit(url)
    return f"{split.scheme}://{split.netloc}"


def _scrub_keys(body, request=False):
    if isinstance(body, dict):
        out = {}
        for k, v in body.items():
            if k in SECRET_KEYS and isinstance(v, str):
                out[k] = MASK["password"]
            elif request and k == "token" and isinstance(v, dict) and "id" in v:
                out[k] = {**v, "id": MASK["token"]}
            else:
                out[k] = _scrub_keys(v, request)
        return out
    if isinstance(body, list):
        return [_scrub_keys(v, request) for v in body]
    return body


def _walk(body):
    if isinstance(body, dict):
        for k, v in body.items():
            yield k, v
            yield from _walk(v)
    elif isinstance(body, list):
        for v in body:
            yield from _walk(v)


def _json(data):
    if not data:
        return None
    try:
        return json.loads(data)
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
