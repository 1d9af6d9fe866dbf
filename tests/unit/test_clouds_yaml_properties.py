"""Any clouds.yaml, however broken, gives a config or one clean line."""

import os
import pathlib
import string
import subprocess
import sys

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openstack.config import loader

from osops.cloud import load_config
from osops.errors import OsopsError
from osops.explain import explain

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEARCHED = list(loader.CONFIG_FILES)  # openstacksdk's own search path, as it found it

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(string.printable, max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)
auth_keys = st.sampled_from(["auth_url", "username", "password", "project_name", "user_domain_id", "auth_type",
                             "region_name", "identity_api_version", "interface", "regions", "profile", "auth"])
cloud = st.dictionaries(auth_keys, values, max_size=5)
documents = st.one_of(
    st.text(max_size=80),
    st.builds(lambda c: yaml.safe_dump({"clouds": {"lab": c}}), cloud),
    st.builds(lambda c: yaml.safe_dump({"clouds": c}), values),
)


def attempt(text, tmp_path, monkeypatch, searched=False):
    """load_config("lab") with *text* as clouds.yaml: named by
    OS_CLIENT_CONFIG_FILE, or (*searched*) found on openstacksdk's search
    path.  That path is fixed when openstacksdk is imported; it is set here
    to what it is for a user whose XDG config folder is ~/.config, where
    it names ~/.config/openstack twice (user_config_dir and the Unix one)."""
    if searched:
        monkeypatch.delenv("OS_CLIENT_CONFIG_FILE", raising=False)
        path = tmp_path / ".config" / "openstack" / "clouds.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        monkeypatch.setattr(loader, "CONFIG_FILES", [str(path), str(path)])
    else:
        path = tmp_path / "clouds.yaml"
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
        monkeypatch.setattr(loader, "CONFIG_FILES", SEARCHED)  # an earlier example's path is gone
    path.write_text(text)
    try:
        load_config("lab", warn=lambda line: None)
    except OsopsError as exc:
        return str(exc)
    except Exception as exc:  # what the CLI would see goes through explain()
        return str(explain(exc))
    return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=documents, searched=st.booleans())
def test_any_clouds_yaml_gives_a_config_or_one_clean_line(text, searched, clean_env, monkeypatch):
    message = attempt(text, clean_env, monkeypatch, searched)
    if message is not None:
        assert message.strip() and "\n" not in message and "Traceback" not in message
        assert message.count("Skipping config file") <= 1  # one file, said once


@pytest.mark.parametrize("searched", [False, True])
def test_a_yaml_syntax_error_names_the_file_once(clean_env, monkeypatch, searched):
    message = attempt("clouds: [unclosed", clean_env, monkeypatch, searched)
    assert message.count("Skipping config file") == 1
    assert message.startswith("Cloud lab was not found. Skipping config file ")
    assert "clouds.yaml" in message and message.endswith("; fix that file's YAML")


def test_the_cli_says_a_broken_clouds_yaml_once(tmp_path):
    # The audit's run: a fresh process whose HOME holds the broken file.
    home = tmp_path / "home"
    (home / ".config" / "openstack").mkdir(parents=True)
    (home / ".config" / "openstack" / "clouds.yaml").write_text("clouds: [unclosed\n")
    (home / "cwd").mkdir()
    env = {"PATH": os.defpath, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_CACHE_HOME": str(home / ".cache"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "osops", "--os-cloud", "lab", "image", "list"], cwd=home / "cwd",
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and done.stderr.count("Skipping config file") == 1, done.stderr
