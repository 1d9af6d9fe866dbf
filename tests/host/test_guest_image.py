"""devcloud's guest image (tools/devcloud/parts/guest.py) boots under QEMU's
TCG (never KVM: /dev/kvm here cannot run guests) like cirros: from its
qcow2 and from its kernel + initramfs, it reads a config drive (name, key,
user-data), prints ``login:``, lets cirros/gocubsgo log in on the serial
console and powers off on the ACPI power button; on a NIC it takes a DHCP
lease, reads the metadata service and lets cirros in over SSH by the
test's key and by password.

The network is a namespace made here: a bridge with 192.0.2.1/24
(TEST-NET-1) and 169.254.169.254, busybox udhcpd and httpd serving them,
and the guest's tap.  No slirp.  The image is built once into
``/var/tmp/osops-test-guest`` (a cache hit on later runs).
"""

import contextlib
import json
import os
import re
import socket
import subprocess
import threading
import time

import pytest

from tests.devcloud_tool import part
from tests.host.conftest import SUBNET, cannot_run, host_skip_reason, ip, need

pytestmark = pytest.mark.host

CACHE = "/var/tmp/osops-test-guest"
NAME = "guest-test"
MARKER = "user-data-ran-8d1f"
USER_DATA = f"#!/bin/sh\necho {MARKER} as $(id -u) on $(hostname)\n"
BOOT_TIMEOUT = 120  # seconds until "login:"; under TCG it is a few, more on a busy host


@pytest.fixture(scope="session")
def guest():
    reason = host_skip_reason()
    if reason:
        cannot_run(reason)
    need("apt-get", "apt")
    need("qemu-system-x86_64", "qemu-system-x86")
    return part("guest").build(CACHE)


@pytest.fixture
def key(tmp_path):
    need("ssh-keygen", "openssh-client")
    path = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test@osops", "-f", str(path)],
                   check=True)
    return path


def metadata(public_key):
    """openstack/latest files as Nova writes them (JSON on one line, the key with its \\n)."""
    meta = {"uuid": "0b6c3f8e-5f4c-4a8e-9a59-2f1f2f1e8d11", "meta": {"name": "not-the-name"},
            "public_keys": {"test": public_key}, "keys": [{"name": "test", "type": "ssh", "data": public_key}],
            "hostname": f"{NAME}.novalocal", "name": NAME, "launch_index": 0}
    return {"meta_data.json": json.dumps(meta), "user_data": USER_DATA}


def write_tree(root, files):
    latest = root / "openstack" / "latest"
    latest.mkdir(parents=True)
    for name, text in files.items():
        (latest / name).write_text(text)
    return root


def config_drive(tmp_path, key, fmt):
    """QEMU's arguments for a config drive labelled config-2, as Nova makes
    and attaches it: ISO9660 on an IDE CD-ROM (its default) or vfat on a
    virtio disk (``config_drive_format = vfat``)."""
    tree = write_tree(tmp_path / "config-drive", metadata(key.with_suffix(".pub").read_text()))
    image = tmp_path / f"config.{fmt}"
    if fmt == "iso9660":
        need("genisoimage", "genisoimage")
        subprocess.run(["genisoimage", "-quiet", "-o", str(image), "-V", "config-2", "-r", "-J", str(tree)],
                       check=True)
        return ["-drive", f"file={image},media=cdrom,readonly=on"]
    need("mcopy", "mtools")
    subprocess.run(["mkfs.vfat", "-C", "-n", "config-2", str(image), "1024"], check=True, capture_output=True)
    subprocess.run(["mcopy", "-s", "-i", str(image), str(tree / "openstack"), "::"], check=True)
    return ["-drive", f"file={image},if=virtio,format=raw,readonly=on"]


