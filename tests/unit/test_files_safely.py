"""Files handled safely: --record writes only where nothing or a regular
file is; the cache refuses a directory that is a symlink, someone else's
or writable by others, makes its parents 0700 whatever the umask, and
clears only its own entries; input files over 10 MB are refused with
their size; a corrupt cassette is one line naming the file."""

import json
import os
import socket
import stat

import pytest

from osops import cache
from osops.errors import UsageError
from osops.testing import cassette as fmt
from osops.testing.replay import Replay

EMPTY = {"osops_cassette": 1, "command": "", "interactions": []}


@pytest.mark.parametrize("kind", ["fifo", "directory", "socket", "device", "symlink"])
def test_record_refuses_anything_but_a_regular_file(cli, clean_env, kind):
    target = clean_env / f"target-{kind}"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "directory":
        target.mkdir()
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(target))
    elif kind == "symlink":
        (clean_env / "elsewhere.json").write_text("{}")
        target.symlink_to(clean_env / "elsewhere.json")
    else:
        target = "/dev/null"
    r = cli(EMPTY, "--record", str(target), "image", "list", unmatched_ok=True)
    assert r.code == 2
    assert r.err.startswith(f"--record {target}: it is a") and "not a regular file" in r.err
    assert r.err.count("\n") == 1 and r.calls == []
    if kind == "device":
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    if kind == "symlink":
        assert target.is_symlink() and (clean_env / "elsewhere.json").read_text() == "{}"


def test_record_over_a_regular_file_replaces_it(cli, clean_env):
    target = clean_env / "old.json"
    target.write_text("old")
    assert cli("image-list", "--record", str(target), "image", "list").code == 0
    assert json.loads(target.read_text())["osops_cassette"] == 1


def test_a_save_never_replaces_what_is_not_a_regular_file(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(OSError, match="is a FIFO, not a regular file: not replaced"):
        fmt.save(tmp_path / "fifo", EMPTY)
    assert stat.S_ISFIFO(os.lstat(tmp_path / "fifo").st_mode)


@pytest.mark.parametrize("problem", ["symlink", "group-writable", "world-writable", "not-mine"])
def test_an_unsafe_cache_directory_is_refused_with_one_warning(cli, clean_env, problem, monkeypatch):
    home_cache = clean_env / ".cache"
    home_cache.mkdir()
    planted = clean_env / "planted"
    planted.mkdir(mode=0o700)
    (planted / "keep.json").write_text("not osops's")
    if problem == "symlink":
        (home_cache / "osops").symlink_to(planted)
    else:
        (home_cache / "osops").mkdir()
        os.chmod(home_cache / "osops", {"group-writable": 0o770, "world-writable": 0o707}.get(problem, 0o700))
        if problem == "not-mine":
            monkeypatch.setattr(os, "getuid", lambda: os.lstat(home_cache / "osops").st_uid + 1)
    r = cli("image-list", "image", "list")
    assert r.code == 0
    assert r.err.count("\n") == 1 and r.err.startswith(f"osops: the cache directory {home_cache / 'osops'} ")
    assert r.err.endswith("; not using it (no token cache this run)\n")
    assert sorted(p.name for p in planted.iterdir()) == ["keep.json"]  # nothing written through the link
    assert stat.S_IMODE(planted.stat().st_mode) == 0o700  # nor chmod-ed
    with pytest.raises(cache.UnsafeCache):
        cache.clear()
    assert (planted / "keep.json").exists()


def test_cache_parents_are_0700_whatever_the_umask(cli, clean_env):
    old = os.umask(0)
    try:
        assert cli("image-list", "image", "list").code == 0
    finally:
        os.umask(old)
    for directory in (clean_env / ".cache", clean_env / ".cache" / "osops"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    [entry] = (clean_env / ".cache" / "osops").iterdir()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600


def test_cache_clear_removes_only_osops_entries(clean_env):
    root = cache.cache_dir()
    root.mkdir(parents=True, mode=0o700)
    ours = root / ("ab" * 32 + ".json")
    ours.write_text("{}")
    others = [root / "notes.json", root / ("cd" * 32 + ".json.bak")]
    for path in others:
        path.write_text("mine")
    (root / ("ef" * 32 + ".json")).symlink_to(others[0])
    assert cache.clear() == 1
    assert not ours.exists() and all(p.exists() for p in others)


def test_a_huge_scenario_is_refused_at_once_with_its_size(cli, clean_env):
    path = clean_env / "huge.yaml"
    with open(path, "wb") as f:
        f.truncate(36 * 1024 * 1024)
    r = cli(EMPTY, "scenario", "validate", str(path))
    assert r.code == 2
    assert r.err == (f"{path} is 36.0 MB; a scenario over 10 MB is refused; check that it is the scenario you "
                     "meant\n")


@pytest.mark.parametrize("content, why", [
    (b"{not json", " is not an osops cassette: not JSON"),
    (b"\xff\xfe\x00", " is not an osops cassette: not UTF-8 text"),
    (b'{"osops_cassette": 1}', " is not an osops cassette: no list of interactions"),
    (b'{"osops_cassette": 1, "interactions": [{"request": {"method": "GET"}}]}',
     ": interaction 1 lacks a request or a response"),
    (b'{"osops_cassette": 1, "interactions": [{"request": {"method": "GET", "url": "{compute}/x"}, '
     b'"response": {}}]}', ": interaction 1 has a response without a status"),
])
def test_a_corrupt_cassette_is_one_line_naming_the_file(tmp_path, content, why):
    path = tmp_path / "odd.json"
    path.write_bytes(content)
    with pytest.raises(fmt.BadCassette) as caught:
        Replay(str(path))
    assert str(caught.value).startswith(f"{path}{why}") and "\n" not in str(caught.value)


def test_a_huge_cassette_is_refused_with_its_size(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as f:
        f.truncate(11 * 1024 * 1024)
    with pytest.raises(UsageError, match=r"huge.json is 11.0 MB; a cassette over 10 MB is refused"):
        fmt.load(path)
