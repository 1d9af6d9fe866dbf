"""Real guests: libvirt and QEMU under Nova's libvirt driver.

Makes: the system user ``libvirt-qemu`` (libvirt's QEMU driver does not
load without it); ``/etc/libvirt/qemu.conf``, only where there is none
(guests run as root, with no security driver, cgroups or namespaces, and
write their console to a file: libvirt running as root reads it from there
alone), noted in ``state/qemu-conf`` so that ``purge`` deletes it again;
libvirt-python in the services' venv, built for the system's libvirt;
``libvirtd`` in the foreground as a recorded process (``logs/libvirtd.log``).
The virt type is KVM only when a test boot of the guest under KVM prints
its first line in time (``/dev/kvm`` may exist and still not run guests:
nested PVM), else QEMU's TCG; it is recorded in ``state/virt`` with how it
was chosen.

``down`` destroys the cloud's guests (Nova's ``instance-*`` domains: their
QEMU processes outlive libvirtd) and stops libvirtd; at the next ``up``
nova-compute starts again the ones that were running
(``resume_guests_state_on_host_boot``).  ``purge`` also deletes the
domains' definitions and the qemu.conf devcloud wrote.
"""

import glob
import os
import re
import subprocess
import time

from parts.paths import DATA, LOGS, CannotRun, UsageError, log, state_file
from parts.procs import clean_env, pidof, spawn, stop, wait_for

URI = "qemu:///system"
QEMU_RUN = "/run/libvirt/qemu"  # libvirt's <domain>.pid, written as QEMU starts
QEMU = "/usr/bin/qemu-system-x86_64"
QEMU_CONF = "/etc/libvirt/qemu.conf"
QEMU_CONF_TEXT = """# written by osops tools/devcloud (deleted by devcloud purge): guests run as root,
# with no security driver, cgroups or namespaces; consoles write to files (no virtlogd)
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
"""
KVM_PROBE_SECONDS = 20
TYPES = ("kvm", "qemu", "fake")


def virsh(*args, check=True):
    """``virsh -c qemu:///system ARGS``; its output."""
    done = subprocess.run(["virsh", "-c", URI, *args], capture_output=True, text=True, timeout=60)
    if check and done.returncode:
        raise RuntimeError("virsh %s: %s" % (" ".join(args), done.stderr.strip()))
    return done.stdout


def why_not():
    """Why QEMU cannot run guests here (the cloud's servers are then fake), or None."""
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun for the guests' network devices"
    return None


def prepare():
    """The user the QEMU driver needs, and qemu.conf where there is none."""
    if subprocess.run(["id", "libvirt-qemu"], capture_output=True).returncode:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        "libvirt-qemu"], check=True, capture_output=True)
    if not os.path.exists(QEMU_CONF):
        os.makedirs(os.path.dirname(QEMU_CONF), exist_ok=True)
        with open(QEMU_CONF, "w") as f:
            f.write(QEMU_CONF_TEXT)
        open(state_file("qemu-conf"), "w").close()


def ensure_libvirt_python(venv):
    """libvirt-python in the services' venv, of the system libvirt's version
    (there is no wheel: pip builds it, about 10 s)."""
    python = os.path.join(venv, "bin", "python")
    if subprocess.run([python, "-c", "import libvirt"], capture_output=True).returncode == 0:
        return
    version = subprocess.run(["pkg-config", "--modversion", "libvirt"], capture_output=True, text=True,
                             check=True).stdout.strip()
    log("building libvirt-python %s into the services' venv" % version)
    with open(os.path.join(LOGS, "pip.log"), "ab") as out:
        if subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                           "libvirt-python==" + version], stdout=out, stderr=subprocess.STDOUT).returncode:
            raise RuntimeError("pip install libvirt-python==%s failed; see %s/pip.log" % (version, LOGS))


