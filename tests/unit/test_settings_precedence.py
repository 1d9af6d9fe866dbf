"""Settings precedence as python-openstackclient has it: an --os-* option
over its OS_* variable over the clouds.yaml cloud, for every setting; and
a region the catalog does not have refused before anything is asked."""

import argparse

import pytest
import yaml

from osops.cli import os_options
from osops.cloud import load_config

# Its regions list the others too: openstacksdk refuses a region a cloud's
# own list lacks, as openstack does.
CLOUD = {"auth_type": "password", "regions": ["CloudRegion", "EnvRegion", "OptionRegion"], "interface": "internal",
         "cacert": "/cloud/ca.pem", "insecure": False, "identity_api_version": 3,
         "auth": {"auth_url": "http://cloud.invalid:5000/v3", "username": "cloud-user", "password": "cloud-pw",
                  "project_name": "cloud-project", "user_domain_name": "CloudDomain",
                  "project_domain_name": "CloudDomain"}}
# setting: (where it is in the config, OS_* variable's value, --os-* option's value)
SETTINGS = {
    "region_name": ("region_name", "EnvRegion", "OptionRegion"),  # the cloud's: its first region
    "interface": ("interface", "public", "admin"),
    "auth_type": ("auth_type", "v3password", "password"),
    "cacert": ("cacert", "/env/ca.pem", "/option/ca.pem"),
    "auth_url": ("auth.auth_url", "http://env.invalid:5000/v3", "http://option.invalid:5000/v3"),
    "username": ("auth.username", "env-user", "option-user"),
    "password": ("auth.password", "env-pw", "option-pw"),
    "project_name": ("auth.project_name", "env-project", "option-project"),
    "user_domain_name": ("auth.user_domain_name", "EnvDomain", "OptionDomain"),
    "project_domain_name": ("auth.project_domain_name", "EnvDomain", "OptionDomain"),
}


@pytest.fixture
def lab(clean_env, monkeypatch):
    """clouds.yaml with cloud "lab" (CLOUD), chosen by OS_CLOUD."""
    path = clean_env / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"lab": CLOUD}}))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    monkeypatch.setenv("OS_CLOUD", "lab")
    return path


def loaded(*argv):
    """The config osops's CLI loads for the global options *argv*."""
    return region(*argv).config


def region(*argv):
    """The CloudRegion osops's CLI loads for the global options *argv*."""
    parser = argparse.ArgumentParser()
    os_options.add_to(parser)
    options = parser.parse_args(list(argv))
    return load_config(options.os_cloud, **os_options.values(options))


def verify(*argv):
    """What requests is told to verify TLS with (False: not at all)."""
    return region(*argv).get_requests_verify_args()[0]


def value(config, path):
    for part in path.split("."):
        config = config[part]
    return config


@pytest.mark.parametrize("key", SETTINGS)
def test_variable_beats_the_cloud_and_option_beats_both(lab, monkeypatch, key):
    path, from_env, from_option = SETTINGS[key]
    cloud_value = "CloudRegion" if key == "region_name" else value(CLOUD, path)
    assert str(value(loaded(), path)) == str(cloud_value)
    monkeypatch.setenv(f"OS_{key.upper()}", from_env)
    assert value(loaded(), path) == from_env
    assert value(loaded(os_options.option_of(key), from_option), path) == from_option


def test_legacy_tenant_variable_beats_the_cloud_and_project_variable_beats_it(lab, monkeypatch):
    monkeypatch.setenv("OS_TENANT_NAME", "tenant")
    assert loaded()["auth"]["project_name"] == "tenant"
    monkeypatch.setenv("OS_PROJECT_NAME", "project")
    assert loaded()["auth"]["project_name"] == "project"


def test_insecure_from_the_variable_or_the_option_beats_the_cloud(lab, monkeypatch):
    assert verify() == "/cloud/ca.pem"
    assert verify("--insecure") is False
    monkeypatch.setenv("OS_INSECURE", "true")
    assert verify() is False


