"""Authentication against the loopback cloud: OS_*, legacy v2.0, clouds.yaml."""

import json

import pytest

from tests.integration.devcloud import one_line

pytestmark = pytest.mark.integration

IMAGES = {
    "cirros-0.3.4-x86_64-uec",
    "cirros-0.3.4-x86_64-uec-kernel",
    "cirros-0.3.4-x86_64-uec-ramdisk",
    "cirros-0.6.2-x86_64-disk",
}


def test_auth_from_os_variables(cloud):
    done = cloud.run("image", "list", "-f", "json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_legacy_tenant_name_and_v2_url_work_with_one_warning(cloud):
    env = cloud.env(
        OS_AUTH_URL="http://127.0.0.1:5000/v2.0",
        OS_USERNAME="admin",
        OS_PASSWORD=cloud.password,
        OS_TENANT_NAME="admin",
    )
    done = cloud.run("image", "list", "-f", "json", env=env)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "warning" in lines[0].lower() and "v2.0" in lines[0]
    assert IMAGES <= {i["Name"] for i in json.loads(done.stdout)}


@pytest.mark.parametrize("name", ["devstack-admin", "devstack"])
def test_auth_from_clouds_yaml(cloud, name):
    done = cloud.run("--os-cloud", name, "server", "list", "-f", "json", env=cloud.cloud_env())
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_os_cloud_variable_selects_the_cloud(cloud):
    env = cloud.cloud_env(OS_CLOUD="devstack-admin")
    assert IMAGES <= {i["Name"] for i in cloud.ok("image", "list", "-f", "json", env=env)}


def test_wrong_password_is_one_line_exit_1(cloud):
    done = cloud.run("--os-password", "not-the-password", "image", "list")
    assert done.returncode == 1
    assert one_line(done.stderr), done.stderr
    assert "password" in done.stderr.lower() or "authentication" in done.stderr.lower()
    assert done.stdout == ""
