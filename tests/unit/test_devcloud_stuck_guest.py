"""tools/devcloud status singles out a guest that never booted: running,
and no login prompt on its console log (since its last kernel start) two
minutes after its QEMU started; a booted, young or stopped guest is not
named."""

import os

import pytest

from tests.devcloud_tool import part

virt = part("virt")
BOOTED = "Linux version 6.1.0\n...\nLease of 10.0.0.5 obtained\nvm login: "


@pytest.fixture
def guest(tmp_path, monkeypatch):
    """A domain's libvirt pid file (its QEMU started at t=1000) and console log, in tmp_path."""
    monkeypatch.setattr(virt, "QEMU_RUN", str(tmp_path))
    (tmp_path / "instance-1.pid").write_text("4242\n")
    os.utime(tmp_path / "instance-1.pid", (1000, 1000))
    return tmp_path / "console.log"


@pytest.mark.parametrize("console, now, why", [
    (BOOTED, 1000 + 600, ""),
    ("Linux version 6.1.0\nRun /init as init process\n", 1000 + 30, ""),  # young: still booting
    ("Linux version 6.1.0\nRun /init as init process\n", 1000 + 150, "no login prompt 150 s after it started"),
    (BOOTED + "\nLinux version 6.1.0\n", 1000 + 300, "no login prompt 300 s after it started"),  # rebooted, stuck
    ("", 1000 + 121, "no login prompt 121 s after it started"),
])
def test_a_running_guest_without_a_login_prompt_after_two_minutes_is_named(guest, console, now, why):
    guest.write_text(console)
    assert virt.stuck("instance-1", "running", str(guest), now=now) == why


def test_a_guest_that_is_not_running_is_not_stuck(guest):
    guest.write_text("")
    assert virt.stuck("instance-1", "paused", str(guest), now=99999) == ""
    assert virt.stuck("instance-2", "running", str(guest), now=99999) == ""  # no pid file: gone meanwhile
