"""Every error is one line on stderr with a fix, exit 1 (2 for usage), no
traceback unless --debug.  Failures are derived from recorded cassettes by
the edits each test names."""

import pytest

from tests.unit.conftest import cassette

# A made-up token in Fernet's shape, written in two parts so that secret scanners
# of the repository do not take it for a real one.
TOKEN = "gAAAAA" "BnKnownTokenValueForRedactionTests0123456789abcdef"


def one_line(result):
    assert "Traceback" not in result.err, result.err
    assert result.err.count("\n") == 1, result.err
    return result.err.strip()


def edit(name, url_end, response, method="GET"):
    """The cassette *name* with the response to *method ...url_end* replaced."""
    data = cassette(name)
    hits = [i for i in data["interactions"]
            if i["request"]["url"].endswith(url_end) and i["request"]["method"] == method]
    assert hits, f"{name} has no {method} ...{url_end}"
    for item in hits:
        item["response"] = response
    return data


def test_wrong_password_names_user_project_and_url(cli):
    r = cli("wrong-password", "image", "list")
    assert r.code == 1
    assert one_line(r).startswith("authentication failed for user admin, project admin, at http://identity.osops.invalid")


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_name_the_status_and_url(cli, status, monkeypatch):
    monkeypatch.setattr("keystoneauth1.session.time.sleep", lambda seconds: None)  # 503 is retried
    data = edit("image-list", "/v2/images", {"status": status, "headers": {"Content-Type": "application/json"},
                                             "json": {"message": "Service Unavailable", "code": status}})
    r = cli(data, "image", "list")
    assert r.code == 1
    line = one_line(r)
    assert f"HTTP {status}" in line or "Service Unavailable" in line


def test_timeout_names_the_service_and_url(cli):
    r = cli(edit("image-list", "/v2/images", {"raise": "ConnectTimeout"}), "image", "list")
    assert r.code == 1
    assert one_line(r) == ("timed out connecting to Glance at http://image.osops.invalid/v2/images; "
                           "is Glance up, and does a firewall on the way drop the packets?")


def test_refused_connection_names_keystone_the_proxy_and_the_no_proxy_fix(cli):
    env = {"http_proxy": "http://proxy.example.invalid:3128"}
    r = cli(edit("image-list", "/v3/auth/tokens", {"raise": "ConnectionError"}, "POST"), "image", "list", env=env)
    line = one_line(r)
    assert r.code == 1
    assert line.startswith("cannot reach Keystone at http://identity.osops.invalid/v3/auth/tokens through proxy "
                           "http://proxy.example.invalid:3128 (http_proxy): ")
    assert line.endswith("; if the proxy cannot reach the cloud, keep the cloud off it: "
                         "export no_proxy=identity.osops.invalid")


@pytest.mark.parametrize("path", ["/v3", "", "/v2.0"])
def test_keystone_down_names_it_and_the_reason(clean_env, closed_port, monkeypatch, capsys, path):
    # A real closed port on 127.0.0.1: the audit's "cannot reach URL:: is the
    # service running", and "cannot find the Identity API ... check
    # OS_AUTH_URL" for an unversioned or /v2.0 URL (discovery got no answer).
    from osops.cli.app import main

    root = f"http://127.0.0.1:{closed_port}"
    for name, value in {"OS_AUTH_URL": root + path, "OS_USERNAME": "admin", "OS_PASSWORD": "secret-pw",
                        "OS_PROJECT_NAME": "admin", "OS_USER_DOMAIN_ID": "default",
                        "OS_PROJECT_DOMAIN_ID": "default"}.items():
        monkeypatch.setenv(name, value)
    assert main(["image", "list"]) == 1
    line = capsys.readouterr().err.strip().splitlines()[-1]
    where = root + "/v3/auth/tokens" if path == "/v3" else root
    assert line == (f"cannot reach Keystone at {where}: connection refused; "
                    "is Keystone running and listening there, and is the URL right?")


def run_live(monkeypatch, capsys, **env):
    """osops image list with an admin openrc and *env*, talking to whatever
    answers (nothing is replayed); (exit status, the last stderr line)."""
    from osops.cli.app import main

    for name, value in {"OS_USERNAME": "admin", "OS_PASSWORD": "secret-pw", "OS_PROJECT_NAME": "admin",
                        "OS_USER_DOMAIN_ID": "default", "OS_PROJECT_DOMAIN_ID": "default", **env}.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    code = main(["image", "list"])
    return code, capsys.readouterr().err.strip().splitlines()[-1]


def test_a_host_name_that_does_not_resolve_says_to_check_it(clean_env, no_dns, monkeypatch, capsys):
    code, line = run_live(monkeypatch, capsys, OS_AUTH_URL="http://ctl.invalid:5000/v3")
    assert code == 1
    assert line == ("cannot reach Keystone at http://ctl.invalid:5000/v3/auth/tokens: name or service not known; "
                    "check the host name ctl.invalid: /etc/hosts and DNS (getent hosts ctl.invalid)")