def test_a_token_alone_picks_the_token_plugin_as_openstack_does(clean_env, monkeypatch):
    monkeypatch.setenv("OS_AUTH_URL", "http://env.invalid:5000/v3")
    config = loaded("--os-token", "a-token", "--os-project-id", "p1")
    assert config["auth_type"] == "token"
    assert config["auth"]["token"] == "a-token" and config["auth"]["project_id"] == "p1"


def test_application_credential_options(clean_env):
    config = loaded("--os-auth-url", "http://h.invalid:5000/v3", "--os-auth-type", "v3applicationcredential",
                    "--os-application-credential-id", "ac1", "--os-application-credential-secret", "s3")
    assert config["auth_type"] == "v3applicationcredential"
    assert config["auth"]["application_credential_id"] == "ac1"
    assert config["auth"]["application_credential_secret"] == "s3"


def test_system_scope_and_user_id(clean_env, monkeypatch):
    monkeypatch.setenv("OS_SYSTEM_SCOPE", "all")
    config = loaded("--os-auth-url", "http://h.invalid:5000/v3", "--os-user-id", "u1", "--os-password", "pw")
    assert config["auth"]["system_scope"] == "all" and config["auth"]["user_id"] == "u1"


# -- the region, against the token's catalog (RegionOne in every recording) --

def test_a_region_the_catalog_lacks_fails_before_any_call_naming_the_regions(cli):
    r = cli("flavor-list", "flavor", "list", env={"OS_REGION_NAME": "Nowhere"}, unmatched_ok=True)
    assert r.code == 1
    assert r.err.strip().splitlines() == [
        "region 'Nowhere' (from OS_REGION_NAME) is not a region of this cloud; its catalog has RegionOne; "
        "set OS_REGION_NAME to RegionOne, or leave it out"]
    assert [c for c in r.calls if "flavors" in c] == []
    assert r.out == ""


def test_the_variable_region_is_checked_also_with_a_clouds_yaml_cloud(cli, clean_env, monkeypatch):
    """The dangerous case: OS_CLOUD chose a cloud, OS_REGION_NAME names a
    region it lacks.  A cloud with no regions of its own is checked
    against the catalog; one that lists its regions, by openstacksdk's
    loader (as openstack does)."""
    from osops.testing import replay
    from tests.unit.conftest import cassette

    with replay(cassette("flavor-list")) as player:
        auth_url = player.auth_url
    path = clean_env / "clouds.yaml"
    auth = {"auth_url": auth_url, "username": "admin", "password": "pw", "project_name": "admin",
            "user_domain_id": "default", "project_domain_id": "default"}
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    path.write_text(yaml.safe_dump({"clouds": {"lab": {"auth": auth}}}))
    env = {"OS_CLOUD": "lab", "OS_REGION_NAME": "Nowhere"}
    r = cli("flavor-list", "flavor", "list", env=env, unmatched_ok=True)
    assert r.code == 1 and "region 'Nowhere' (from OS_REGION_NAME) is not a region of this cloud" in r.err
    path.write_text(yaml.safe_dump({"clouds": {"lab": {"region_name": "RegionOne", "auth": auth}}}))
    r = cli("flavor-list", "flavor", "list", env=env, unmatched_ok=True)
    assert r.code == 1 and r.out == ""
    assert r.err.startswith("Region Nowhere is not a valid region name for cloud lab. Valid choices are RegionOne.")
    r = cli("flavor-list", "--os-region-name", "RegionOne", "flavor", "list", "-f", "value", "-c", "Name", env=env)
    assert r.code == 0, r.err
    assert "m1.tiny" in r.out.split()


def test_a_region_of_the_catalog_is_fine(cli):
    r = cli("flavor-list", "flavor", "list", "-f", "value", "-c", "Name", env={"OS_REGION_NAME": "RegionOne"})
    assert r.code == 0, r.err
    assert "m1.tiny" in r.out.split()


def test_the_option_is_named_when_the_region_came_from_it(cli):
    r = cli("flavor-list", "--os-region-name", "Elsewhere", "flavor", "list", unmatched_ok=True)
    assert r.code == 1
    assert "region 'Elsewhere' (from --os-region-name)" in r.err and "set --os-region-name to RegionOne" in r.err