def start_libvirtd():
    if not pidof("libvirtd"):
        if _answers():
            raise CannotRun("a libvirtd that devcloud did not start runs here: stop it, or run "
                            "`devcloud up --virt fake` (after devcloud purge)")
        spawn("libvirtd", ["libvirtd"], {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    wait_for("libvirtd", _answers, 60, ["libvirtd"])


def _answers():
    return subprocess.run(["virsh", "-c", URI, "version"], capture_output=True, timeout=30).returncode == 0


def kvm_boots(kernel, initramfs, seconds=KVM_PROBE_SECONDS):
    """(True, how) when the guest's kernel and initramfs, booted under KVM,
    print the guest's first line within *seconds*; else (False, why)."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False, "no usable /dev/kvm"
    argv = [QEMU, "-accel", "kvm", "-m", "128", "-nographic", "-nic", "none", "-no-reboot",
            "-kernel", kernel, "-initrd", initramfs, "-append", "console=ttyS0 panic=-1"]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=clean_env())
    os.set_blocking(proc.stdout.fileno(), False)
    seen, deadline = b"", time.monotonic() + seconds
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            seen += proc.stdout.read() or b""
            if b"Starting network on" in seen or b"=== network info ===" in seen:
                return True, "a test boot under KVM reached the guest's init in time"
            time.sleep(0.2)
    finally:
        proc.kill()
        proc.wait()
    lines = [line for line in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|[^\x20-\x7e\n]", "",
                                     seen.decode(errors="replace")).splitlines() if line.strip()]
    return False, "a test boot under KVM did not reach the guest's init in %ds (its last line: %s)" % (
        seconds, lines[-1].strip() if lines else "none")


def choose(asked, guest):
    """(virt type, how it was chosen): *asked* ("kvm", "qemu", "fake"), or
    KVM where a test boot proves it works and else TCG (None).  UsageError
    when KVM is asked for and cannot run guests."""
    if asked in ("qemu", "fake"):
        return asked, "asked for"
    works, how = kvm_boots(guest.kernel, guest.initramfs)
    if asked == "kvm" and not works:
        raise UsageError("KVM cannot run guests here: %s; leave --virt out for QEMU's TCG" % how)
    return ("kvm" if works else "qemu"), how


def guests():
    """[(domain name, state)] of Nova's guests here."""
    rows = []
    for name in virsh("list", "--all", "--name", check=False).split():
        if name.startswith("instance-"):
            rows.append((name, virsh("domstate", name, check=False).strip() or "?"))
    return rows


def stop_all():
    """Destroy Nova's guests, then stop libvirtd; the names stopped."""
    if not pidof("libvirtd"):
        return []
    ended = []
    for name, state in guests():
        if state in ("running", "paused", "in shutdown"):
            virsh("destroy", name, check=False)
            ended.append(name)
    return ended + stop(["libvirtd"])


def undefine_all():
    """At purge (the cloud stopped): forget the domains whose disks were in
    this cloud's instances folder, and the qemu.conf devcloud wrote."""
    instances = os.path.join(DATA, "nova", "instances")
    for path in glob.glob("/etc/libvirt/qemu/instance-*.xml"):
        with open(path, errors="replace") as f:
            if instances in f.read():
                os.unlink(path)
    if os.path.exists(state_file("qemu-conf")):
        if os.path.exists(QEMU_CONF):
            os.unlink(QEMU_CONF)
        os.unlink(state_file("qemu-conf"))


def console_log(domain):
    """The console log Nova keeps for *domain*, or None."""
    uuid = virsh("domuuid", domain, check=False).strip()
    path = os.path.join(DATA, "nova", "instances", uuid, "console.log")
    return path if uuid and os.path.exists(path) else None


# A tiny guest shows its login prompt in ~5 s under TCG alone, ~17 s with 8 at once.
BOOTS_WITHIN = 120


def stuck(domain, state, console, now=None):
    """Why the running *domain* looks like it never booted ('' when it
    booted, or is not running): no login prompt on its *console* log
    BOOTS_WITHIN seconds after its QEMU started (libvirt's pid file)."""
    if state != "running":
        return ""
    try:
        started = os.stat(os.path.join(QEMU_RUN, domain + ".pid")).st_mtime
        with open(console or os.devnull, errors="replace") as f:
            text = f.read()
    except OSError:
        return ""
    age = (now or time.time()) - started
    if "login:" in text.rsplit("Linux version", 1)[-1] or age < BOOTS_WITHIN:
        return ""
    return "no login prompt %d s after it started" % age