def test_a_proxy_that_cannot_be_reached_is_named_with_its_variable(clean_env, no_dns, closed_port, monkeypatch,
                                                                  capsys):
    proxy = f"http://u:s3cret@127.0.0.1:{closed_port}"
    code, line = run_live(monkeypatch, capsys, OS_AUTH_URL="http://ctl.invalid:5000/v3", HTTP_PROXY=proxy)
    assert code == 1
    assert line == (f"cannot reach Keystone at http://ctl.invalid:5000/v3/auth/tokens through proxy "
                    f"http://u:***@127.0.0.1:{closed_port} (HTTP_PROXY): the proxy refused or could not be reached "
                    "(ProxyError); check the proxy in HTTP_PROXY, or keep the cloud off it: "
                    "export no_proxy=ctl.invalid")


def test_forbidden_says_which_user_lacks_the_role(cli):
    data = edit("server-list", "/servers/detail", {"status": 403, "headers": {"Content-Type": "application/json"},
                "json": {"forbidden": {"code": 403, "message": "Policy doesn't allow os_compute_api:servers:detail"}}})
    line = one_line(cli(data, "server", "list"))
    assert line.startswith("forbidden:") and "user admin" in line


def test_not_found_from_the_api_names_what(cli):
    data = edit("suspend", "/action", {"status": 404, "headers": {"Content-Type": "application/json"},
                "json": {"itemNotFound": {"code": 404, "message": "Instance 9d7d2503 could not be found."}}},
                method="POST")
    r = cli(data, "suspend", "demo-1")
    assert r.code == 1 and one_line(r) == "not found: Instance 9d7d2503 could not be found."


def test_conflict_says_to_retry(cli):
    data = edit("suspend", "/action", {"status": 409, "headers": {"Content-Type": "application/json"},
                "json": {"conflictingRequest": {
                    "code": 409, "message": "Cannot 'suspend' instance while it is in task_state deleting"}}},
                method="POST")
    r = cli(data, "suspend", "demo-1")
    assert r.code == 1 and "conflict" in one_line(r) and "task_state deleting" in r.err


def test_malformed_body_is_one_line_showing_what_came_and_the_suspects(cli):
    # Derived: the image list answered with an HTML page under a JSON type.
    data = edit("image-list", "/v2/images", {"status": 200, "headers": {"Content-Type": "application/json"},
                                             "text": "<html>proxy error page</html>"})
    r = cli(data, "image", "list")
    assert r.code == 1
    assert one_line(r) == ("the cloud answered something that is not JSON, beginning '<html>proxy error page</html>'; "
                           "a proxy or a wrong endpoint? check the endpoints' URLs (openstack endpoint list) and what "
                           "answers there (curl -i URL)")


def test_malformed_body_through_a_proxy_gives_the_no_proxy_line(cli):
    data = edit("image-list", "/v2/images", {"status": 200, "headers": {"Content-Type": "text/html"},
                                             "text": "<html>proxy error page</html>"})
    line = one_line(cli(data, "image", "list", env={"http_proxy": "http://proxy.example.invalid:3128"}))
    assert "requests to the cloud go through proxy http://proxy.example.invalid:3128: " in line
    # The catalog's hosts (in its order) and Keystone's: which one answered is not known.
    head, _, hosts = line.rpartition("export no_proxy=")
    assert head and sorted(hosts.split(",")) == [f"{s}.osops.invalid" for s in
                                                 ("compute", "identity", "image", "network", "placement")]


def test_debug_shows_the_traceback_and_http_but_no_secrets(cli):
    # Derived: the recorded token header set to a realistic Fernet token.
    ok = cassette("image-list")
    for item in ok["interactions"]:
        if "X-Subject-Token" in item["response"].get("headers", {}):
            item["response"]["headers"]["X-Subject-Token"] = TOKEN
    r = cli(ok, "--debug", "image", "list")
    assert r.code == 0
    assert "GET http://image.osops.invalid/v2/images" in r.err
    assert TOKEN not in r.err and "secret-pw" not in r.err
    # --no-cache: the token cached by the run above would skip the recorded 401
    r = cli("wrong-password", "--debug", "--no-cache", "image", "list")
    assert r.code == 1 and "Traceback" in r.err and "secret-pw" not in r.err
    assert "401" in r.err


def test_debug_with_a_warm_token_cache_shows_no_token(cli):
    # Derived as above; the first run keeps the token in the cache, the
    # second reuses it (no POST /auth/tokens) under --debug.
    ok = cassette("image-list")
    for item in ok["interactions"]:
        if "X-Subject-Token" in item["response"].get("headers", {}):
            item["response"]["headers"]["X-Subject-Token"] = TOKEN
    assert cli(ok, "image", "list").code == 0
    r = cli(ok, "--debug", "image", "list")
    assert r.code == 0
    assert not [c for c in r.calls if c.endswith("/auth/tokens")]
    assert "reusing the cached token" in r.err and "GET http://image.osops.invalid/v2/images" in r.err
    assert TOKEN not in r.err and TOKEN[:24] not in r.err and "secret-pw" not in r.err


