"""Integration tests: the real osops CLI, as a subprocess, against the
loopback cloud of tools/devcloud (issue 3).

The session fixture ``cloud`` reads $OSOPS_DEVCLOUD_DIR/clouds.yaml and checks
that Keystone answers; when the cloud is not up every test here skips with one
line saying why (fails instead when OSOPS_REQUIRE_CLOUD=1, as in CI).
"""

import os

import pytest

from tests.integration.devcloud import Cloud, mode, virt, why_not_up


@pytest.fixture(scope="session")
def cloud(tmp_path_factory):
    why = why_not_up()
    if why:
        if os.environ.get("OSOPS_REQUIRE_CLOUD") == "1":
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    c = Cloud(tmp_path_factory.mktemp("home"))
    yield c
    # Delete every server these tests made, whatever happened to them.
    left = [n for n in c.servers() if n.startswith(c.prefix)]
    if left:
        c.run("delete", *left, "--wait", timeout=300)



@pytest.fixture(scope="session")
def ovn(cloud):
    """The loopback cloud, when it runs ML2/OVN (skips on a light cloud;
    fails instead with OSOPS_REQUIRE_CLOUD=1, as in CI, where it must)."""
    if mode() != "ovn":
        why = f"the loopback cloud runs {mode()} networking, not ML2/OVN (tools/devcloud/devcloud purge, then up)"
        if os.environ.get("OSOPS_REQUIRE_CLOUD") == "1":
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    return cloud


@pytest.fixture(scope="session")
def guests(ovn):
    """The loopback cloud, when its servers are real guests (skips where
    they are fake; fails instead with OSOPS_REQUIRE_CLOUD=1, as in CI)."""
    if virt() not in ("kvm", "qemu"):
        why = f"the loopback cloud's servers are {virt()}, not real guests (tools/devcloud/devcloud purge, then up)"
        if os.environ.get("OSOPS_REQUIRE_CLOUD") == "1":
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    return ovn
