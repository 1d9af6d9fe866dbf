"""The guest image: a small cirros-like Linux for Nova's libvirt driver.

Built from Debian packages only, fetched with ``apt-get download`` and
unpacked with ``dpkg-deb -x``: the cloud kernel (``linux-image-cloud-amd64``;
its virtio, ATA CD-ROM, ISO9660 and vfat modules go into the initramfs),
``busybox-static`` and ``dropbear-bin`` with the shared libraries it needs
from its own dependencies.  The guest's behaviour is ``guest-init.sh`` (its
/init) and ``guest-udhcpc.sh`` (the DHCP hook), beside this module.

``build(cache_dir)`` makes ``cache_dir/guest-<key>/`` holding ``vmlinuz``
and ``initrd.img`` (for the AMI-style ``cirros-0.3.4-x86_64-uec-kernel``
and ``-ramdisk``) and ``disk.qcow2`` (a BIOS-bootable disk that boots the
same kernel and initramfs, for ``cirros-0.6.2-x86_64-disk``); see
parts/guest_disk.py.  The key hashes the packages' candidate versions and
the files that make the guest, so a second build with the same inputs
returns at once (apt-cache's binary cache ``apt-pkgcache.bin`` and the
builds' ``lock`` are kept there too); a build of other inputs deletes the
older ``guest-*``.  The build tools (``BUILD_PACKAGES``) are installed with
apt-get when missing and stay installed.  ``purge`` deletes *cache_dir*;
nothing else is written outside it.
"""

import dataclasses
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile

from parts import guest_disk

PARTS = os.path.dirname(os.path.abspath(__file__))
SOURCES = ("guest-init.sh", "guest-udhcpc.sh", "guest.py", "guest_disk.py")
# The build tools: {Debian package: a program or file of it}.
BUILD_TOOLS = {"qemu-utils": "qemu-img", "dosfstools": "mkfs.vfat", "mtools": "mcopy",
               "syslinux": "syslinux", "syslinux-common": guest_disk.MBR}
BUILD_PACKAGES = tuple(BUILD_TOOLS)
KERNEL_META = "linux-image-cloud-amd64"
# The key is made of these packages' candidate versions: the kernel's
# metapackage (its version names the image), busybox, dropbear and the
# libraries it links (the build fails naming any library not here).
PACKAGES = (KERNEL_META, "busybox-static", "dropbear-bin", "libc6", "libcrypt1", "libgmp10",
            "libtomcrypt1", "libtommath1", "zlib1g")
BINARIES = ("usr/sbin/dropbear", "usr/bin/dropbearkey", "usr/bin/dbclient")
LOADER = "lib64/ld-linux-x86-64.so.2"
# Modules loaded at boot, each after its dependencies; parameters after the name.
# virtio_net computes its own checksums: Open vSwitch's userspace datapath reads
# the guest's tap without its offload header, and conntrack drops a TCP packet
# whose checksum was left to the host as invalid (ICMP would pass, SSH not).
MODULES = ("virtio_pci", "virtio_net csum=0 gso=0", "virtio_blk", "virtio_scsi", "virtio_rng",
           "scsi_mod scan=sync", "sr_mod", "ata_piix", "isofs", "nls_cp437", "nls_ascii", "vfat",
           "button", "evdev")
FILES = ("vmlinuz", "initrd.img", "disk.qcow2")


class DownloadFailed(RuntimeError):
    """apt-get download failed."""


@dataclasses.dataclass(frozen=True)
class Guest:
    """The built image's files."""
    kernel: str
    initramfs: str
    qcow2: str


def _run(argv, **kwargs):
    r = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if r.returncode:
        raise RuntimeError("%s failed: %s" % (" ".join(argv[:3]), (r.stderr or r.stdout).strip()[-500:]))
    return r.stdout


def _apt_env():
    return dict(os.environ, DEBIAN_FRONTEND="noninteractive", LC_ALL="C")


