"""Any clouds.yaml, however broken, gives a config or one clean line."""

import string

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from osops.cloud import load_config
from osops.errors import OsopsError, explain

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


def attempt(text, tmp_path, monkeypatch):
    path = tmp_path / "clouds.yaml"
    path.write_text(text)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    try:
        load_config("lab", warn=lambda line: None)
    except OsopsError as exc:
        return str(exc)
    except Exception as exc:  # what the CLI would see goes through explain()
        return str(explain(exc))
    return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=documents)
def test_any_clouds_yaml_gives_a_config_or_one_clean_line(text, clean_env, monkeypatch):
    message = attempt(text, clean_env, monkeypatch)
    if message is not None:
        assert message.strip() and "\n" not in message and "Traceback" not in message


def test_a_yaml_syntax_error_names_the_file(clean_env, monkeypatch):
    message = attempt("clouds: [unclosed", clean_env, monkeypatch)
    assert "clouds.yaml" in message
