"""tools/devcloud rebuilds a lost OVN northbound database from Neutron's at
`up` (neutron-ovn-db-sync-util), rather than running with an empty one:
after `down`, the database file deleted, `up` brings back every network and
the router.  Slow (a down and an up, about a minute)."""

import subprocess

import pytest

from tests.devcloud_tool import DEVCLOUD
from tests.integration.devcloud import STATE, ovn_env

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def nb_show():
    return subprocess.run(["ovn-nbctl", "--timeout=10", "show"], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", **ovn_env()}, timeout=30).stdout


def test_a_lost_northbound_database_is_rebuilt_from_neutron(ovn):
    before = nb_show()
    assert "(aka private)" in before and "(aka router1)" in before
    devcloud = str(DEVCLOUD / "devcloud")
    subprocess.run([devcloud, "down"], check=True, capture_output=True, timeout=300)
    (STATE / "data" / "ovn" / "ovnnb_db.db").unlink()
    up = subprocess.run([devcloud, "up"], capture_output=True, text=True, timeout=600)
    assert up.returncode == 0, up.stderr
    assert "OVN's northbound database is new: syncing it from Neutron's" in up.stderr
    after = nb_show()
    for name in ("private", "public", "router1"):
        assert f"(aka {name})" in after
