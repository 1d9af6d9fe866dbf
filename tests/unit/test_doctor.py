"""osops doctor through the real entry point, on sessions recorded from the
loopback cloud (tests/cassettes/doctor.json as admin, doctor-nonadmin.json
as the demo user), with the environment varied and failures derived from
the recordings by the edits each test documents.  --no-host everywhere:
the host checks have tests of their own (test_doctor_host.py)."""

import email.utils
import json
import time

import pytest
import yaml

from osops.testing import replay
from tests.unit.conftest import cassette

ENDPOINT_HOSTS = ["identity.osops.invalid", "compute.osops.invalid", "image.osops.invalid",
                  "placement.osops.invalid", "network.osops.invalid"]


def rows(result):
    """{check name: row} of a -f json run."""
    data = result.json()
    assert [set(r) for r in data] == [{"Check", "Result", "Found", "Fix"}] * len(data)
    return {r["Check"]: r for r in data}


def doctor(cli, recorded="doctor", *extra, env=None):
    return cli(recorded, "doctor", "--no-host", "-f", "json", *extra, env=env)


def assert_every_problem_has_a_fix(got):
    """Every FAIL and WARN row says what to do."""
    assert [n for n, row in got.items() if row["Result"] in ("FAIL", "WARN") and not row["Fix"]] == []


def responses(data, method, url):
    """The recorded responses of every interaction for METHOD {service}/path."""
    found = [i["response"] for i in data["interactions"]
             if i["request"]["method"] == method and i["request"]["url"] == url]
    assert found, f"{method} {url} is not in the cassette"
    return found


def test_the_recorded_cloud_is_healthy(cli):
    r = doctor(cli)
    assert r.code == 0, r.err
    got = rows(r)
    assert list(got)[:5] == ["Config", "Proxy (Keystone)", "Keystone", "Token", "Clock"]
    assert {n for n, row in got.items() if row["Result"] == "FAIL"} == set()
    assert got["Config"]["Found"].startswith("OS_* environment variables: username admin")
    assert "v3.14 (stable)" in got["Keystone"]["Found"]
    assert "to admin on admin" in got["Token"]["Found"]
    for service, path in (("compute", "/v2.1"), ("image", ""), ("network", ""), ("placement", ""),
                          ("identity", "/v3")):
        row = got[f"Endpoint {service}"]
        assert row["Result"] == "OK" and row["Found"].startswith(f"http://{service}.osops.invalid{path} answers HTTP")
    assert "nova-compute@devcloud up" in got["Compute services"]["Found"]
    assert "1 hypervisor" in got["Compute services"]["Found"]
    # The loopback cloud runs ML2/OVN: its agents are ovn-controller's and the metadata agent.
    assert got["Neutron agents"]["Result"] == "OK"
    assert "OVN Controller Gateway agent@devcloud, OVN Metadata agent@devcloud" in got["Neutron agents"]["Found"]
    assert got["Images"]["Result"] == got["Flavors"]["Result"] == got["Networks"]["Result"] == "OK"
    assert "cirros-0.6.2-x86_64-disk" in got["Images"]["Found"]
    assert got["Host"] == {"Check": "Host", "Result": "SKIP", "Found": "not asked for (--no-host)", "Fix": ""}


def test_table_output_and_exit_status_zero_with_warnings(cli):
    r = cli("doctor", "doctor", "--no-host")
    assert r.code == 0 and r.err == ""
    header = [c.strip() for c in r.out.splitlines()[1].strip("|").split("|")]
    assert header == ["Check", "Result", "Found", "Fix"]


def test_non_admin_skips_services_and_agents_with_the_reason(cli):
    r = doctor(cli, "doctor-nonadmin", env={"OS_USERNAME": "demo", "OS_PROJECT_NAME": "demo"})
    assert r.code == 0, r.err
    got = rows(r)
    services = got["Compute services"]
    assert services["Result"] == "SKIP" and "403" in services["Found"] and "needs admin" in services["Found"]
    assert "admin" in services["Fix"]
    # Neutron answers a non-admin's agent list with [] rather than 403.
    assert got["Neutron agents"]["Result"] == "SKIP" and "only to admins" in got["Neutron agents"]["Found"]
    assert "roles: member, reader" in got["Token"]["Found"]
    assert got["Images"]["Result"] == "OK" and got["Networks"]["Result"] == "OK"


