"""A config mistake is reported as what it is: the file and line of a
YAML error, a file that is empty, a directory, not a file or not a
clouds.yaml, no clouds.yaml at all, a URL that is not one, a token left
in OS_TOKEN, no project; a password inside a URL never shows."""

import os

import pytest

from osops.cli.app import main
from osops.cloud import load_config
from osops.errors import OsopsError
from osops.explain import explain

OPENRC = {"OS_AUTH_URL": "http://127.0.0.1:1/v3", "OS_USERNAME": "admin", "OS_PASSWORD": "pw",
          "OS_PROJECT_NAME": "admin", "OS_USER_DOMAIN_ID": "default", "OS_PROJECT_DOMAIN_ID": "default"}


@pytest.fixture
def clouds_yaml(clean_env, monkeypatch):
    """Write *text* as the clouds.yaml and ask for cloud lab; its path."""
    path = clean_env / "clouds.yaml"

    def write(text):
        path.write_text(text)
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
        monkeypatch.setenv("OS_CLOUD", "lab")
        return path

    return write


def refused(**options):
    with pytest.raises(OsopsError) as caught:
        load_config(**options)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def test_a_yaml_error_names_the_file_and_the_line(clouds_yaml):
    path = clouds_yaml("clouds:\n  lab:\n    auth:\n      auth_url: http://h/v3\n     username: x\n")
    message = refused()
    assert message.startswith(f"Skipping config file {path}: while parsing a block mapping")
    assert f'in "{path}", line 5, column 6' in message and message.endswith("fix that file's YAML")


@pytest.mark.parametrize("text", ["", "  \n\n"])
def test_an_empty_file_says_so(clouds_yaml, text):
    path = clouds_yaml(text)
    assert refused().startswith(f"{path} is empty: it has no clouds; write cloud lab in it")


@pytest.mark.parametrize("text, shape", [("clouds: hello\n", "its clouds: is a str"),
                                         ("- a\n- b\n", "is empty or not a valid mapping"),
                                         ("clouds:\n  lab: hello\n", "does not have the shape of a clouds.yaml")])
def test_a_file_that_is_not_a_clouds_yaml_says_so(clouds_yaml, text, shape):
    path = clouds_yaml(text)
    message = refused()
    assert str(path) in message and shape in message
    assert "has no attribute" not in message.split("(")[0]


def test_a_directory_or_a_fifo_is_not_read(clean_env, monkeypatch):
    monkeypatch.setenv("OS_CLOUD", "lab")
    (clean_env / "dir.yaml").mkdir()
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clean_env / "dir.yaml"))
    assert refused().startswith(f"{clean_env / 'dir.yaml'} is a directory, not a clouds.yaml")
    os.mkfifo(clean_env / "fifo.yaml")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clean_env / "fifo.yaml"))
    assert refused().startswith(f"{clean_env / 'fifo.yaml'} is not a regular file")


def test_an_unreadable_file_says_why(clouds_yaml, monkeypatch):
    path = clouds_yaml("clouds: {}\n")
    real = open

    def no_read(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied")
        return real(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", no_read)
    assert refused() == f"cannot read {path}: Permission denied; fix its permissions (it is only read)"


def test_a_huge_clouds_yaml_is_refused_with_its_size(clouds_yaml):
    path = clouds_yaml("")
    with open(path, "wb") as f:
        f.truncate(22 * 1024 * 1024)
    assert refused().startswith(f"{path} is 22.0 MB; a clouds.yaml over 10 MB is refused")


def test_os_cloud_without_any_clouds_yaml_says_where_it_looked(clean_env, monkeypatch):
    monkeypatch.setenv("OS_CLOUD", "lab")
    message = refused()
    # openstacksdk's own list of places (fixed when it was first imported)
    assert message.startswith("no clouds.yaml (or .yml, .json) to find cloud lab in; looked in /")
    assert "/.config/openstack, " in message and "/etc/openstack; " in message
    assert message.endswith("or unset OS_CLOUD and source an openrc")


def test_a_cloud_not_in_the_file_lists_those_that_are(clouds_yaml):
    path = clouds_yaml("clouds:\n  lab1: {}\n  lab2: {}\n")
    assert refused() == (f"Cloud lab was not found. Clouds in {path}: lab1, lab2; choose one of them with "
                         "--os-cloud NAME")


@pytest.mark.parametrize("url", ["not a url", "127.0.0.1:5000/v3", "ftp://h/v3", "http://"])
def test_an_auth_url_that_is_not_a_url_says_so(clean_env, monkeypatch, url):
    for k, v in {**OPENRC, "OS_AUTH_URL": url}.items():
        monkeypatch.setenv(k, v)
    assert refused().startswith(f"OS_AUTH_URL is not a URL: {url}; write it as http://HOST:5000/v3")


def test_a_leftover_os_token_with_a_password_says_so(clean_env, monkeypatch):
    for k, v in {**OPENRC, "OS_TOKEN": "gAAAAAleftover"}.items():
        monkeypatch.setenv(k, v)
    message = refused()
    assert message.startswith("OS_TOKEN is set while the auth type is password")
    assert "gAAAAAleftover" not in message


def test_no_project_says_the_token_is_unscoped():
    from keystoneauth1.exceptions import EndpointNotFound

    error = explain(EndpointNotFound("Could not find requested endpoint in Service Catalog."),
                    auth={"auth_url": "http://h/v3", "username": "admin"})
    assert error.problem == "no project given: the token is unscoped and carries no service catalog"
    assert "OS_PROJECT_NAME" in error.fix


def test_a_password_inside_a_url_is_masked(cli, closed_port):
    r = cli({"osops_cassette": 1, "command": "", "interactions": []}, "image", "list",
            env={"OS_AUTH_URL": f"http://admin:s3cr3t-in-url@127.0.0.1:{closed_port}/v3"}, unmatched_ok=True)
    assert r.code == 1
    assert "s3cr3t-in-url" not in r.err and f"http://admin:***@127.0.0.1:{closed_port}/v3" in r.err


def test_the_cli_gives_one_line_and_exit_1(clouds_yaml, capsys):
    clouds_yaml("")
    assert main(["image", "list"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is empty: it has no clouds" in err


def test_a_password_inside_a_url_is_masked_in_debug_traces_too(cli, closed_port):
    r = cli({"osops_cassette": 1, "command": "", "interactions": []}, "--debug", "image", "list",
            env={"OS_AUTH_URL": f"http://admin:s3cr3t-in-url@127.0.0.1:{closed_port}/v3"}, unmatched_ok=True)
    assert r.code == 1
    assert "Traceback" in r.err
    assert "s3cr3t-in-url" not in r.err and "http://admin:***@127.0.0.1" in r.err
