"""osops.floating_ips and osops.console on their own, without cliff, on the
cassettes recorded from the loopback cloud."""

import pytest

from osops import console, floating_ips, recordings
from osops.errors import NotFound, OsopsError, UsageError
from osops.models import FloatingIP, FloatingIPAdded
from osops.networks import list_networks
from tests.unit.test_api import connect  # noqa: F401  (the fixture)
from tests.unit.test_cli_floating_ip import deleted, made

SERVER = recordings.FIP_SERVER


def test_add_returns_what_it_did_as_plain_objects(connect):  # noqa: F811
    conn, _ = connect("floating-ip-add")
    added = floating_ips.add_floating_ip(conn, SERVER)
    assert isinstance(added, FloatingIPAdded) and isinstance(added.floating_ip, FloatingIP)
    assert (added.server.name, added.how, added.network, added.external_network) == (
        SERVER, "allocated", "private", "public")
    assert added.floating_ip.address == made()["floating_ip_address"]
    assert added.floating_ip.server_id == added.server.id and not added.floating_ip.free


def test_external_network_is_the_only_one_or_the_one_named(connect):  # noqa: F811
    conn, _ = connect("floating-ip-add")
    networks = list_networks(conn)
    assert floating_ips.external_network(conn, networks=networks).name == "public"
    assert floating_ips.external_network(conn, "pub", networks).name == "public"
    with pytest.raises(UsageError, match="network private is not external"):
        floating_ips.external_network(conn, "private", networks)
    with pytest.raises(NotFound, match="no external network"):
        floating_ips.external_network(conn, networks=[n for n in networks if not n.external])


def test_remove_returns_the_ips_it_took_off(connect):  # noqa: F811
    conn, player = connect("floating-ip-remove")
    [fip] = floating_ips.remove_floating_ip(conn, SERVER)
    assert fip.fixed_address and fip.port_id  # as it was
    assert player.bodies[-1] == {"floatingip": {"port_id": None}}


def test_delete_takes_addresses_and_finds_all_before_deleting(connect):  # noqa: F811
    conn, player = connect("floating-ip-delete")
    address, fip_id = deleted()
    with pytest.raises(NotFound):
        floating_ips.delete_floating_ips(conn, [address, "172.24.4.254"])
    assert not [c for c in player.calls if c.startswith("DELETE")]
    [gone] = floating_ips.delete_floating_ips(conn, [address])
    assert gone.id == fip_id


def test_console_log_and_url(connect):  # noqa: F811
    conn, _ = connect("console-log")
    log = console.console_log(conn, SERVER, lines=20)
    assert "login:" in log and console.last_lines(log, 2) == "".join(log.splitlines(keepends=True)[-2:])
    conn, _ = connect("console-url")
    with pytest.raises(OsopsError, match="no novnc console"):
        console.console_url(conn, SERVER)
    with pytest.raises(UsageError, match="no console type 'rdp'"):
        console.console_url(conn, SERVER, "rdp")
