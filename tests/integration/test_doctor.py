"""osops doctor against the real loopback cloud (tools/devcloud), as a
subprocess.  Every request goes to 127.0.0.1; the "dead proxy" is
127.0.0.1:9, where nothing listens."""

import json

import pytest

from tests.integration.devcloud import KEYSTONE, one_line

pytestmark = pytest.mark.integration
DEAD_PROXY = "http://127.0.0.1:9"


def doctor(cloud, *args, env):
    done = cloud.run(*args, "-f", "json", env=env)
    return done, {row["Check"]: row for row in json.loads(done.stdout)}


def failed(rows):
    return {name: row["Found"] for name, row in rows.items() if row["Result"] == "FAIL"}


def test_the_loopback_cloud_has_no_fail(cloud):
    done, rows = doctor(cloud, "doctor", env=cloud.os_env())
    assert failed(rows) == {}
    assert done.returncode == 0, done.stderr
    assert rows["Config"]["Found"].startswith("OS_* environment variables: username admin")
    assert rows["Keystone"]["Result"] == rows["Token"]["Result"] == rows["Clock"]["Result"] == "OK"
    # The real server's Date header is compared too (replays have none).
    assert "Date header" in rows["Clock"]["Found"]
    endpoints = {name: row for name, row in rows.items() if name.startswith("Endpoint ")}
    assert {"Endpoint identity", "Endpoint compute", "Endpoint image", "Endpoint network"} <= set(endpoints)
    assert all(row["Result"] == "OK" and "http://127.0.0.1:" in row["Found"] for row in endpoints.values())
    assert rows["Compute services"]["Result"] == "OK"
    # Keystone on 127.0.0.1 makes this the cloud host: the host checks ran.
    assert "Host" not in rows and "net.ipv4.ip_forward" in rows


def test_clouds_yaml_admin_and_non_admin(cloud):
    done, rows = doctor(cloud, "--os-cloud", "devstack-admin", "doctor", "--no-host", env=cloud.cloud_env())
    assert done.returncode == 0, done.stderr
    assert rows["Config"]["Found"].startswith("clouds.yaml cloud 'devstack-admin'")
    done, rows = doctor(cloud, "--os-cloud", "devstack", "doctor", "--no-host", env=cloud.cloud_env())
    assert done.returncode == 0, done.stderr
    assert rows["Compute services"]["Result"] == "SKIP" and "403" in rows["Compute services"]["Found"]
    assert rows["Neutron agents"]["Result"] == "SKIP"


def test_a_dead_proxy_fails_the_proxy_check_with_the_no_proxy_line(cloud):
    env = cloud.os_env(http_proxy=DEAD_PROXY, https_proxy=DEAD_PROXY)
    done, rows = doctor(cloud, "doctor", "--no-host", env=env)
    assert done.returncode == 1
    proxy = rows["Proxy (Keystone)"]
    assert proxy["Result"] == "FAIL"
    assert f"{KEYSTONE}/v3 via {DEAD_PROXY}" in proxy["Found"]
    assert proxy["Fix"] == "export no_proxy=127.0.0.1"
    # What the seed saw: Keystone unreachable through the proxy.
    assert rows["Keystone"]["Result"] == "FAIL"
    assert rows["Keystone"]["Fix"] == ("check the proxy in http_proxy, or keep the cloud off it: "
                                      "export no_proxy=127.0.0.1")
    assert one_line(done.stderr) and done.stderr.startswith("doctor: ")


def test_the_no_proxy_line_it_gives_works(cloud):
    env = cloud.os_env(http_proxy=DEAD_PROXY, https_proxy=DEAD_PROXY, no_proxy="127.0.0.1")
    done, rows = doctor(cloud, "doctor", "--no-host", env=env)
    assert failed(rows) == {}
    assert done.returncode == 0, done.stderr
    assert rows["Proxy (Keystone)"]["Result"] == rows["Proxy (endpoints)"]["Result"] == "OK"


def test_a_v2_auth_url_is_named_with_the_fix(cloud):
    # The seed's openrc: /v2.0, OS_TENANT_NAME, no domains.
    env = cloud.os_env(OS_TENANT_NAME="admin")
    env["OS_AUTH_URL"] = KEYSTONE + "/v2.0"
    for name in ("OS_PROJECT_NAME", "OS_USER_DOMAIN_ID", "OS_PROJECT_DOMAIN_ID", "OS_IDENTITY_API_VERSION"):
        env.pop(name)
    done, rows = doctor(cloud, "doctor", "--no-host", env=env)
    assert done.returncode == 0, done.stderr  # osops moved to v3: one WARN, in Config
    assert failed(rows) == {}
    assert rows["Config"]["Result"] == "WARN"
    assert rows["Config"]["Fix"].startswith(f"export OS_AUTH_URL={KEYSTONE}/v3 OS_IDENTITY_API_VERSION=3 "
                                            "OS_PROJECT_NAME=admin")
    assert rows["Token"]["Result"] == "OK"
