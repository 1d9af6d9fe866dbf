"""The token and discovery cache, on replayed cassettes: a second command
reuses the first one's token, catalog and version discovery."""

import datetime
import json
import os
import stat

import pytest

from osops import cache
from tests.unit.conftest import cassette

AUTH = ("GET http://identity.osops.invalid/", "POST http://identity.osops.invalid/v3/auth/tokens")
IMAGES = "GET http://image.osops.invalid/v2/images?limit=1000"  # Glance's largest page


def entries(home):
    directory = home / ".cache" / "osops"
    return sorted(directory.glob("*.json")) if directory.is_dir() else []


def only_entry(home):
    (path,) = entries(home)
    return path


def with_responses(name, fragment, *responses, method="GET"):
    """Cassette *name* where the request ending in *fragment* first gets
    *responses* (dicts merged over its recorded response), then its own."""
    data = cassette(name)
    items = data["interactions"]
    for i, item in enumerate(items):
        req = item["request"]
        if req["method"] == method and req["url"].endswith(fragment):
            extra = [{"request": req, "response": {**item["response"], **r}} for r in responses]
            data["interactions"] = items[:i] + extra + items[i:]
            return data
    raise AssertionError(f"{name} has no {method} {fragment}")


def token_header(data, token):
    """Make the recorded token POST answer *token* as X-Subject-Token."""
    for item in data["interactions"]:
        if item["request"]["url"].endswith("/v3/auth/tokens"):
            item["response"]["headers"]["X-Subject-Token"] = token
    return data


def test_second_image_list_makes_exactly_one_request(cli):
    first = cli("image-list", "image", "list")
    assert first.code == 0, first.err
    assert first.calls[:2] == list(AUTH) and len(first.calls) == 4
    second = cli("image-list", "image", "list", "-f", "json")
    assert second.code == 0, second.err
    assert second.calls == [IMAGES]
    assert second.json() == cli("image-list", "image", "list", "-f", "json").json()


def test_cache_file_is_private_and_holds_no_password(cli, clean_env):
    assert cli("image-list", "image", "list").code == 0
    path = only_entry(clean_env)
    assert path.parent == clean_env / ".cache" / "osops"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text()
    assert "secret-pw" not in text
    entry = json.loads(text)
    assert "password" not in entry["identity"]
    assert json.loads(entry["auth_state"])["auth_token"] == "<token>"
    # The versioned endpoint and its version list: no discovery GET next time.
    assert "http://image.osops.invalid" in entry["discovery"]


def test_cache_dir_defaults_to_home_dot_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / ".cache" / "osops"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "osops"


def test_one_entry_per_identity(cli, clean_env):
    assert cli("image-list", "image", "list").code == 0
    other = cli("image-list", "image", "list", env={"OS_PROJECT_NAME": "demo"})
    assert other.code == 0
    assert other.calls[:2] == list(AUTH)  # another project: its own token
    assert len(entries(clean_env)) == 2
    again = cli("image-list", "image", "list", env={"OS_PROJECT_NAME": "demo"})
    assert again.calls == [IMAGES]
    projects = {json.loads(p.read_text())["identity"]["project_name"] for p in entries(clean_env)}
    assert projects == {"admin", "demo"}


def test_discovery_is_cached_per_service(cli, clean_env):
    assert cli("flavor-list", "flavor", "list").code == 0
    entry = json.loads(only_entry(clean_env).read_text())
    (compute,) = entry["discovery"]["http://compute.osops.invalid/v2.1"]
    assert compute["version"] and compute["min_version"]  # Nova's microversion range
    warm = cli("boot", "boot", "demo-1", "--flavor", "m1.tiny", "--image", "cirros-0.6")
    assert warm.code == 0, warm.err
    # compute discovery came from the cache; only glance's was still needed
    assert "GET http://compute.osops.invalid/v2.1" not in warm.calls
    assert "GET http://image.osops.invalid/" in warm.calls
    assert not [c for c in warm.calls if "identity" in c]


def test_refused_token_reauthenticates_once_transparently(cli, clean_env):
    assert cli("image-list", "image", "list").code == 0
    # Derived: the cached token was revoked; Glance answers 401 once.
    data = token_header(with_responses("image-list", "/v2/images", {"status": 401, "json": {
        "error": {"code": 401, "message": "The request you have made requires authentication."}}}),
        "new-token")
    r = cli(data, "image", "list", "-f", "json")
    assert r.code == 0, r.err
    assert r.calls == [IMAGES, AUTH[1], IMAGES]  # identity discovery comes from the cache
    assert json.loads(json.loads(only_entry(clean_env).read_text())["auth_state"])["auth_token"] == "new-token"
    assert cli("image-list", "image", "list").calls == [IMAGES]


def test_refused_token_and_refused_password_drop_the_entry(cli, clean_env):
    assert cli("image-list", "image", "list").code == 0
    data = with_responses("wrong-password", "/v3/auth/tokens", method="POST")
    data["interactions"].append({"request": {"method": "GET", "url": "{image}/v2/images", "query": {"limit": ["1000"]},
                                             "body": None},
                                 "response": {"status": 401, "json": {"error": {"code": 401}}}})
    r = cli(data, "image", "list")
    assert r.code == 1 and "authentication failed" in r.err
    assert entries(clean_env) == []


def test_wrong_password_is_refused_even_with_a_cached_token(cli, clean_env):
    assert cli("image-list", "image", "list").code == 0
    r = cli("wrong-password", "image", "list", env={"OS_PASSWORD": "not-the-password"})
    assert r.code == 1 and "authentication failed" in r.err
    assert AUTH[1] in r.calls
    right = cli("image-list", "image", "list")
    assert right.code == 0 and right.calls[:2] == list(AUTH)