class Console:
    """The guest's serial console: a log file QEMU writes, and a socket to type on."""

    def __init__(self, path, sock, monitor, qemu, errors):
        self.path, self.sock, self.monitor, self.qemu, self.errors = path, sock, monitor, qemu, errors
        self.conn = None

    def press_power_button(self):
        """QEMU's system_powerdown, as Nova's stop and soft reboot."""
        with socket.socket(socket.AF_UNIX) as hmp:
            hmp.connect(str(self.monitor))
            hmp.sendall(b"system_powerdown\n")
            said = b""
            while said.count(b"(qemu)") < 2:  # the banner's prompt, then the one after the command
                said += hmp.recv(4096) or pytest.fail(f"QEMU's monitor hung up: {said!r}")

    def type(self, line):
        """Type *line* and Enter.  What comes back is read and dropped (the log
        has it): an unread socket would stall the guest's serial port."""
        if self.conn is None:
            self.conn = socket.socket(socket.AF_UNIX)
            self.conn.connect(str(self.sock))
            threading.Thread(target=self._drain, daemon=True).start()
        self.conn.sendall(line.encode() + b"\r")

    def _drain(self):
        with contextlib.suppress(OSError):
            while self.conn.recv(4096):
                pass

    def text(self):
        return self.path.read_text(errors="replace") if self.path.exists() else ""

    def wait_for(self, pattern, timeout=BOOT_TIMEOUT):
        """The first match of regex *pattern*; fails with the console's tail if none comes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.qemu.poll() is None:
            found = re.search(pattern, self.text())
            if found:
                return found
            time.sleep(0.2)
        tail = "\n".join(self.text().splitlines()[-30:])
        pytest.fail(f"no {pattern!r} on the guest's console (QEMU exit {self.qemu.poll()}, "
                    f"stderr {self.errors.read_text()!r}); its tail:\n{tail}")


@contextlib.contextmanager
def boot(tmp_path, boot_args, *extra, netns=None):
    """Run QEMU (TCG, 128 MB) on *boot_args*; yields its Console, kills QEMU after."""
    log, sock, monitor = tmp_path / "console.log", tmp_path / "console.sock", tmp_path / "monitor.sock"
    argv = ["qemu-system-x86_64", "-accel", "tcg", "-m", "128", "-display", "none",
            "-monitor", f"unix:{monitor},server=on,wait=off",
            "-chardev", f"socket,id=serial0,path={sock},server=on,wait=off,logfile={log}",
            "-serial", "chardev:serial0", *boot_args, *extra]
    argv = ["ip", "netns", "exec", netns, *argv] if netns else [*argv, "-nic", "none"]
    errors = tmp_path / "qemu.stderr"
    with open(errors, "w") as err:
        qemu = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
    console = Console(log, sock, monitor, qemu, errors)
    try:
        yield console
    finally:
        qemu.kill()
        if console.conn:
            console.conn.close()
        qemu.wait(10)


def from_disk(guest):
    return ["-drive", f"file={guest.qcow2},if=virtio,format=qcow2,snapshot=on"]


def from_kernel(guest):
    """As Nova boots an AMI: kernel, ramdisk and its command line."""
    return ["-kernel", guest.kernel, "-initrd", guest.initramfs, "-append", "root=/dev/vda console=tty0 console=ttyS0"]


def assert_cirros_like_boot(console, datasource):
    console.wait_for(f"=== datasource: {datasource} ===")
    console.wait_for(rf"{MARKER} as 0 on {NAME}\b")
    console.wait_for(rf"\n{NAME} login:")


@pytest.mark.parametrize("boot_from, fmt", [(from_disk, "iso9660"), (from_kernel, "vfat")],
                         ids=["qcow2-iso9660", "kernel+initramfs-vfat"])
def test_guest_boots_from_its_config_drive(guest, tmp_path, key, boot_from, fmt):
    with boot(tmp_path, boot_from(guest), *config_drive(tmp_path, key, fmt)) as console:
        assert_cirros_like_boot(console, "configdrive")
        assert "public keys: 1" in console.text()
        console.type("cirros")
        console.wait_for("Password: ")
        console.type("gocubsgo")
        console.wait_for(r"\$ ")
        console.type("echo I am $(id -un) on $(hostname)")
        console.wait_for(rf"I am cirros on {NAME}")
        console.press_power_button()  # as Nova's stop does
        assert console.qemu.wait(BOOT_TIMEOUT) == 0
        assert "reboot: Power down" in console.text()


def test_second_build_is_a_cache_hit(guest, monkeypatch):
    module = part("guest")
    stamps = [os.stat(f).st_mtime_ns for f in (guest.kernel, guest.initramfs, guest.qcow2)]
    monkeypatch.setattr(module, "_unpack", lambda *a: pytest.fail("rebuilt: not a cache hit"))
    assert module.build(CACHE) == guest
    assert [os.stat(f).st_mtime_ns for f in (guest.kernel, guest.initramfs, guest.qcow2)] == stamps


def test_a_failed_download_is_retried_once_after_apt_get_update(tmp_path, monkeypatch):
    need("apt-cache", "apt")
    module, steps = part("guest"), []

    def build_fails_once(versions, cache_dir, out):
        steps.append("build")
        if steps.count("build") == 1:
            raise module.DownloadFailed("apt-get download failed: 404  Not Found")
        os.makedirs(out)
        for name in module.FILES:
            open(os.path.join(out, name), "w").close()

    def run(argv, real_run=module._run, **kwargs):
        if argv[:2] == ["apt-get", "update"]:
            steps.append("update")
            return ""
        return real_run(argv, **kwargs)

    monkeypatch.setattr(module, "_build", build_fails_once)
    monkeypatch.setattr(module, "_run", run)
    built = module.build(str(tmp_path))
    assert steps == ["build", "update", "build"]
    assert os.path.exists(built.qcow2)


@contextlib.contextmanager
def daemons(*argvs, netns):
    """Run each argv in *netns*; ends them all after."""
    procs = []
    try:
        for argv in argvs:
            procs.append(subprocess.Popen(["ip", "netns", "exec", netns, *argv],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait(10)


@pytest.fixture
def lan_with_metadata(kernel, tmp_path, key):
    """A namespace whose bridge (192.0.2.1) serves DHCP and the metadata
    service on 169.254.169.254, and a tap for the guest.  As with Neutron,
    the route to the metadata service is a classless static route and the
    MTU is 1442; the router option names an address nobody has (RFC 3442:
    a client with classless routes ignores it)."""
    need("busybox", "busybox-static")
    ns = kernel.netns()
    ip("-n", ns, "link", "add", "br0", "type", "bridge")
    ip("-n", ns, "addr", "add", f"{SUBNET}.1/24", "dev", "br0")
    ip("-n", ns, "addr", "add", "169.254.169.254/32", "dev", "br0")
    ip("-n", ns, "link", "set", "br0", "up")
    ip("-n", ns, "tuntap", "add", "dev", "tap0", "mode", "tap")
    ip("-n", ns, "link", "set", "tap0", "master", "br0", "up")
    conf = tmp_path / "udhcpd.conf"
    conf.write_text(f"start {SUBNET}.100\nend {SUBNET}.150\ninterface br0\n"
                    f"lease_file {tmp_path}/leases\npidfile {tmp_path}/udhcpd.pid\n"
                    f"option subnet 255.255.255.0\noption router {SUBNET}.254\noption lease 43200\n"
                    f"option staticroutes 169.254.169.254/32 {SUBNET}.1\noption mtu 1442\n")
    (tmp_path / "leases").touch()
    www = write_tree(tmp_path / "www", metadata(key.with_suffix(".pub").read_text()))
    with daemons(["busybox", "udhcpd", "-f", str(conf)],
                 ["busybox", "httpd", "-f", "-p", "169.254.169.254:80", "-h", str(www)], netns=ns):
        yield ns


def test_guest_takes_dhcp_reads_metadata_and_lets_key_and_password_in(guest, tmp_path, lan_with_metadata, key):
    need("ssh", "openssh-client")
    ns = lan_with_metadata
    nic = ["-nic", "tap,ifname=tap0,script=no,downscript=no,model=virtio-net-pci,mac=52:54:00:c0:ff:ee"]
    with boot(tmp_path, from_kernel(guest), *nic, netns=ns) as console:
        lease = console.wait_for(rf"Lease of ({re.escape(SUBNET)}\.\d+) obtained, lease time 43200")
        assert_cirros_like_boot(console, "metadata")
        address = lease.group(1)
        console.wait_for(r"ssh host key: ssh-ed25519 ")
        by_key = ssh(ns, address, "hostname", "-o", "BatchMode=yes", "-i", str(key))
        assert (by_key.returncode, by_key.stdout.strip()) == (0, NAME), by_key.stderr
        askpass = tmp_path / "askpass"
        askpass.write_text("#!/bin/sh\necho gocubsgo\n")
        askpass.chmod(0o700)
        by_password = ssh(ns, address, "cat /sys/class/net/eth0/mtu", "-o", "PubkeyAuthentication=no",
                          "-o", "PreferredAuthentications=password",
                          env={**os.environ, "SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force"})
        assert (by_password.returncode, by_password.stdout.strip()) == (0, "1442"), by_password.stderr


def ssh(ns, address, command, *options, env=None):
    """Run *command* over SSH as cirros, from inside namespace *ns*."""
    return subprocess.run(
        ["ip", "netns", "exec", ns, "ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
         "-o", "ConnectTimeout=20", *options, f"cirros@{address}", command],
        capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)
