"""Config loading through openstacksdk's loader (no HTTP here)."""

import pytest
import yaml

from osops.cloud import MissingSettings, load_config
from osops.errors import OsopsError

LEGACY = {"OS_USERNAME": "admin", "OS_PASSWORD": "devstack", "OS_TENANT_NAME": "admin",
          "OS_AUTH_URL": "http://192.0.2.10:5000/v2.0"}
DOMAINS = {"OS_USER_DOMAIN_ID": "default", "OS_PROJECT_DOMAIN_ID": "default"}


def setenv(monkeypatch, values):
    for k, v in values.items():
        monkeypatch.setenv(k, v)


def test_seed_openrc_becomes_v3_at_the_root_with_one_warning(clean_env, monkeypatch):
    setenv(monkeypatch, LEGACY)
    warnings = []
    region = load_config(warn=warnings.append)
    auth = region.config["auth"]
    assert auth["auth_url"] == "http://192.0.2.10:5000"
    assert auth["project_name"] == "admin"
    assert auth["user_domain_id"] == auth["project_domain_id"] == "default"
    assert str(region.config["identity_api_version"]) == "3"
    assert len(warnings) == 1 and "v2.0" in warnings[0] and "OS_AUTH_URL=http://192.0.2.10:5000/v3" in warnings[0]
    assert "devstack" not in warnings[0]


def test_legacy_tenant_id_maps_to_project_id(clean_env, monkeypatch):
    setenv(monkeypatch, {**LEGACY, **DOMAINS, "OS_TENANT_ID": "p123", "OS_AUTH_URL": "http://h:5000/v3"})
    monkeypatch.delenv("OS_TENANT_NAME")
    region = load_config(warn=pytest.fail)
    assert region.config["auth"]["project_id"] == "p123"


def test_explicit_domains_are_kept_on_v2_urls(clean_env, monkeypatch):
    setenv(monkeypatch, {**LEGACY, "OS_USER_DOMAIN_NAME": "corp", "OS_PROJECT_DOMAIN_NAME": "corp"})
    auth = load_config(warn=lambda _: None).config["auth"]
    assert auth["user_domain_name"] == "corp" and "user_domain_id" not in auth


def test_options_win_over_the_environment(clean_env, monkeypatch):
    setenv(monkeypatch, {**LEGACY, **DOMAINS, "OS_AUTH_URL": "http://h:5000/v3"})
    region = load_config(username="other", region_name="RegionTwo", warn=pytest.fail)
    assert region.config["auth"]["username"] == "other"
    assert region.config["region_name"] == "RegionTwo"


def write_clouds(path, clouds, monkeypatch):
    path.write_text(yaml.safe_dump({"clouds": clouds}))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))


def test_only_options_reads_neither_clouds_yaml_nor_os_variables(clean_env, monkeypatch):
    write_clouds(clean_env / "clouds.yaml", {"lab": {"region_name": "Lab", "auth": {
        "auth_url": "http://lab:5000/v3", "username": "u", "password": "p", "project_name": "x"}}}, monkeypatch)
    setenv(monkeypatch, {**LEGACY, "OS_CLOUD": "lab", "OS_REGION_NAME": "Elsewhere", "OS_INTERFACE": "admin"})
    region = load_config(only_options=True, warn=pytest.fail, auth_url="http://h:5000/v3", username="me",
                         password="pw", project_name="mine", user_domain_id="default", project_domain_id="default")
    auth = region.config["auth"]
    assert (auth["auth_url"], auth["username"], auth["project_name"]) == ("http://h:5000/v3", "me", "mine")
    assert not region.config.get("region_name") and region.config.get("interface") != "admin"


def test_clouds_yaml_by_name_and_by_os_cloud(clean_env, monkeypatch):
    write_clouds(clean_env / "clouds.yaml", {"lab": {"auth": {
        "auth_url": "http://lab:5000/v3", "username": "u", "password": "p", "project_name": "x",
        "user_domain_id": "default", "project_domain_id": "default"}}}, monkeypatch)
    assert load_config("lab").config["auth"]["auth_url"] == "http://lab:5000/v3"
    monkeypatch.setenv("OS_CLOUD", "lab")
    assert load_config().config["auth"]["username"] == "u"


