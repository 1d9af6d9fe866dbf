"""explain() on its own: which service a URL belongs to, and what the
message says.  The exceptions are keystoneauth's own, raised by a real
request to a closed port on 127.0.0.1 where the URL does not matter, and
made with keystoneauth's message format ("Unable to establish connection
to URL: reason") where the URL must be one that cannot be connected to."""

import pytest
from keystoneauth1 import exceptions as ksa

from osops.explain import explain


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


# A devstack-shaped catalog: every service on one host, apart by path.
DEVSTACK = {"http://ctl/identity/v3": "identity", "http://ctl/compute/v2.1": "compute",
            "http://ctl/image": "image", "http://ctl:9696/networking": "network",
            "http://ctl/volume/v3/0123abcd": "block-storage", "http://ctl/key-manager": "key-manager"}


@pytest.mark.parametrize("url, named", [
    ("http://ctl/compute/v2.1/servers/detail", "Nova at "),
    ("http://ctl/compute/", "Nova at "),  # its version discovery
    ("http://ctl/image/v2/images", "Glance at "),
    ("http://ctl:9696/networking/v2.0/ports", "Neutron at "),
    ("http://ctl/volume/v3/0123abcd/volumes", "Cinder at "),
    ("http://ctl/key-manager/v1/secrets", "Barbican at "),
    ("http://ctl/identity/v3/users", "Keystone at "),
    ("http://ctl/images", ""),  # not under /image
    ("http://ctl:9697/networking", ""),
])
def test_the_catalog_names_the_service_of_a_url(url, named):
    err = explain(refused(url), {"auth_url": "http://ctl/identity"}, DEVSTACK)
    assert err.problem == f"cannot reach {named}{url}: connection refused"


def test_an_unknown_service_type_is_named_by_its_type():
    err = explain(refused("http://ctl:8042/v1/x"), {}, {"http://ctl:8042": "alarming"})
    assert err.problem.startswith("cannot reach the alarming service at http://ctl:8042/v1/x")


def test_a_body_that_is_not_json_is_explained_with_simplejson_installed_too(monkeypatch):
    # With simplejson installed, requests' JSONDecodeError derives from
    # simplejson's error instead of json's; made here as requests makes it.
    import requests

    class SimplejsonError(ValueError):
        def __init__(self, msg, doc, pos):
            super().__init__(msg)
            self.msg, self.doc, self.pos = msg, doc, pos

    class JSONDecodeError(requests.exceptions.InvalidJSONError, SimplejsonError):
        def __init__(self, *args):
            SimplejsonError.__init__(self, *args)
            requests.exceptions.InvalidJSONError.__init__(self, *self.args)

    monkeypatch.setattr(requests.exceptions, "JSONDecodeError", JSONDecodeError)
    err = explain(JSONDecodeError("Expecting value", "<html>Gateway Timeout</html>", 0))
    assert err.problem == "the cloud answered something that is not JSON, beginning '<html>Gateway Timeout</html>'"
    assert err.fix.startswith("a proxy or a wrong endpoint? ")
