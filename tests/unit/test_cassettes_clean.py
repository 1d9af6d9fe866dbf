"""Every committed cassette is a valid, scrubbed recording: fails the build
if a token, password or host slipped in."""

import functools
import json
import pathlib
import re
import socket
import subprocess

import pytest

from osops.testing import cassette as fmt
from osops.testing.scrub import FERNET, SECRET_KEYS, walk

ROOT = pathlib.Path(__file__).parent.parent.parent
FILES = sorted((ROOT / "tests" / "cassettes").glob("*.json")) + sorted((ROOT / "osops" / "demo").glob("*.json"))
HOSTS = re.compile(r"127\.0\.0\.1|localhost|::1\b|\b(?:\d{1,3}\.){3}\d{1,3}:\d+")
LOOPBACK_PASSWORD = "devstack"  # tools/devcloud's admin and demo password


@functools.cache
def this_host():
    """This machine's names and the addresses of its default route's
    interfaces (cassettes are recorded here; interfaces that tests make
    come and go, so only those)."""
    names = {socket.gethostname(), socket.getfqdn()} - {"localhost"}
    addresses = set()
    for family in ("-4", "-6"):
        for dev in re.findall(r"\bdev (\S+)", _ip(family, "route", "show", "default")):
            listed = _ip(family, "addr", "show", "dev", dev)
            addresses |= {a.split("/")[0] for a in re.findall(r"\binet6? (\S+)", listed)}
    return names, {a for a in addresses if not a.startswith("fe80:")}


def _ip(*args):
    try:
        return subprocess.run(["ip", "-o", *args], capture_output=True, text=True).stdout
    except OSError:  # no iproute2: the names are still checked
        return ""


def test_there_are_cassettes():
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_cassette_has_no_secrets_or_hosts(path):
    text = path.read_text()
    data = fmt.load(path)
    assert not FERNET.search(text), "a Fernet token"
    assert not HOSTS.search(text), f"a host: {HOSTS.search(text).group(0)}"
    assert LOOPBACK_PASSWORD not in text, "the loopback cloud's password"
    names, addresses = this_host()
    for address in addresses:
        assert not re.search(r"(?<![\w.:])" + re.escape(address) + r"(?![\w:])", text), f"this host's {address}"
    for item in data["interactions"]:
        assert item["request"]["url"].startswith("{"), item["request"]["url"]
        for name, value in item["response"].get("headers", {}).items():
            if name.lower() in ("x-subject-token", "x-auth-token"):
                assert value == "<token>"
        for key, value in walk([item["request"].get("body"), item["response"].get("json")]):
            if key in SECRET_KEYS and isinstance(value, str):
                assert value in ("<password>", ""), f"{key}={value}"
            if isinstance(value, str):
                assert value not in names and not any(f"//{n}:" in value or f"//{n}/" in value for n in names), \
                    f"this host's name in {key}={value}"
    assert json.loads(text)
