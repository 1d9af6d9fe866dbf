"""tools/devcloud's modes and command line, without root: the mode is the
recorded one, else light when asked or when OVS/OVN cannot run (saying
why), else ML2/OVN; switching an OVN cloud to light needs purge (exit 2);
a command line it does not take prints its usage (exit 2)."""

import pytest

from tests.devcloud_tool import load


@pytest.fixture
def devcloud(monkeypatch, tmp_path):
    tool = load("devcloud")
    monkeypatch.setattr(tool, "state_file", lambda name: str(tmp_path / name))
    monkeypatch.setattr(tool, "done", lambda name: (tmp_path / name).exists())  # a new cloud: nothing done
    return tool


def record(tmp_path, mode):
    (tmp_path / "mode").write_text(mode + "\n")


def test_a_new_cloud_runs_ovn_where_it_can(devcloud, monkeypatch):
    monkeypatch.setattr(devcloud.ovn, "why_not", lambda: None)
    assert devcloud.choose_mode(light=False) == "ovn"
    assert devcloud.choose_mode(light=True) == "light"


def test_a_new_cloud_runs_light_where_ovs_cannot_run_and_says_why(devcloud, monkeypatch, capsys):
    monkeypatch.setattr(devcloud.ovn, "why_not", lambda: "no /dev/net/tun")
    assert devcloud.choose_mode(light=False) == "light"
    assert capsys.readouterr().err == "devcloud: running light (Linux bridges, no OVN): no /dev/net/tun\n"


def test_the_recorded_mode_stays(devcloud, tmp_path, monkeypatch):
    monkeypatch.setattr(devcloud.ovn, "why_not", lambda: None)
    record(tmp_path, "light")
    assert devcloud.choose_mode(light=False) == devcloud.choose_mode(light=True) == "light"
    record(tmp_path, "ovn")
    assert devcloud.choose_mode(light=False) == "ovn"
    with pytest.raises(devcloud.UsageError, match=r"run `devcloud purge` first to switch to --light"):
        devcloud.choose_mode(light=True)


def test_up_light_on_an_ovn_cloud_exits_2_in_one_line(devcloud, tmp_path, monkeypatch, capsys):
    record(tmp_path, "ovn")
    monkeypatch.setattr(devcloud, "cmd_up", lambda light=False: devcloud.choose_mode(light))
    assert devcloud.main(["devcloud", "up", "--light"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("devcloud: error: this cloud runs ML2/OVN;") and err.count("\n") == 1


@pytest.mark.parametrize("argv", [[], ["start"], ["down", "--light"], ["up", "--heavy"], ["up", "--light", "x"]])
def test_a_command_line_it_does_not_take_prints_its_usage(devcloud, argv, capsys):
    assert devcloud.main(["devcloud", *argv]) == 2
    assert capsys.readouterr().err.startswith("devcloud: a minimal real OpenStack on 127.0.0.1")


def test_why_not_ovn(devcloud, monkeypatch):
    exists = {"/sys/module/openvswitch": False, "/dev/net/tun": False}
    monkeypatch.setattr(devcloud.ovn.os.path, "exists", lambda path: exists.get(path, True))
    assert "no /dev/net/tun" in devcloud.ovn.why_not()
    exists["/dev/net/tun"] = True
    assert devcloud.ovn.why_not() is None and devcloud.ovn.datapath_type() == "netdev"
    exists["/sys/module/openvswitch"] = True
    assert devcloud.ovn.datapath_type() == "system"


def test_an_ovs_or_ovn_daemon_that_does_not_start_is_named_with_its_log(devcloud, monkeypatch, capsys):
    """`up` where a daemon dies at start: exit 3, one line naming it and its log."""
    def dies(what, check, timeout, pids=()):
        raise RuntimeError(f"{pids[0]} exited while waiting for {what}")

    monkeypatch.setattr(devcloud.ovn, "wait_for", dies)
    monkeypatch.setattr(devcloud, "cmd_up", lambda light=False: devcloud.ovn._started("ovn-northd", None))
    assert devcloud.main(["devcloud", "up"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("devcloud: cannot run here: ovn-northd did not start; see ") and err.count("\n") == 1
    assert err.rstrip().endswith(("ovn-northd-daemon.log", "ovn-northd.log"))


def test_the_virt_type_on_the_command_line(devcloud):
    assert devcloud.parse(["up", "--virt", "kvm"]) == ("up", {"asked_virt": "kvm"})
    assert devcloud.parse(["up", "--light", "--virt", "fake"]) == ("up", {"light": True, "asked_virt": "fake"})
    for bad in (["up", "--virt"], ["up", "--virt", "xen"], ["up", "--virt", "qemu", "--virt", "kvm"],
                ["status", "--virt", "qemu"]):
        assert devcloud.parse(bad) is None


def test_kvm_asked_for_where_it_cannot_run_guests_exits_2_saying_how_it_was_tested(devcloud, monkeypatch, capsys):
    monkeypatch.setattr(devcloud.virt, "kvm_boots", lambda kernel, initramfs: (
        False, "a test boot under KVM did not reach the guest's init in 20s (its last line: none)"))
    image = devcloud.guest.Guest("vmlinuz", "initrd.img", "disk.qcow2")
    monkeypatch.setattr(devcloud, "cmd_up",
                        lambda light=False, asked_virt=None: devcloud.virt.choose(asked_virt, image))
    assert devcloud.main(["devcloud", "up", "--virt", "kvm"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("devcloud: error: KVM cannot run guests here: a test boot under KVM did not reach")
    assert err.count("\n") == 1 and "--virt" in err
    assert devcloud.virt.choose(None, image) == ("qemu", "a test boot under KVM did not reach the guest's init "
                                                         "in 20s (its last line: none)")


def test_virt_choices_that_need_a_purge_or_ovn(devcloud, tmp_path):
    with pytest.raises(devcloud.UsageError, match="real guests need ML2/OVN networking"):
        devcloud.choose_virt("light", "qemu")
    assert devcloud.choose_virt("light", None) == ("fake", None)
    (tmp_path / "virt").write_text("fake (asked for)\n")
    with pytest.raises(devcloud.UsageError, match=r"servers are fake; run `devcloud purge` first to switch to --virt"):
        devcloud.choose_virt("ovn", "qemu")
    assert devcloud.choose_virt("ovn", None) == ("fake", None)