# -- proxy ---------------------------------------------------------------
# Replay answers inside requests before any proxy is used, so these vary
# only what the proxy checks judge: the variables and requests' rules.

def test_proxy_without_no_proxy_fails_with_the_exact_line(cli):
    r = doctor(cli, env={"http_proxy": "http://127.0.0.1:9"})
    assert r.code == 1
    got = rows(r)
    keystone = got["Proxy (Keystone)"]
    assert keystone["Result"] == "FAIL"
    assert "http://identity.osops.invalid via http://127.0.0.1:9" in keystone["Found"]
    assert "Could not determine a suitable URL for the plugin" in keystone["Found"]
    assert keystone["Fix"] == "export no_proxy=identity.osops.invalid"
    endpoints = got["Proxy (endpoints)"]
    assert endpoints["Result"] == "FAIL"
    assert endpoints["Fix"].startswith("export no_proxy=")
    assert sorted(endpoints["Fix"].split("=", 1)[1].split(",")) == sorted(ENDPOINT_HOSTS)
    assert r.err.strip() == "doctor: 2 checks failed: Proxy (Keystone), Proxy (endpoints)"


def test_no_proxy_that_covers_every_host_passes(cli):
    r = doctor(cli, env={"https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9",
                         "no_proxy": ".osops.invalid"})
    assert r.code == 0, r.err
    got = rows(r)
    assert got["Proxy (Keystone)"]["Result"] == got["Proxy (endpoints)"]["Result"] == "OK"
    assert "no_proxy=.osops.invalid" in got["Proxy (endpoints)"]["Found"]


def test_no_proxy_covering_only_keystone_fails_for_the_endpoints(cli):
    # The seed's fix, no_proxy=<Keystone's host>, and a catalog on other hosts.
    r = doctor(cli, env={"HTTP_PROXY": "http://127.0.0.1:9", "no_proxy": "identity.osops.invalid"})
    got = rows(r)
    assert got["Proxy (Keystone)"]["Result"] == "OK"
    fix = got["Proxy (endpoints)"]["Fix"]
    assert fix.startswith("export no_proxy=identity.osops.invalid,")
    assert sorted(fix.split("=", 1)[1].split(",")) == sorted(ENDPOINT_HOSTS)


def test_cidr_in_no_proxy_is_not_applied_to_host_names(cli):
    r = doctor(cli, env={"http_proxy": "http://127.0.0.1:9", "no_proxy": "10.0.0.0/8"})
    row = rows(r)["Proxy (Keystone)"]
    assert row["Result"] == "FAIL"
    assert "CIDR 10.0.0.0/8 does not cover identity.osops.invalid" in row["Found"]
    assert row["Fix"] == "export no_proxy=10.0.0.0/8,identity.osops.invalid"


def test_proxy_credentials_are_not_shown(cli):
    r = doctor(cli, env={"http_proxy": "http://user:s3cret@127.0.0.1:9"})
    assert "s3cret" not in r.out and "user:***@127.0.0.1:9" in r.out


# -- Keystone ------------------------------------------------------------

def test_v2_auth_url_against_v3_only_keystone_is_one_warning_with_the_fix(cli):
    # The seed's openrc: /v2.0 and OS_TENANT_NAME, no domains.  osops moves
    # to v3 by itself, so the cause is one WARN (in Config), not a FAIL too.
    r = doctor(cli, env={"OS_AUTH_URL": "http://identity.osops.invalid/v2.0", "OS_TENANT_NAME": "admin",
                         "OS_PROJECT_NAME": None, "OS_USER_DOMAIN_ID": None, "OS_PROJECT_DOMAIN_ID": None,
                         "OS_IDENTITY_API_VERSION": None})
    assert r.code == 0, r.err
    got = rows(r)
    assert [n for n, row in got.items() if "v2.0" in row["Found"] + row["Fix"]] == ["Config"]
    config = got["Config"]
    assert config["Result"] == "WARN"
    assert "OS_AUTH_URL http://identity.osops.invalid/v2.0 asks for Identity v2.0" in config["Found"]
    assert config["Fix"].startswith(
        "export OS_AUTH_URL=http://identity.osops.invalid/v3 OS_IDENTITY_API_VERSION=3 OS_PROJECT_NAME=admin "
        "OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default")
    assert got["Keystone"]["Result"] == got["Token"]["Result"] == got["Endpoint compute"]["Result"] == "OK"
    assert "v2.0" in r.err  # the connection's own one-line warning