def test_missing_password_is_one_line_before_any_request(cli):
    r = cli("image-list", "image", "list", env={"OS_PASSWORD": None})
    assert r.code == 1 and r.calls == []
    assert one_line(r) == "OS_PASSWORD is not set; export OS_PASSWORD=... (or pass --os-password)"


@pytest.mark.parametrize("argv", [
    ["boot", "--image", "cirros"],
    ["boot", "--flavor", "1", "--image", "cirros", "--count", "0"],
    ["boot", "--flavor", "1", "--image", "cirros", "--timeout", "soon"],
    ["server", "show"],
    ["suspend"],
])
def test_usage_errors_exit_2_before_any_request(cli, argv):
    r = cli("image-list", *argv)
    assert r.code == 2 and r.calls == []
    assert len(r.err.splitlines()) == 1 and "(see: osops help " in r.err


def test_no_credentials_is_one_line_naming_what_to_do(clean_env, capsys):
    from osops.cli.app import main

    assert main(["image", "list"]) == 1
    line = capsys.readouterr().err.strip()
    assert "\n" not in line and "source an openrc" in line and "--os-cloud" in line


def test_seed_openrc_with_v2_url_works_with_one_warning(cli):
    probe = cli("legacy-v2", "image", "list", env={"OS_AUTH_URL": None})
    assert probe.code == 1
    base = "http://identity.osops.invalid"
    env = {"OS_AUTH_URL": base + "/v2.0", "OS_TENANT_NAME": "admin", "OS_PROJECT_NAME": None,
           "OS_USER_DOMAIN_ID": None, "OS_PROJECT_DOMAIN_ID": None, "OS_IDENTITY_API_VERSION": None}
    r = cli("legacy-v2", "image", "list", "-f", "value", "-c", "Name", env=env)
    assert r.code == 0
    assert "cirros-0.6.2-x86_64-disk" in r.out
    assert r.err.count("\n") == 1
    assert r.err.startswith(f"warning: OS_AUTH_URL {base}/v2.0 asks for Identity v2.0, which Keystone no longer "
                            f"serves; using v3 at {base}; to silence this: export OS_AUTH_URL={base}/v3 "
                            "OS_IDENTITY_API_VERSION=3 OS_PROJECT_NAME=admin")
    auth = next(b for c, b in zip(r.calls, r.bodies, strict=True) if c.endswith("/v3/auth/tokens"))
    assert auth["auth"]["scope"]["project"] == {"domain": {"id": "default"}, "name": "admin"}


def test_unrecorded_request_fails_with_the_nearest_interaction(cli):
    r = cli("flavor-list", "image", "list", unmatched_ok=True)
    assert r.code == 1
    assert "no recorded interaction for GET http://image.osops.invalid/" in r.err
    assert "nearest recorded:" in r.err


def test_an_auth_url_without_an_identity_api_names_where_it_was_set(cli, clean_env):
    # Derived: Keystone's version document answered with an HTML 404, as
    # when the auth URL points at some other web server; the URL is in a
    # clouds.yaml cloud, so the fix names that (not OS_AUTH_URL).
    import yaml

    data = edit("image-list", "{identity}/", {"status": 404, "headers": {"Content-Type": "text/html"},
                                              "text": "<html>Not Found</html>"})
    path = clean_env / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"lab": {"auth": {
        "auth_url": "http://identity.osops.invalid", "username": "admin", "password": "secret-pw",
        "project_name": "admin", "user_domain_id": "default", "project_domain_id": "default"}}}}))
    unset = {k: None for k in ("OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME",
                               "OS_USER_DOMAIN_ID", "OS_PROJECT_DOMAIN_ID", "OS_IDENTITY_API_VERSION")}
    r = cli(data, "--os-cloud", "lab", "--no-cache", "image", "list",
            env={**unset, "OS_CLIENT_CONFIG_FILE": str(path)})
    assert r.code == 1
    assert one_line(r) == ("cannot find the Identity API at http://identity.osops.invalid; check auth_url of cloud "
                           "'lab' (Keystone answers at http://HOST:5000 or http://HOST/identity)")


@pytest.mark.parametrize("argv", [
    ["--os-auth-type", "v3applicationcredential", "--os-application-credential-id", "ac1",
     "--os-application-credential-secret", "app-secret-value"],
    ["--os-auth-type", "token", "--os-token", "app-secret-value", "--os-project-id", "p1"],
])
def test_debug_shows_no_application_credential_secret_nor_token(cli, argv):
    unset = {"OS_PASSWORD": None, "OS_USERNAME": None, "OS_PROJECT_NAME": None}
    r = cli("wrong-password", "--debug", "--no-cache", *argv, "image", "list", env=unset)
    assert r.code == 1 and "Traceback" in r.err and "401" in r.err
    assert "app-secret-value" not in r.err and "app-secret-value" not in r.out
