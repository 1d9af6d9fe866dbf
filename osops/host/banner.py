"""Is an SSH server there?  Connect to TCP port 22 and read its banner
(``SSH-2.0-...``), from this host or from a network namespace (a child
process that enters it: ``python -m osops.host.banner NS ADDRESS``)."""

import json
import socket
import subprocess
import sys

from osops.errors import OsopsError
from osops.host import netns

SSH_PORT = 22


def read_banner(address, port=SSH_PORT, timeout=3.0):
    """The first line the server at *address*:*port* sends; OSError when
    it cannot be reached or says nothing in *timeout* seconds."""
    with socket.create_connection((address, port), timeout=timeout) as sock:
        data = b""
        while b"\n" not in data and len(data) < 256:
            chunk = sock.recv(256)
            if not chunk:
                break
            data += chunk
    return data.split(b"\n")[0].decode("ascii", "replace").strip()


def ssh_answers(address, namespace=None, port=SSH_PORT, timeout=3.0):
    """(True, the banner) when an SSH server answers at *address* (from
    *namespace*, entered by a child process, when given), else (False, why not)."""
    if namespace is None:
        return _judge(_banner_or_reason(address, port, timeout), port)
    argv = [sys.executable, "-m", "osops.host.banner", namespace, address, str(port), str(timeout)]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout + 30, check=False)
        return _judge(json.loads(done.stdout), port)
    except subprocess.TimeoutExpired:
        return False, f"the probe from namespace {namespace} did not finish"
    except ValueError:
        return False, f"the probe from namespace {namespace} failed: {done.stderr.strip()[-200:] or done.returncode}"


def _banner_or_reason(address, port, timeout):
    try:
        return {"banner": read_banner(address, port, timeout)}
    except OSError as exc:
        return {"error": exc.strerror or str(exc) or type(exc).__name__}


def _judge(answer, port):
    if "error" in answer:
        return False, f"port {port}: {answer['error'][:1].lower() + answer['error'][1:]}"
    banner = answer["banner"]
    if banner.startswith("SSH-"):
        return True, banner
    return False, f"port {port} answered, but not with an SSH banner ({banner[:40]!r})"


def main(argv):
    name, address, port, timeout = argv
    try:
        netns.enter(name)
    except OsopsError as exc:
        json.dump({"error": str(exc)}, sys.stdout)
        return
    json.dump(_banner_or_reason(address, int(port), float(timeout)), sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
