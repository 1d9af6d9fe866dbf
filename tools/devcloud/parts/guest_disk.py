"""The guest's image formats (for parts/guest.py): the initramfs (a gzipped
newc cpio written here, owned by root, no root privileges needed) and the
bootable disk.

The disk is raw MBR (syslinux's ``mbr.bin``) with one active FAT16
partition at 1 MiB holding the kernel, the initramfs and SYSLINUX, made
with ``mkfs.vfat``, ``mcopy`` and ``syslinux`` on image files (no loop
mounts), then converted with ``qemu-img convert -O qcow2``.  SeaBIOS boots
it.  Everything is written to the paths given: nothing to undo here.
"""

import gzip
import os
import stat
import struct
import subprocess

MBR = "/usr/lib/syslinux/mbr/mbr.bin"
SECTOR = 512
START = 2048  # the partition's first sector: 1 MiB, as partitioning tools align
CMDLINE = "console=tty0 console=ttyS0"
SYSLINUX_CFG = """SERIAL 0 115200
DEFAULT guest
PROMPT 0
TIMEOUT 0
LABEL guest
  KERNEL /vmlinuz
  INITRD /initrd.img
  APPEND %s
""" % CMDLINE


def _run(argv):
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("%s failed: %s" % (argv[0], (r.stderr or r.stdout).strip()[-500:]))


def _cpio_entry(name, mode, data=b"", ino=0, rdev=(0, 0)):
    fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0)
    head = b"070701" + b"".join(b"%08X" % v for v in fields) + name.encode() + b"\0"
    pad = lambda n: b"\0" * (-n % 4)  # noqa: E731
    return head + pad(len(head)) + data + pad(len(data))


def initramfs(root, dest):
    """Write the tree *root* as a gzipped newc cpio to *dest*, every file
    owned by root, plus the /dev/console node the kernel opens before /init."""
    entries = [_cpio_entry("dev", stat.S_IFDIR | 0o755, ino=1),
               _cpio_entry("dev/console", stat.S_IFCHR | 0o600, ino=2, rdev=(5, 1))]
    for top, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(dirs) + sorted(files):
            path = os.path.join(top, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                data = os.readlink(path).encode()
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    data = f.read()
            else:
                data = b""
            entries.append(_cpio_entry(rel, st.st_mode, data, ino=len(entries) + 1))
    entries.append(_cpio_entry("TRAILER!!!", 0))
    with open(dest, "wb") as f:
        f.write(gzip.compress(b"".join(entries), compresslevel=9, mtime=0))


def _mbr(sectors):
    """Boot code from syslinux, one active FAT16 (LBA) partition of *sectors* at START."""
    with open(MBR, "rb") as f:
        code = f.read()[:440]
    entry = struct.pack("<B3sB3sII", 0x80, b"\xfe\xff\xff", 0x0E, b"\xfe\xff\xff", START, sectors)
    mbr = code.ljust(440, b"\0") + b"\0" * 6 + entry + b"\0" * 48 + b"\x55\xaa"
    return mbr.ljust(START * SECTOR, b"\0")


def bootable_disk(kernel, initrd, dest, work):
    """A qcow2 disk at *dest* whose SYSLINUX boots *kernel* with *initrd*."""
    payload = os.path.getsize(kernel) + os.path.getsize(initrd)
    size_kib = (payload // (1 << 20) + 2) * 1024  # the files and a MiB of room
    fat = os.path.join(work, "fat.img")
    _run(["mkfs.vfat", "-C", "-F", "16", "-n", "GUEST", "-i", "0dc10d00", "-h", str(START),
          fat, str(size_kib)])
    cfg = os.path.join(work, "syslinux.cfg")
    with open(cfg, "w") as f:
        f.write(SYSLINUX_CFG)
    _run(["mcopy", "-i", fat, kernel, "::vmlinuz"])
    _run(["mcopy", "-i", fat, initrd, "::initrd.img"])
    _run(["mcopy", "-i", fat, cfg, "::syslinux.cfg"])
    _run(["syslinux", "--install", fat])
    raw = os.path.join(work, "disk.raw")
    with open(raw, "wb") as out, open(fat, "rb") as f:
        out.write(_mbr(size_kib * 1024 // SECTOR))
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            out.write(chunk)
    _run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw, dest])