def test_keystone_unreachable_fails_and_later_checks_skip(cli):
    # Derived: every Keystone interaction refused, as when nothing listens.
    data = cassette("doctor")
    for item in data["interactions"]:
        if item["request"]["url"].startswith("{identity}"):
            item["response"] = {"raise": "ConnectionError"}
    r = doctor(cli, data)
    assert r.code == 1
    got = rows(r)
    assert got["Keystone"]["Result"] == "FAIL"
    assert got["Keystone"]["Found"].startswith("no answer from http://identity.osops.invalid")
    # Not "cannot find the Identity API ... check OS_AUTH_URL": the URL may be right.
    assert (got["Token"]["Result"], got["Token"]["Found"]) == ("SKIP", "Keystone did not answer; see the Keystone row")
    assert r.err.strip() == "doctor: 1 check failed: Keystone"
    assert_every_problem_has_a_fix(got)
    for name in ("Proxy (endpoints)", "Compute services", "Neutron agents", "Images", "Flavors", "Networks"):
        assert got[name]["Result"] == "SKIP", name
        assert got[name]["Found"] == "no token (see Token)"
    assert "Traceback" not in r.err


def test_keystone_unreachable_through_a_proxy_says_no_proxy(cli):
    # The seed's "Could not determine a suitable URL for the plugin".
    data = cassette("doctor")
    for item in data["interactions"]:
        if item["request"]["url"].startswith("{identity}"):
            item["response"] = {"raise": "ConnectionError"}
    got = rows(doctor(cli, data, env={"http_proxy": "http://127.0.0.1:9"}))
    assert got["Keystone"]["Fix"] == ("if the proxy cannot reach the cloud, keep the cloud off it: "
                                     "export no_proxy=identity.osops.invalid")
    assert got["Token"]["Result"] == "SKIP"


def test_keystone_500_points_at_its_log_and_the_database_password(cli):
    # Derived: Keystone's version document answered with 500, as when its
    # database password is wrong (the seed's MySQL "Access denied").
    data = cassette("doctor")
    for resp in responses(data, "GET", "{identity}/"):
        resp.update(status=500, json={"error": {"code": 500, "message": "internal error"}})
    got = rows(doctor(cli, data))
    assert got["Keystone"]["Result"] == "FAIL" and "HTTP 500" in got["Keystone"]["Found"]
    assert "Access denied for user" in got["Keystone"]["Fix"]


def test_clock_skew_from_the_date_header(cli):
    # Derived: Keystone's Date header two hours behind the local clock
    # (the recorder keeps no Date headers, so none is replayed otherwise).
    data = cassette("doctor")
    behind = email.utils.formatdate(time.time() - 7200, usegmt=True)
    for resp in responses(data, "GET", "{identity}/"):
        resp["headers"]["Date"] = behind
    r = doctor(cli, data)
    assert r.code == 0
    clock = rows(r)["Clock"]
    assert clock["Result"] == "WARN"
    assert "the local clock is 2 h 0 min ahead of Keystone's (by Keystone's Date header)" in clock["Found"]
    assert "timedatectl set-ntp true" in clock["Fix"]


def test_clock_in_step(cli):
    data = cassette("doctor")
    for resp in responses(data, "GET", "{identity}/"):
        resp["headers"]["Date"] = email.utils.formatdate(time.time(), usegmt=True)
    clock = rows(doctor(cli, data))["Clock"]
    assert clock["Result"] == "OK" and "Date header and the token's issued_at" in clock["Found"]


