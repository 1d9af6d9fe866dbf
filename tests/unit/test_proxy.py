"""osops.proxy: masking a proxy URL's password, and the no_proxy advice."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from osops.explain import explain
from osops.proxy import masked, off_the_proxy


@pytest.mark.parametrize("url, shown", [
    ("http://u:s3cret@[::1]:9", "http://u:***@[::1]:9"),
    ("http://u:s3cret@[fd00::5]", "http://u:***@[fd00::5]"),
    ("http://u:s3cret@proxy:3128/", "http://u:***@proxy:3128/"),
    ("u:s3cret@proxy:3128", "u:***@proxy:3128"),  # requests takes a variable without its scheme too
    ("http://u:p%40ss@proxy:3128", "http://u:***@proxy:3128"),
    ("http://proxy:3128", "http://proxy:3128"),
    ("http://user@proxy:3128", "http://user@proxy:3128"),
])
def test_masked_hides_the_password_and_keeps_the_rest(url, shown):
    assert masked(url) == shown


@given(user=st.text(string.ascii_letters, min_size=1, max_size=8),
       password=st.text(string.ascii_letters + string.digits + "%!$&'()*+,;=", min_size=1, max_size=12),
       host=st.sampled_from(["proxy", "10.0.0.1", "[::1]", "[fd00::5]", "proxy.example.com"]),
       port=st.one_of(st.just(""), st.integers(1, 65535).map(lambda p: f":{p}")),
       scheme=st.sampled_from(["http://", "https://", "socks5h://", ""]))
def test_masked_never_shows_a_password(user, password, host, port, scheme):
    shown = masked(f"{scheme}{user}:{password}@{host}{port}")
    assert shown == f"{scheme}{user}:***@{host}{port}"


def test_an_ipv6_proxy_keeps_its_brackets_in_the_message(clean_env, monkeypatch):
    # The audit: "through proxy http://u:***@::1:9", an address no one can use.
    from keystoneauth1 import exceptions as ksa

    monkeypatch.setenv("http_proxy", "http://u:s3cret@[::1]:9")
    url = "http://ctl:5000/v3/auth/tokens"
    err = explain(ksa.ConnectFailure(f"Unable to establish connection to {url}: [Errno 111] Connection refused"))
    assert f"cannot reach Keystone at {url} through proxy http://u:***@[::1]:9 (http_proxy): " in err.problem
    assert "s3cret" not in str(err)


def test_off_the_proxy_names_only_what_goes_through_one(clean_env, monkeypatch):
    monkeypatch.setenv("http_proxy", "http://proxy:3128")
    monkeypatch.setenv("no_proxy", "image.lab")
    assert off_the_proxy(["http://image.lab/v2", "http://compute.lab/v2.1", "http://ctl:5000"]) == (
        "if the proxy cannot reach the cloud, keep the cloud off it: export no_proxy=image.lab,compute.lab,ctl")
    assert off_the_proxy(["http://image.lab/v2"]) == ""