def test_no_credentials_names_what_to_do_and_the_clouds_found(clean_env, monkeypatch):
    write_clouds(clean_env / "clouds.yaml", {"devstack": {"region_name": "RegionOne"},
                                             "devstack-admin": {"region_name": "RegionOne"}}, monkeypatch)
    with pytest.raises(OsopsError) as err:
        load_config()
    message = str(err.value)
    assert "OS_AUTH_URL" in message and "source an openrc" in message
    assert "clouds found: devstack, devstack-admin" in message


def test_no_credentials_without_any_clouds_yaml_points_at_the_demo(clean_env):
    with pytest.raises(OsopsError, match="--os-cloud demo"):
        load_config()


def test_unknown_cloud_names_the_clouds_there_are(clean_env, monkeypatch):
    with pytest.raises(OsopsError, match=r"no clouds.yaml \(or .yml, .json\) to find cloud nope in; looked in "):
        load_config("nope")
    write_clouds(clean_env / "clouds.yaml", {"lab": {"region_name": "R"}, "lab2": {"region_name": "R"}}, monkeypatch)
    with pytest.raises(OsopsError, match=r"Cloud nope was not found. Clouds in .*clouds.yaml: lab, lab2"):
        load_config("nope")


def test_command_line_auth_options_win_over_clouds_yaml(clean_env, monkeypatch):
    write_clouds(clean_env / "clouds.yaml", {"lab": {"auth": {
        "auth_url": "http://lab:5000/v3", "username": "u", "password": "p", "project_name": "x",
        "user_domain_id": "default", "project_domain_id": "default"}}}, monkeypatch)
    auth = load_config("lab", password="other", project_name="y").config["auth"]
    assert (auth["password"], auth["project_name"], auth["username"]) == ("other", "y", "u")


def test_identity_api_version_2_with_a_v3_url_names_the_variable(clean_env, monkeypatch):
    # Not "http://h:5000/v3 is Identity v2.0 ... export OS_AUTH_URL=http://h:5000/v3/v3".
    setenv(monkeypatch, {**LEGACY, "OS_AUTH_URL": "http://192.0.2.10:5000/v3", "OS_IDENTITY_API_VERSION": "2"})
    warnings = []
    region = load_config(warn=warnings.append)
    assert region.config["auth"]["auth_url"] == "http://192.0.2.10:5000/v3"
    assert str(region.config["identity_api_version"]) == "3"
    assert warnings == ["warning: OS_IDENTITY_API_VERSION=2 asks for Identity v2.0, which Keystone no longer "
                        "serves; using v3 at http://192.0.2.10:5000/v3; to silence this: unset "
                        "OS_IDENTITY_API_VERSION (or export OS_IDENTITY_API_VERSION=3)"]


def test_identity_api_version_2_in_clouds_yaml_names_the_cloud(clean_env, monkeypatch):
    path = clean_env / "clouds.yaml"
    write_clouds(path, {"lab": {"identity_api_version": 2, "auth": {
        "auth_url": "http://lab:5000", "username": "u", "password": "p", "project_name": "x"}}}, monkeypatch)
    warnings = []
    load_config("lab", warn=warnings.append)
    assert warnings == [f"warning: identity_api_version: 2 of cloud 'lab' asks for Identity v2.0, which Keystone "
                        "no longer serves; using v3 at http://lab:5000; to silence this: set "
                        f"identity_api_version: 3 for cloud 'lab' in {path}"]


def test_missing_password_is_named_before_anything_is_sent(clean_env, monkeypatch):
    setenv(monkeypatch, {**LEGACY, **DOMAINS, "OS_AUTH_URL": "http://192.0.2.10:5000/v3"})
    monkeypatch.delenv("OS_PASSWORD")
    with pytest.raises(MissingSettings) as err:
        load_config(warn=pytest.fail)
    assert (err.value.problem, err.value.fix) == ("OS_PASSWORD is not set",
                                                  "export OS_PASSWORD=... (or pass --os-password)")
    assert load_config(password="given", warn=pytest.fail).config["auth"]["password"] == "given"