def test_wrong_password_fails_the_token_with_the_user_named(cli):
    data = cassette("doctor")
    for resp in responses(data, "POST", "{identity}/v3/auth/tokens"):
        resp.clear()
        resp.update(status=401, headers={"Content-Type": "application/json"},
                    json={"error": {"code": 401, "message": "The request you have made requires authentication.",
                                    "title": "Unauthorized"}})
    r = doctor(cli, data)
    got = rows(r)
    assert got["Token"]["Result"] == "FAIL"
    assert got["Token"]["Found"].startswith("authentication failed for user admin, project admin")
    assert got["Keystone"]["Result"] == "OK"
    assert r.code == 1


# -- catalog -------------------------------------------------------------

def test_dead_endpoint_fails_with_its_url_and_the_rest_carry_on(cli):
    # Derived: every compute interaction refused, as when nova-api is down.
    data = cassette("doctor")
    for item in data["interactions"]:
        if item["request"]["url"].startswith("{compute}"):
            item["response"] = {"raise": "ConnectionError"}
    r = doctor(cli, data)
    assert r.code == 1
    got = rows(r)
    compute = got["Endpoint compute"]
    assert compute["Result"] == "FAIL"
    assert compute["Found"].startswith("http://compute.osops.invalid/v2.1 does not answer")
    assert "nova" in compute["Fix"]
    assert got["Compute services"]["Result"] == got["Flavors"]["Result"] == "FAIL"
    for name in ("Endpoint image", "Endpoint network", "Images", "Networks"):
        assert got[name]["Result"] == "OK", name
    assert "Endpoint compute" in r.err and "Traceback" not in r.err


def test_endpoint_answering_503_fails(cli):
    data = cassette("doctor")
    for resp in responses(data, "GET", "{placement}/"):
        resp.update(status=503, json={"error": "unavailable"})
    row = rows(doctor(cli, data))["Endpoint placement"]
    assert row["Result"] == "FAIL" and "HTTP 503" in row["Found"]


def _catalogs(data):
    """The catalog of every token the recording got (connecting for a cloud
    with a region checks it against a token's catalog; the Token row gets
    its own)."""
    return [token["json"]["token"]["catalog"] for token in responses(data, "POST", "{identity}/v3/auth/tokens")]


def test_interface_chooses_the_endpoints_and_a_missing_one_warns(cli):
    # Derived: placement's internal endpoint taken out of the catalog.
    data = cassette("doctor")
    for service in (s for catalog in _catalogs(data) for s in catalog):
        if service["type"] == "placement":
            service["endpoints"] = [e for e in service["endpoints"] if e["interface"] != "internal"]
    got = rows(doctor(cli, data, "--interface", "internal"))
    assert got["Endpoint placement"]["Result"] == "WARN"
    assert got["Endpoint placement"]["Found"] == "no internal endpoint (it has: admin, public)"
    assert got["Endpoint compute"]["Result"] == "OK"
    assert rows(doctor(cli, data, "--interface", "public"))["Endpoint placement"]["Result"] == "OK"


def test_bad_interface_is_a_usage_error(cli):
    r = cli("doctor", "doctor", "--interface", "private")
    assert r.code == 2 and "invalid choice" in r.err


# -- config --------------------------------------------------------------

def test_no_credentials_fails_config_and_skips_the_rest(cli):
    r = doctor(cli, env={"OS_AUTH_URL": None, "OS_USERNAME": None, "OS_PASSWORD": None,
                         "OS_PROJECT_NAME": None, "OS_USER_DOMAIN_ID": None, "OS_PROJECT_DOMAIN_ID": None,
                         "OS_IDENTITY_API_VERSION": None})
    assert r.code == 1
    got = rows(r)
    assert got["Config"]["Result"] == "FAIL"
    assert "OS_AUTH_URL is not set" in got["Config"]["Found"]
    assert got["Config"]["Fix"].startswith("source an openrc")
    assert {row["Result"] for name, row in got.items() if name != "Config"} == {"SKIP"}
    assert r.err.strip() == "doctor: 1 check failed: Config"