def test_changed_password_gets_a_new_token(cli, clean_env):
    assert cli("image-list", "image", "list").code == 0
    r = cli("image-list", "image", "list", env={"OS_PASSWORD": "rotated"})
    assert r.code == 0 and AUTH[1] in r.calls
    assert cli("image-list", "image", "list", env={"OS_PASSWORD": "rotated"}).calls == [IMAGES]


@pytest.mark.parametrize("left", [-86400, 60])  # expired a day ago; expiring within cache.MARGIN
def test_token_about_to_expire_is_not_reused(cli, clean_env, left):
    assert cli("image-list", "image", "list").code == 0
    path = only_entry(clean_env)
    entry = json.loads(path.read_text())
    soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=left)
    assert datetime.timedelta(seconds=left) < cache.MARGIN
    entry["expires_at"] = soon.isoformat()
    state = json.loads(entry["auth_state"])
    state["body"]["token"]["expires_at"] = soon.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    entry["auth_state"] = json.dumps(state)
    path.write_text(json.dumps(entry))
    r = cli("image-list", "image", "list")
    assert r.code == 0 and r.calls == [AUTH[1], IMAGES]  # discovery is still cached
    # The new token was written back and is reused.
    assert cli("image-list", "image", "list").calls == [IMAGES]


def test_not_found_drops_the_entry(cli, clean_env):
    # A stale catalog or versioned endpoint shows as a 404: start afresh next time.
    assert cli("image-list", "image", "list").code == 0
    data = with_responses("image-list", "/v2/images", {"status": 404, "json": {"code": 404}})
    assert cli(data, "image", "list").code == 1
    assert entries(clean_env) == []
    assert cli("image-list", "image", "list").calls[:2] == list(AUTH)


def test_no_cache_neither_reads_nor_writes(cli, clean_env):
    cold = cli("image-list", "--no-cache", "image", "list")
    assert cold.code == 0 and len(cold.calls) == 4
    assert entries(clean_env) == []
    assert cli("image-list", "image", "list").code == 0
    again = cli("image-list", "--no-cache", "image", "list")
    assert again.calls[:2] == list(AUTH) and len(again.calls) == 4


def test_cache_clear(cli, clean_env):
    assert cli("image-list", "image", "list").code == 0
    assert cli("image-list", "image", "list", env={"OS_PROJECT_NAME": "demo"}).code == 0
    r = cli("image-list", "cache", "clear")
    assert r.code == 0 and r.calls == []
    assert r.out.startswith("removed 2 cache entries from ")
    assert entries(clean_env) == []
    assert cli("image-list", "image", "list").calls[:2] == list(AUTH)
    assert cli("image-list", "cache", "clear").out.startswith("removed 1 cache entry ")


@pytest.mark.parametrize("mode", [0o644, 0o640])
def test_a_readable_entry_is_not_trusted(cli, clean_env, mode):
    assert cli("image-list", "image", "list").code == 0
    path = only_entry(clean_env)
    os.chmod(path, mode)
    r = cli("image-list", "image", "list")
    assert r.calls[:2] == list(AUTH)
    assert stat.S_IMODE(only_entry(clean_env).stat().st_mode) == 0o600


def test_a_garbled_entry_is_ignored(cli, clean_env):
    assert cli("image-list", "image", "list").code == 0
    only_entry(clean_env).write_text("{not json")
    r = cli("image-list", "image", "list")
    assert r.code == 0 and len(r.calls) == 4


def test_cache_dir_is_made_private(cli, clean_env):
    (clean_env / ".cache" / "osops").mkdir(parents=True, mode=0o755)
    os.chmod(clean_env / ".cache" / "osops", 0o755)
    assert cli("image-list", "image", "list").code == 0
    assert stat.S_IMODE((clean_env / ".cache" / "osops").stat().st_mode) == 0o700


def test_unwritable_cache_is_not_an_error(cli, clean_env):
    (clean_env / ".cache").mkdir()
    (clean_env / ".cache" / "osops").write_text("a file where the directory should be")
    r = cli("image-list", "image", "list")
    assert r.code == 0 and r.err == ""


def test_recording_bypasses_the_cache(cli, clean_env):
    assert cli("image-list", "image", "list").code == 0
    before = only_entry(clean_env).read_bytes()
    r = cli("image-list", "--record", str(clean_env / "out.json"), "image", "list")
    assert r.code == 0, r.err
    assert r.calls[:2] == list(AUTH)  # a recording is self-contained
    assert only_entry(clean_env).read_bytes() == before


def test_demo_cloud_bypasses_the_cache(cli, clean_env):
    r = cli("image-list", "--os-cloud", "demo", "image", "list")
    assert r.code == 0, r.err
    assert entries(clean_env) == []


def test_python_api_caches_only_when_asked(clean_env, monkeypatch):
    from osops.cloud import connect
    from osops.images import list_images
    from osops.testing.replay import replay
    from osops.token_cache import save as save_cache

    settings = dict(auth_url=None, username="admin", password="pw", project_name="admin",
                    user_domain_id="default", project_domain_id="default", identity_api_version="3")
    with replay(cassette("image-list")) as player:
        conn = connect(None, **{**settings, "auth_url": player.auth_url})
        list_images(conn)
        assert save_cache(conn) is False and entries(clean_env) == []
    with replay(cassette("image-list")) as player:
        conn = connect(None, cache=True, **{**settings, "auth_url": player.auth_url})
        list_images(conn)
        assert save_cache(conn) is True
        assert save_cache(conn) is False  # unchanged: not rewritten
    with replay(cassette("image-list")) as player:
        conn = connect(None, cache=True, **{**settings, "auth_url": player.auth_url})
        list_images(conn)
        assert player.calls == [IMAGES]
