"""osops.doctor as a Python API: run() on a connection or a factory, the
engine's isolation of failing checks, and catalog endpoints on loopback."""

import subprocess
import sys

import pytest

import osops
from osops import doctor
from osops.doctor.core import DEBUG_FIX, FAIL, OK, SKIP, WARN, Check, Context, check, run_checks
from osops.errors import OsopsError
from osops.testing import replay
from tests.unit.conftest import cassette

AUTH = {"username": "admin", "password": "secret-pw", "project_name": "admin",
        "user_domain_id": "default", "project_domain_id": "default", "identity_api_version": "3"}


def by_name(results):
    return {c.name: c for c in results}


def test_run_on_a_connection_returns_plain_checks(clean_env):
    with replay(cassette("doctor")) as player:
        conn = osops.connect(auth_url=player.auth_url, **AUTH)
        results = doctor.run(conn, host=False)
    assert all(isinstance(c, Check) for c in results)
    assert doctor.failed(results) == []
    got = by_name(results)
    assert got["Config"].result == OK and got["Config"].found.startswith("settings passed to connect()")
    assert got["Endpoint compute"].result == OK


def test_run_on_a_factory_that_fails_reports_instead_of_raising(clean_env):
    def factory():
        raise OsopsError("no credentials: OS_AUTH_URL is not set and no cloud was chosen", "source an openrc")

    results = doctor.run(factory, host=False)
    got = by_name(results)
    assert got["Config"] == Check("Config", FAIL, "no credentials: OS_AUTH_URL is not set and no cloud was chosen",
                                  "source an openrc")
    assert [c.result for c in results[1:]] == [SKIP] * (len(results) - 1)
    assert got["Proxy (Keystone)"].found == "no auth URL configured (see Config)"


def test_endpoints_on_loopback_warn_when_keystone_is_elsewhere(clean_env):
    # The catalog's compute endpoint replayed as http://127.0.0.1:8774 (the
    # replay answers it; nothing connects) while Keystone is another host.
    with replay(cassette("doctor"), bases={"compute": "http://127.0.0.1:8774"}) as player:
        conn = osops.connect(auth_url=player.auth_url, **AUTH)
        got = by_name(doctor.run(conn, host=False))
    compute = got["Endpoint compute"]
    assert compute.result == WARN
    assert "127.0.0.1 means this machine to every other client, while Keystone is at identity.osops.invalid" \
        in compute.found
    assert compute.fix.startswith("register the host's real address: openstack endpoint set --url "
                                  "http://identity.osops.invalid:8774/v2.1 ")
    assert got["Endpoint image"].result == OK


def test_endpoints_on_loopback_are_fine_when_keystone_is_too(clean_env):
    bases = {"identity": "http://127.0.0.1:5000", "compute": "http://127.0.0.1:8774"}
    with replay(cassette("doctor"), bases=bases) as player:
        conn = osops.connect(auth_url=player.auth_url, **AUTH)
        got = by_name(doctor.run(conn, host=False))
    assert got["Endpoint compute"].result == OK


def test_interface_defaults_to_the_connections(clean_env):
    with replay(cassette("doctor")) as player:
        conn = osops.connect(auth_url=player.auth_url, interface="admin", **AUTH)
        assert Context(conn).interface == "admin"
        assert Context(conn, interface="internal").interface == "internal"


@check("Boom")
def boom(ctx):
    raise KeyError("catalog")


@check("Fine")
def fine(ctx):
    return Check("Fine", OK, "still ran")


@check("Many")
def many(ctx):
    return [Check("Many 1", OK, "a"), Check("Many 2", WARN, "b", "do c")]


def test_an_unexpected_exception_is_that_checks_fail_and_the_rest_run():
    results = run_checks(Context(lambda: None), [boom, fine, many])
    assert results[0] == Check("Boom", FAIL, "'catalog'", DEBUG_FIX)
    assert results[1] == Check("Fine", OK, "still ran")
    assert [c.name for c in results[2:]] == ["Many 1", "Many 2"]


def test_an_osops_error_keeps_its_own_fix_and_gets_no_debug_hint(monkeypatch):
    # The audit: raise sites wrote the fix into the problem, so the row's Fix
    # became "osops --debug doctor ..." though the message said what to do.
    from osops.host import commands

    monkeypatch.setattr(commands, "find", lambda tool: None)

    @check("Tool")
    def tool(ctx):
        commands.run(["ovs-vsctl", "show"])

    @check("Plain")
    def plain(ctx):
        raise OsopsError("nothing more to say")

    rows = run_checks(Context(lambda: None), [tool, plain])
    assert rows == [Check("Tool", FAIL, "ovs-vsctl is not installed", "install openvswitch-switch"),
                    Check("Plain", FAIL, "nothing more to say", "")]


def test_messages_are_one_line():
    @check("Multi")
    def multi(ctx):
        raise RuntimeError("first line\n  second line")

    (row,) = run_checks(Context(lambda: None), [multi])
    assert row.found == "first line second line"


def test_no_cliff_under_osops_doctor():
    code = ("import sys, osops.doctor as d; d.checks(); "
            "assert not [m for m in sys.modules if m.startswith('cliff')], 'cliff imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("result", [OK, WARN, FAIL, SKIP])
def test_check_rows(result):
    assert Check("X", result, "found", "fix").row() == ("X", result, "found", "fix")