def test_missing_password_is_named(cli):
    r = doctor(cli, env={"OS_PASSWORD": None})
    got = rows(r)
    assert got["Config"]["Result"] == "FAIL"
    assert got["Config"]["Found"] == "OS_PASSWORD is not set"
    assert got["Config"]["Fix"] == "export OS_PASSWORD=... (or pass --os-password)"
    assert got["Token"] == {"Check": "Token", "Result": "SKIP", "Found": "the credentials are incomplete (see Config)",
                            "Fix": ""}
    assert r.code == 1


def test_missing_settings_are_said_alike_by_doctor_and_by_a_command(cli):
    # The audit: "image list" said "no password" while doctor said "missing
    # OS_PASSWORD, OS_USER_DOMAIN_NAME, OS_PROJECT_DOMAIN_NAME".
    env = {"OS_PASSWORD": None, "OS_USER_DOMAIN_ID": None, "OS_PROJECT_DOMAIN_ID": None}
    config = rows(doctor(cli, env=env))["Config"]
    r = cli("doctor", "image", "list", env=env)
    assert r.code == 1 and r.calls == []
    assert r.err.strip() == f"{config['Found']}; {config['Fix']}"
    assert config["Found"] == "OS_PASSWORD, OS_USER_DOMAIN_NAME and OS_PROJECT_DOMAIN_NAME are not set"


def test_missing_user_domain_is_named(cli):
    got = rows(doctor(cli, env={"OS_USER_DOMAIN_ID": None}))
    assert got["Config"]["Result"] == "FAIL" and got["Config"]["Found"] == "OS_USER_DOMAIN_NAME is not set"


def _clouds_yaml(clean_env, monkeypatch, auth_url):
    path = clean_env / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"lab": {
        "auth": {"auth_url": auth_url, "username": "admin", "password": "secret-pw", "project_name": "admin",
                 "user_domain_id": "default", "project_domain_id": "default"},
        "identity_api_version": 3}}}))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    return path


def test_os_variables_win_over_the_chosen_cloud_and_the_config_row_says_which(cli, clean_env, monkeypatch):
    path = _clouds_yaml(clean_env, monkeypatch, "http://identity.osops.invalid")
    # As with openstack: OS_CLOUD chooses the cloud, the openrc's variables
    # (the cli fixture sets them) win over its settings, an option over both.
    r = doctor(cli, env={"OS_CLOUD": "lab", "OS_PASSWORD": "another-pw", "OS_USERNAME": None,
                         "OS_PROJECT_NAME": None, "OS_TENANT_NAME": "admin", "OS_AUTH_URL": None,
                         "OS_INTERFACE": "public"})
    assert r.code == 0, r.err
    config = rows(r)["Config"]
    assert config["Result"] == "OK", config
    assert config["Found"].startswith(f"clouds.yaml cloud 'lab' in {path} (chosen by OS_CLOUD): ")
    assert config["Found"].endswith("(from OS_*: project_name (OS_TENANT_NAME), user_domain_id, "
                                    "project_domain_id, password, interface, identity_api_version)")
    assert "another-pw" not in r.out and "secret-pw" not in r.out
    r = cli("doctor", "--os-interface", "public", "doctor", "--no-host", "-f", "json",
            env={"OS_CLOUD": "lab", "OS_INTERFACE": "internal", "OS_USERNAME": None, "OS_TENANT_NAME": None,
                 "OS_PROJECT_NAME": None,
                 "OS_AUTH_URL": None, "OS_PASSWORD": None, "OS_USER_DOMAIN_ID": None,
                 "OS_PROJECT_DOMAIN_ID": None, "OS_IDENTITY_API_VERSION": None})
    assert rows(r)["Config"]["Found"].endswith("(from --os-*: interface)"), r.out


