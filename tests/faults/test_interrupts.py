"""SIGINT and SIGTERM at several moments of ``osops boot --count 3`` (a
subprocess): the proxy holds one request, the signal comes while it is
held.  What the boot created is deleted, or, when a second signal stops
that, named with the command that deletes it; nothing is left."""

import re
import signal

import pytest

from tests.faults.proxy import Fault

BOOT = ("boot", "lab", "--count", "3", "--flavor", "1", "--image", "cirros-0.6")
LISTS = r"reservation_id="
CREATE = r"/v2\.1/servers$"


def interrupted(cloud, held, signum):
    """Run the boot until *held* (a hold fault) is reached, send *signum*;
    return (exit status, stderr)."""
    process = cloud.spawn(*BOOT)
    try:
        assert held.arrived.wait(60), "the boot never reached the held request"
        process.send_signal(signum)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    held.release()
    return process.returncode, err


MOMENTS = {  # where the boot is when the signal comes: the request held
    "create not yet at Nova": ("POST", CREATE, "hold", 0),
    "create done, answer not back": ("POST", CREATE, "hold-answer", 0),
    "first list after the create": ("GET", LISTS, "hold", 0),
    "waiting for ACTIVE": ("GET", LISTS, "hold", 1),
}


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_deletes_what_the_boot_created(faulty, moment, signum):
    method, url, kind, after = MOMENTS[moment]
    fault = Fault(method, url, kind, after=after)
    cloud = faulty("boot-count", fault)
    code, err = interrupted(cloud, fault, signum)
    name = signal.Signals(signum).name
    assert code == 128 + signum, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    if moment == "create not yet at Nova":
        assert last == f"interrupted by {name}; no server of this boot was left"
    else:
        assert last == f"interrupted by {name}; deleted what this boot created: lab-1, lab-2, lab-3"
        assert sorted(cloud.player.deleted) == sorted(cloud.player.created)
    assert cloud.left() == []


def test_a_second_signal_stops_the_cleanup_and_names_the_command(faulty):
    wait, delete = Fault("GET", LISTS, "hold", after=1), Fault("DELETE", r"/servers/", "hold")
    cloud = faulty("boot-count", wait, delete)
    process = cloud.spawn(*BOOT)
    try:
        assert wait.arrived.wait(60)
        process.send_signal(signal.SIGINT)
        assert delete.arrived.wait(60)
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    wait.release()
    assert process.returncode == 130
    last = err.strip().splitlines()[-1]
    assert last.startswith("interrupted by SIGINT; could not delete what this boot created (interrupted by "
                           "SIGINT): lab-1 (")
    command = re.search(r"delete them when the cloud answers: (osops delete [0-9a-f -]+ --wait) "
                        r"\(or: osops cleanup --run [0-9a-f]{8}\)$", last)
    assert command, last
    assert cloud.left() == ["lab-1", "lab-2", "lab-3"]  # the held DELETE never reaches Nova
    assert cloud.call(*command.group(1).split()[1:]).code == 0
    assert cloud.left() == []


def test_after_kill_9_cleanup_finds_the_boots_servers_by_their_tag(faulty):
    held = Fault("GET", LISTS, "hold", after=1)
    cloud = faulty("boot-count", held)
    process = cloud.spawn(*BOOT)
    try:
        assert held.arrived.wait(60)
        process.kill()
        process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert cloud.left() == ["lab-1", "lab-2", "lab-3"]
    seen = cloud.call("cleanup", "--boots", "--dry-run", "-f", "value", "-c", "Name", "-c", "Run", "-c", "Status")
    assert seen.code == 0, seen.err
    rows = [line.split() for line in seen.out.splitlines()]
    assert sorted(r[0] for r in rows) == ["lab-1", "lab-2", "lab-3"]
    assert {r[2:] == ["would", "delete"] for r in rows} == {True}
    [run] = {r[1] for r in rows}
    assert cloud.left() == ["lab-1", "lab-2", "lab-3"]  # --dry-run deleted nothing
    assert cloud.call("cleanup", "--run", run).code == 0
    assert cloud.left() == []