def _apt_cache(cache_dir, *args):
    """apt-cache's output; its binary cache in *cache_dir* (this system keeps
    none) makes a policy look-up take milliseconds instead of a second."""
    r = subprocess.run(["apt-cache", "-o", "Dir::Cache::pkgcache=" + os.path.join(cache_dir, "apt-pkgcache.bin")]
                       + list(args), capture_output=True, text=True, env=_apt_env())
    return r.stdout


def _candidates(cache_dir):
    out = _apt_cache(cache_dir, "policy", *PACKAGES)
    return {n: v for n, v in re.findall(r"^(\S+):\n(?:  .*\n)*?  Candidate: (\S+)", out, re.M)
            if v != "(none)"}


def packages(cache_dir):
    """{package: candidate version} of PACKAGES (the key's main input)."""
    versions = _candidates(cache_dir)
    if KERNEL_META not in versions:  # apt's lists not fetched yet
        _run(["apt-get", "update", "-q"], env=_apt_env(), timeout=600)
        versions = _candidates(cache_dir)
    missing = sorted(set(PACKAGES) - set(versions))
    if missing:
        raise RuntimeError("no Debian package candidate for %s" % " ".join(missing))
    return versions


def _kernel_package(cache_dir):
    """The kernel image package that KERNEL_META depends on."""
    found = re.findall(r"^Depends: .*?\b(linux-image-[^\s,]+)",
                       _apt_cache(cache_dir, "show", "--no-all-versions", KERNEL_META), re.M)
    if not found:
        raise RuntimeError("%s depends on no linux-image package" % KERNEL_META)
    return found[0]