def test_clouds_yaml_alone_is_ok_and_named(cli, clean_env, monkeypatch):
    path = _clouds_yaml(clean_env, monkeypatch, "http://identity.osops.invalid")
    unset = {k: None for k in ("OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME",
                               "OS_USER_DOMAIN_ID", "OS_PROJECT_DOMAIN_ID", "OS_IDENTITY_API_VERSION")}
    r = cli("doctor", "--os-cloud", "lab", "doctor", "--no-host", "-f", "json", env=unset)
    assert r.code == 0, r.err
    config = rows(r)["Config"]
    assert config["Result"] == "OK"
    assert config["Found"] == (f"clouds.yaml cloud 'lab' in {path} (chosen by --os-cloud): "
                               "username admin, project_name admin at http://identity.osops.invalid")


def test_settings_from_the_command_line_are_named_as_the_os_options(cli):
    unset = {k: None for k in ("OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME",
                               "OS_USER_DOMAIN_ID", "OS_PROJECT_DOMAIN_ID", "OS_IDENTITY_API_VERSION")}
    r = cli("doctor", "--os-auth-url", "http://identity.osops.invalid", "--os-username", "admin",
            "--os-password", "secret-pw", "--os-project-name", "admin", "--os-user-domain-id", "default",
            "--os-project-domain-id", "default", "doctor", "--no-host", "-f", "json", env=unset)
    assert r.code == 0, r.err
    config = rows(r)["Config"]
    assert (config["Result"], config["Found"]) == (
        "OK", "--os-* options: username admin, project_name admin at http://identity.osops.invalid")


def test_v2_url_in_clouds_yaml_names_the_yaml_fix(cli, clean_env, monkeypatch):
    _clouds_yaml(clean_env, monkeypatch, "http://identity.osops.invalid/v2.0")
    unset = {k: None for k in ("OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME",
                               "OS_USER_DOMAIN_ID", "OS_PROJECT_DOMAIN_ID", "OS_IDENTITY_API_VERSION")}
    r = cli("doctor", "--os-cloud", "lab", "doctor", "--no-host", "-f", "json", env=unset)
    config = rows(r)["Config"]
    assert config["Result"] == "WARN"
    assert "auth_url of cloud 'lab' http://identity.osops.invalid/v2.0 asks for Identity v2.0" in config["Found"]
    assert config["Fix"].startswith("set auth_url: http://identity.osops.invalid/v3 and identity_api_version: 3")
    assert rows(r)["Keystone"]["Result"] == "OK"


def test_json_output_is_plain_data(cli):
    data = doctor(cli).json()
    assert all(isinstance(v, str) for row in data for v in row.values())
    assert {row["Result"] for row in data} <= {"OK", "WARN", "FAIL", "SKIP"}
    json.dumps(data)


@pytest.mark.parametrize("name", ["doctor", "doctor-nonadmin"])
def test_recordings_replay_completely(cli, name):
    # Every request doctor makes is in the recording (strict replay).
    r = doctor(cli, name)
    assert "no recorded interaction" not in r.out


def test_missing_password_in_clouds_yaml_says_where_to_add_it(cli, clean_env, monkeypatch):
    path = clean_env / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"lab": {"auth": {
        "auth_url": "http://identity.osops.invalid", "username": "admin", "project_name": "admin",
        "user_domain_id": "default", "project_domain_id": "default"}}}}))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    unset = {k: None for k in ("OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME",
                               "OS_USER_DOMAIN_ID", "OS_PROJECT_DOMAIN_ID", "OS_IDENTITY_API_VERSION")}
    r = cli("doctor", "--os-cloud", "lab", "doctor", "--no-host", "-f", "json", env=unset)
    config = rows(r)["Config"]
    assert config["Result"] == "FAIL"
    assert config["Found"] == f"no password in clouds.yaml cloud 'lab' in {path} (chosen by --os-cloud)"
    assert config["Fix"] == ("add password under auth: of cloud 'lab' there or in a secure.yaml beside it, "
                             "or pass --os-password")
    assert r.code == 1
    # With OS_PASSWORD exported, it counts (as with openstack), and the row says where it came from.
    r = cli("doctor", "--os-cloud", "lab", "doctor", "--no-host", "-f", "json", env={**unset, "OS_PASSWORD": "pw"})
    assert rows(r)["Config"]["Result"] == "OK"
    assert rows(r)["Config"]["Found"].endswith(" (from OS_*: password)")


