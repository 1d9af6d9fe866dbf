"""Every committed cassette is a valid, scrubbed recording: fails the build
if a token, password or host slipped in."""

import json
import pathlib
import re

import pytest

from osops.testing import cassette as fmt

ROOT = pathlib.Path(__file__).parent.parent.parent
FILES = sorted((ROOT / "tests" / "cassettes").glob("*.json")) + sorted((ROOT / "osops" / "demo").glob("*.json"))
FERNET = re.compile(r"gAAAAA[A-Za-z0-9_=-]{20,}")
HOSTS = re.compile(r"127\.0\.0\.1|localhost|::1\b|\b(?:\d{1,3}\.){3}\d{1,3}:\d+")
SECRET_KEYS = {"password", "adminPass", "secret", "admin_password"}


def walk(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


def test_there_are_cassettes():
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_cassette_has_no_secrets_or_hosts(path):
    text = path.read_text()
    data = fmt.load(path)
    assert not FERNET.search(text), "a Fernet token"
    assert not HOSTS.search(text), f"a host: {HOSTS.search(text).group(0)}"
    for item in data["interactions"]:
        assert item["request"]["url"].startswith("{"), item["request"]["url"]
        for name, value in item["response"].get("headers", {}).items():
            if name.lower() in ("x-subject-token", "x-auth-token"):
                assert value == "<token>"
        for key, value in walk([item["request"].get("body"), item["response"].get("json")]):
            if key in SECRET_KEYS and isinstance(value, str):
                assert value in ("<password>", ""), f"{key}={value}"
    assert json.loads(text)