def test_everything_that_would_fail_the_login_is_named_at_once(clean_env, monkeypatch):
    # The doctor's rules: a v3 user and project named without their domains
    # fail as surely as no password does.
    setenv(monkeypatch, {**LEGACY, "OS_AUTH_URL": "http://192.0.2.10:5000/v3", "OS_IDENTITY_API_VERSION": "3"})
    monkeypatch.delenv("OS_PASSWORD")
    with pytest.raises(MissingSettings) as err:
        load_config(warn=pytest.fail)
    assert err.value.missing == ["password", "user_domain_name", "project_domain_name"]
    assert str(err.value) == ("OS_PASSWORD, OS_USER_DOMAIN_NAME and OS_PROJECT_DOMAIN_NAME are not set; export "
                              "OS_PASSWORD=... OS_USER_DOMAIN_NAME=... OS_PROJECT_DOMAIN_NAME=... (or pass "
                              "--os-password --os-user-domain-name --os-project-domain-name)")


@pytest.mark.parametrize("extra", [
    {"OS_USER_ID": "0123abcd"},  # a user by id needs no domain
    {"OS_DOMAIN_ID": "default"},  # one domain for user and project
    {"OS_DEFAULT_DOMAIN_ID": "default"},  # keystoneauth's default for both
])
def test_settings_that_stand_in_for_the_domains_are_enough(clean_env, monkeypatch, extra):
    env = {**LEGACY, "OS_AUTH_URL": "http://192.0.2.10:5000/v3", **extra}
    if "OS_USER_ID" in extra:
        del env["OS_USERNAME"], env["OS_TENANT_NAME"]
    setenv(monkeypatch, env)
    load_config(warn=pytest.fail)


def test_an_unscoped_login_is_not_refused(clean_env, monkeypatch):
    setenv(monkeypatch, {**DOMAINS, "OS_USERNAME": "admin", "OS_PASSWORD": "p", "OS_AUTH_URL": "http://h:5000/v3"})
    assert "project_name" not in load_config(warn=pytest.fail).config["auth"]


def test_other_auth_types_are_not_asked_for_a_password(clean_env, monkeypatch):
    setenv(monkeypatch, {"OS_AUTH_TYPE": "v3token", "OS_TOKEN": "t0ken", "OS_AUTH_URL": "http://h:5000/v3"})
    assert load_config(warn=pytest.fail).config["auth_type"] == "v3token"


def test_missing_settings_in_the_options_name_the_options(clean_env):
    with pytest.raises(MissingSettings) as err:
        load_config(auth_url="http://h:5000/v3", user_id="0123abcd", warn=pytest.fail)
    assert str(err.value) == ("no --os-password given; pass --os-password (password= in Python) or "
                              "export OS_PASSWORD=...")


def test_missing_password_in_clouds_yaml_names_the_cloud_file_and_secure_yaml(clean_env, monkeypatch):
    path = clean_env / "clouds.yaml"
    write_clouds(path, {"lab": {"auth": {"auth_url": "http://lab:5000/v3", "username": "u", "project_name": "x",
                                         "user_domain_id": "default", "project_domain_id": "default"}}},
                 monkeypatch)
    with pytest.raises(OsopsError) as err:
        load_config("lab")
    assert str(err.value) == (f"no password in clouds.yaml cloud 'lab' in {path} (chosen by --os-cloud); add "
                              "password under auth: of cloud 'lab' there or in a secure.yaml beside it, or pass "
                              "--os-password")
    secure = clean_env / "secure.yaml"
    secure.write_text(yaml.safe_dump({"clouds": {"other": {"auth": {"password": "p"}}}}))
    monkeypatch.setenv("OS_CLIENT_SECURE_FILE", str(secure))
    with pytest.raises(OsopsError, match=f"there or in {secure}, or pass --os-password"):
        load_config("lab")
    secure.write_text(yaml.safe_dump({"clouds": {"lab": {"auth": {"password": "p"}}}}))
    assert load_config("lab").config["auth"]["password"] == "p"