# -- Keystone down, for real: a closed port on 127.0.0.1 -------------------

def live_doctor(monkeypatch, capsys, **env):
    """osops doctor --no-host -f json with the seed's admin openrc and *env*,
    talking to whatever listens (nothing is replayed)."""
    from osops.cli.app import main

    settings = {"OS_USERNAME": "admin", "OS_PASSWORD": "secret-pw", "OS_PROJECT_NAME": "admin",
                "OS_USER_DOMAIN_ID": "default", "OS_PROJECT_DOMAIN_ID": "default", **env}
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    code = main(["doctor", "--no-host", "-f", "json"])
    out, err = capsys.readouterr()
    return code, {r["Check"]: r for r in json.loads(out)}, err


@pytest.mark.parametrize("path", ["", "/v2.0", "/v3"])
def test_keystone_down_fails_keystone_and_skips_the_token(clean_env, closed_port, monkeypatch, capsys, path):
    # The audit: an unversioned or /v2.0 URL on a closed port made the Token
    # row FAIL with "cannot find the Identity API ... check OS_AUTH_URL".
    root = f"http://127.0.0.1:{closed_port}"
    code, got, err = live_doctor(monkeypatch, capsys, OS_AUTH_URL=root + path)
    assert code == 1
    assert got["Keystone"]["Result"] == "FAIL"
    assert got["Keystone"]["Found"] == f"no answer from {root}: connection refused"
    assert got["Token"] == {"Check": "Token", "Result": "SKIP",
                            "Found": "Keystone did not answer; see the Keystone row", "Fix": ""}
    assert err.strip().endswith("doctor: 1 check failed: Keystone")
    assert_every_problem_has_a_fix(got)


def test_keystone_on_a_host_name_that_does_not_resolve_says_to_check_the_name(clean_env, no_dns, monkeypatch,
                                                                             capsys):
    code, got, _ = live_doctor(monkeypatch, capsys, OS_AUTH_URL="http://ctl.invalid:5000/v3")
    assert code == 1
    assert got["Keystone"] == {"Check": "Keystone", "Result": "FAIL",
                               "Found": "no answer from http://ctl.invalid:5000: name or service not known",
                               "Fix": "check the host name ctl.invalid: /etc/hosts and DNS (getent hosts ctl.invalid)"}


def test_v2_url_is_reported_as_written_even_when_keystone_is_down(clean_env, closed_port, monkeypatch, capsys):
    root = f"http://127.0.0.1:{closed_port}"
    _, got, _ = live_doctor(monkeypatch, capsys, OS_AUTH_URL=root + "/v2.0")
    config = got["Config"]
    assert config["Result"] == "WARN"
    assert config["Found"].startswith(f"OS_* environment variables: username admin, project_name admin at "
                                      f"{root}/v2.0; OS_AUTH_URL {root}/v2.0 asks for Identity v2.0")
    assert config["Fix"].startswith(f"export OS_AUTH_URL={root}/v3 OS_IDENTITY_API_VERSION=3")


def test_identity_api_version_2_with_a_v3_url_names_the_variable(cli):
    # The audit: Config WARN and Keystone FAIL for one cause, and exit 1
    # though the token came.
    base = "http://identity.osops.invalid"
    r = doctor(cli, env={"OS_AUTH_URL": base + "/v3", "OS_IDENTITY_API_VERSION": "2"})
    assert r.code == 0, r.err
    got = rows(r)
    assert "OS_IDENTITY_API_VERSION=2 asks for Identity v2.0" in got["Config"]["Found"]
    assert got["Config"]["Fix"] == "unset OS_IDENTITY_API_VERSION (or export OS_IDENTITY_API_VERSION=3)"
    assert (got["Config"]["Result"], got["Keystone"]["Result"], got["Token"]["Result"]) == ("WARN", "OK", "OK")
    assert "v2.0" not in got["Keystone"]["Found"] + got["Keystone"]["Fix"]
    assert "/v3/v3" not in r.out + r.err


