"""Guards for every test: no traffic beyond loopback, no user config."""

import ipaddress
import socket

import pytest

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _allowed(sock, address):
    if sock.family == socket.AF_UNIX:
        return True
    host = address[0]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _guarded(real):
    def connect(sock, address):
        if not _allowed(sock, address):
            raise OSError(f"tests may only connect to loopback, not {address!r}")
        return real(sock, address)

    return connect


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Refuse any connection a test makes beyond 127.0.0.0/8 and ::1."""
    monkeypatch.setattr(socket.socket, "connect", _guarded(_real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded(_real_connect_ex))


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No OS_* variables, no proxies and no clouds.yaml of the user's."""
    import os

    for name in list(os.environ):
        if name.startswith(("OS_", "OSOPS_")) or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / ".local" / "share"))  # the run history
    # An empty working directory: openstacksdk also reads ./clouds.yaml.
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    return tmp_path


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    """Retries without backoff, so a test of a failing cloud stays fast
    (a test about the backoff sets its own policy)."""
    from osops import retry

    monkeypatch.setattr(retry, "POLICY", retry.Policy(delay=0.001, retry_after_cap=0))