def test_an_exported_password_ignored_for_a_clouds_yaml_cloud_says_so(clean_env, monkeypatch):
    path = clean_env / "clouds.yaml"
    write_clouds(path, {"nopw": {"auth": {"auth_url": "http://lab:5000/v3", "username": "u",
                                          "user_domain_id": "default"}}}, monkeypatch)
    monkeypatch.setenv("OS_PASSWORD", "s3cr3t-pw")
    with pytest.raises(MissingSettings) as err:
        load_config("nopw")
    assert err.value.problem == (f"no password in clouds.yaml cloud 'nopw' in {path} (chosen by --os-cloud); "
                                 "OS_PASSWORD is set but ignored for a clouds.yaml cloud")
    assert "s3cr3t-pw" not in str(err.value)


def test_an_exported_stand_in_ignored_for_a_clouds_yaml_cloud_is_named(clean_env, monkeypatch):
    write_clouds(clean_env / "clouds.yaml", {"lab": {"auth": {"auth_url": "http://lab:5000/v3", "password": "p"}}},
                 monkeypatch)
    monkeypatch.setenv("OS_USER_ID", "0123abcd")  # would do instead of a user name, but is not read
    with pytest.raises(MissingSettings) as err:
        load_config("lab")
    assert err.value.problem.endswith("; OS_USER_ID is set but ignored for a clouds.yaml cloud")


def test_chosen_cloud_without_auth_url_is_named_with_its_file(clean_env, monkeypatch):
    # Not "OS_AUTH_URL is not set and no cloud was chosen" after --os-cloud devstack.
    path = clean_env / "clouds.yaml"
    write_clouds(path, {"devstack": {"region_name": "RegionOne"}, "devstack-admin": {"region_name": "RegionOne"}},
                 monkeypatch)
    with pytest.raises(OsopsError) as err:
        load_config("devstack")
    assert err.value.problem == (f"no auth_url, username, password in clouds.yaml cloud 'devstack' in {path} "
                                 "(chosen by --os-cloud)")
    assert err.value.fix.startswith("add auth_url, username, password under auth: of cloud 'devstack' there")
    monkeypatch.setenv("OS_CLOUD", "devstack-admin")
    with pytest.raises(OsopsError, match=r"cloud 'devstack-admin' in .* \(chosen by OS_CLOUD\)"):
        load_config()


def test_the_clouds_yaml_example_named_in_messages_is_installed_and_works(clean_env, monkeypatch):
    # Messages pointed at etc/clouds.yaml.example, which pip does not install.
    import configparser
    import fnmatch
    import pathlib

    import osops
    from osops.settings import CLOUDS_YAML_EXAMPLE

    with pytest.raises(OsopsError) as err:
        load_config()
    assert f"(see {CLOUDS_YAML_EXAMPLE})" in str(err.value)
    example = pathlib.Path(CLOUDS_YAML_EXAMPLE)
    package = pathlib.Path(osops.__file__).parent
    setup = configparser.ConfigParser()
    setup.read(package.parent / "setup.cfg")
    shipped = [p.strip() for p in setup["options.package_data"]["osops"].split(",")]
    assert any(fnmatch.fnmatch(str(example.relative_to(package)), p) for p in shipped)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(example))
    for name in yaml.safe_load(example.read_text())["clouds"]:
        assert load_config(name, password="from secure.yaml").name == name


@pytest.mark.parametrize("clouds", [
    {"lab": {"auth": {"auth_url": "http://lab:5000/v3", "username": "u", "user_domain_id": "default"}}},
    {"lab": {"identity_api_version": 2, "auth": {"auth_url": "http://lab:5000", "username": "u", "password": "p"}}},
])
def test_a_file_name_with_a_newline_stays_on_one_line(clean_env, monkeypatch, clouds):
    folder = clean_env / "odd\nfolder"
    folder.mkdir()
    write_clouds(folder / "clouds.yaml", clouds, monkeypatch)
    lines = []
    try:
        load_config("lab", warn=lines.append)
    except OsopsError as exc:
        lines.append(str(exc))
    (line,) = lines
    assert "\n" not in line and "odd\\nfolder" in line