def test_failures_from_exceptions_have_found_and_fix_apart(cli):
    # Derived: every compute interaction refused, as when nova-api is down;
    # the Compute services and Flavors rows fail from the SDK's exception.
    data = cassette("doctor")
    for item in data["interactions"]:
        if item["request"]["url"].startswith("{compute}"):
            item["response"] = {"raise": "ConnectionError"}
    got = rows(doctor(cli, data))
    services = got["Compute services"]
    assert services["Result"] == "FAIL"
    assert services["Found"].startswith("cannot reach Nova at http://compute.osops.invalid/v2.1/os-services: ")
    assert services["Fix"] == "is Nova running and listening there, and is the URL right?"
    assert_every_problem_has_a_fix(got)


# -- clock and token times -------------------------------------------------
# The replay makes each recorded token valid for a day from the replayed
# cloud's now; clock_skew sets that cloud's clock off the local one, as a
# skewed or broken Keystone's would be.

def test_clock_skew_from_the_tokens_issued_at_alone(cli):
    # Keystone's clock two hours behind: its token says it was issued two
    # hours ago (no Date header is recorded, so only issued_at tells).
    clock = rows(cli("doctor", "doctor", "--no-host", "-f", "json", clock_skew=-7200))["Clock"]
    assert clock["Result"] == "WARN"
    assert clock["Found"] == "the local clock is 2 h 0 min ahead of Keystone's (by the token's issued_at)"
    assert "timedatectl set-ntp true" in clock["Fix"]


def test_a_token_expired_on_arrival_fails_the_clock(cli):
    # Expiring an hour ago by the local clock: a day and an hour behind.
    r = cli("doctor", "doctor", "--no-host", "-f", "json", clock_skew=-90000)
    clock = rows(r)["Clock"]
    assert clock["Result"] == "FAIL"
    assert clock["Found"].startswith("a new token has already expired by the local clock (expires_at ")
    assert clock["Found"].endswith("UTC): the local clock is ahead")
    assert "timedatectl set-ntp true" in clock["Fix"]
    assert rows(r)["Token"]["Found"].endswith("; expired 60 min ago by the local clock (see Clock)")
    assert "Clock" in r.err


# -- proxy rules -----------------------------------------------------------

def test_no_proxy_entry_with_a_port_covers_only_that_port(clean_env, monkeypatch):
    # requests matches "host:port" entries against URLs that give that port.
    import osops
    from osops import doctor as api

    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    auth = {"username": "admin", "password": "secret-pw", "project_name": "admin",
            "user_domain_id": "default", "project_domain_id": "default"}
    with replay(cassette("doctor"), bases={"identity": "http://identity.osops.invalid:5000"}) as player:
        conn = osops.connect(auth_url=player.auth_url, **auth)
        monkeypatch.setenv("no_proxy", "identity.osops.invalid:5000")
        covered = {c.name: c for c in api.run(conn, host=False)}["Proxy (Keystone)"]
        monkeypatch.setenv("no_proxy", "identity.osops.invalid:35357")
        other = {c.name: c for c in api.run(conn, host=False)}["Proxy (Keystone)"]
    assert covered.result == "OK" and "identity.osops.invalid:5000 bypass the proxy" in covered.found
    assert other.result == "FAIL"
    assert other.fix == "export no_proxy=identity.osops.invalid:35357,identity.osops.invalid"


def test_ipv6_range_in_no_proxy_is_not_applied(clean_env, monkeypatch):
    from osops.doctor.proxy import verdict

    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("no_proxy", "fd00::/8,10.0.0.0/8")
    row = verdict("Proxy (Keystone)", ["http://[fd00::5]:5000/v3"])
    assert row.result == "FAIL"
    assert ("no_proxy's CIDR fd00::/8 does not cover fd00::5: requests applies CIDR ranges to IPv4 addresses "
            "only") in row.found
    assert "host names" not in row.found
    assert row.fix == "export no_proxy=fd00::/8,10.0.0.0/8,fd00::5"
    monkeypatch.setenv("no_proxy", "fd00::/8,fd00::5")  # the fix works
    assert verdict("Proxy (Keystone)", ["http://[fd00::5]:5000/v3"]).result == "OK"
