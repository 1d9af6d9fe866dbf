"""explain() on its own: which service a URL belongs to, and what the
message says.  The exceptions are keystoneauth's own, raised by a real
request to a closed port on 127.0.0.1 where the URL does not matter, and
made with keystoneauth's message format ("Unable to establish connection
to URL: reason") where the URL must be one that cannot be connected to."""

import pytest
from keystoneauth1 import exceptions as ksa

from osops.errors import explain


def refused(url):
    """The ConnectFailure keystoneauth raises for a refused *url*."""
    return ksa.ConnectFailure(f"Unable to establish connection to {url}: [Errno 111] Connection refused")


@pytest.mark.parametrize("auth_url, url", [
    ("http://ctl/v3", "http://ctl/compute/v2.1/servers"),
    ("http://ctl:5000/v3", "http://ctl:50000/x"),
    ("http://ctl/identity/v3", "http://ctl/identity_admin/v3"),
    ("http://ctl/identity", "http://ctl/identity/v30"),
])
def test_a_url_that_merely_starts_like_the_auth_url_is_not_keystone(auth_url, url):
    problem = explain(refused(url), {"auth_url": auth_url}).problem
    assert problem == f"cannot reach {url}: connection refused"


@pytest.mark.parametrize("auth_url, url", [
    ("http://ctl/v3", "http://ctl/"),
    ("http://ctl/v3", "http://ctl/v3"),
    ("http://ctl:5000/v3", "http://ctl:5000/v3/users?name=admin"),
    ("http://ctl/identity", "http://ctl/identity/v2.0/tenants"),
    ("http://ctl/identity/v3", "http://ctl/identity"),
    ("http://elsewhere:5000", "http://ctl:5000/v3/auth/tokens"),
])
def test_keystone_urls_are_named_keystone(auth_url, url):
    err = explain(refused(url), {"auth_url": auth_url})
    assert err.problem == f"cannot reach Keystone at {url}: connection refused"
    assert err.fix == "is Keystone running and listening there, and is the URL right?"