def cache_key(versions):
    h = hashlib.sha256()
    for name in sorted(versions):
        h.update(("%s=%s\n" % (name, versions[name])).encode())
    for name in SOURCES:
        with open(os.path.join(PARTS, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def install_build_tools():
    """apt-get install the build tools that are missing."""
    todo = [p for p, prog in BUILD_TOOLS.items()
            if not (os.path.exists(prog) if prog.startswith("/") else shutil.which(prog))]
    if todo:
        _run(["apt-get", "install", "-y", "-q", "--no-install-recommends"] + todo,
             env=_apt_env(), timeout=900)


def build(cache_dir):
    """The guest image for the current Debian packages, built unless cached."""
    os.makedirs(cache_dir, exist_ok=True)
    with open(os.path.join(cache_dir, "lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time per cache
        for attempt in (1, 2):
            versions = packages(cache_dir)
            out = os.path.join(cache_dir, "guest-" + cache_key(versions))
            guest = Guest(*(os.path.join(out, f) for f in FILES))
            if all(os.path.exists(f) for f in dataclasses.astuple(guest)):
                return guest
            try:
                _build(versions, cache_dir, out)
                return guest
            except DownloadFailed:
                if attempt == 2:
                    raise
                # apt's lists name versions the mirror no longer has: fetch them anew
                _run(["apt-get", "update", "-q"], env=_apt_env(), timeout=600)


def _build(versions, cache_dir, out):
    """Build the image of *versions* into *out* (through a temporary directory)."""
    install_build_tools()
    with tempfile.TemporaryDirectory(prefix="build-", dir=cache_dir) as work:
        tree = _unpack(versions, cache_dir, work)
        root = os.path.join(work, "root")
        kernel = _assemble(tree, root)
        done = os.path.join(work, "out")
        os.mkdir(done)
        shutil.copyfile(kernel, os.path.join(done, FILES[0]))
        guest_disk.initramfs(root, os.path.join(done, FILES[1]))
        guest_disk.bootable_disk(os.path.join(done, FILES[0]), os.path.join(done, FILES[1]),
                                 os.path.join(done, FILES[2]), work)
        shutil.rmtree(out, ignore_errors=True)
        os.rename(done, out)
    for old in os.listdir(cache_dir):
        if old.startswith("guest-") and os.path.join(cache_dir, old) != out:
            shutil.rmtree(os.path.join(cache_dir, old), ignore_errors=True)


def _unpack(versions, cache_dir, work):
    """Download the packages (exact versions) and unpack them all into one tree."""
    debs, tree = os.path.join(work, "debs"), os.path.join(work, "tree")
    os.makedirs(debs)
    wanted = [_kernel_package(cache_dir)] + ["%s=%s" % (n, v) for n, v in sorted(versions.items())
                                             if n != KERNEL_META]
    try:
        _run(["apt-get", "download", "-q"] + wanted, cwd=debs, env=_apt_env(), timeout=600)
    except RuntimeError as e:
        raise DownloadFailed(str(e)) from None
    for deb in sorted(os.listdir(debs)):
        _run(["dpkg-deb", "-x", os.path.join(debs, deb), tree])
    return tree


def _in_tree(tree, rel):
    """The real file that *rel* names inside *tree*, following symlinks there."""
    path = os.path.join(tree, rel)
    for _ in range(20):
        if not os.path.islink(path):
            return path
        target = os.readlink(path)
        path = os.path.join(tree, target.lstrip("/")) if target.startswith("/") else \
            os.path.join(os.path.dirname(path), target)
    raise RuntimeError("symlink loop at %s" % rel)


def _copy(src, root, rel, mode=None):
    dest = os.path.join(root, rel)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    shutil.copyfile(src, dest)
    os.chmod(dest, mode if mode is not None else os.stat(src).st_mode & 0o7777)


def _assemble(tree, root):
    """Lay out the initramfs in *root*; returns the path of the kernel."""
    _copy(os.path.join(tree, "bin/busybox"), root, "bin/busybox", 0o755)
    os.symlink("busybox", os.path.join(root, "bin/sh"))  # /init's interpreter
    os.makedirs(os.path.join(root, "usr/bin"))
    os.symlink("dbclient", os.path.join(root, "usr/bin/ssh"))  # dropbear's client, as in cirros
    _copy(os.path.join(PARTS, "guest-init.sh"), root, "init", 0o755)
    _copy(os.path.join(PARTS, "guest-udhcpc.sh"), root, "etc/udhcpc.script", 0o755)
    loader = _in_tree(tree, LOADER)
    _copy(loader, root, LOADER, 0o755)
    libdirs = ":".join(os.path.join(tree, d) for d in
                       ("lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu"))
    for rel in BINARIES:
        _copy(os.path.join(tree, rel), root, rel, 0o755)
        listing = _run([loader, "--library-path", libdirs, "--list", os.path.join(tree, rel)])
        if "not found" in listing:
            raise RuntimeError("%s needs a library of no package in PACKAGES: %s" % (rel, listing))
        for lib in re.findall(r"=> (%s/\S+)" % re.escape(tree), listing):
            _copy(os.path.realpath(lib), root, os.path.relpath(lib, tree), 0o755)
    versions = os.listdir(os.path.join(tree, "lib/modules"))
    if len(versions) != 1:
        raise RuntimeError("expected one kernel in the packages, found %s" % versions)
    _modules(os.path.join(tree, "lib/modules", versions[0]), os.path.join(root, "lib/modules"))
    return os.path.join(tree, "boot", "vmlinuz-" + versions[0])


def _modinfo_depends(ko):
    with open(ko, "rb") as f:
        m = re.search(rb"\0depends=([^\0]*)\0", f.read())
    return [d for d in (m.group(1).decode().split(",") if m else []) if d]


def _modules(moddir, dest):
    """Copy MODULES and what they depend on to *dest*, with ``load``: the
    order to insmod them in (dependencies first)."""
    found = {}
    for top, _, files in os.walk(moddir):
        for f in files:
            if f.endswith(".ko"):
                found[f[:-3].replace("-", "_")] = os.path.join(top, f)
    params = dict((m.split(" ", 1) + [""])[:2] for m in MODULES)
    order = []

    def visit(name):
        if name in order:
            return
        if name not in found:
            raise RuntimeError("kernel module %s is not in %s" % (name, moddir))
        for dep in _modinfo_depends(found[name]):
            visit(dep)
        order.append(name)

    for name in params:
        visit(name)
    os.makedirs(dest, exist_ok=True)
    for name in order:
        shutil.copyfile(found[name], os.path.join(dest, name + ".ko"))
    with open(os.path.join(dest, "load"), "w") as f:
        f.writelines(("%s %s" % (n, params.get(n, ""))).rstrip() + "\n" for n in order)
