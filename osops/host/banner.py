"""Read a TCP service's greeting (an SSH server's ``SSH-2.0-...`` line),
from this host or from inside a network namespace, and whether it is an
SSH server's.

A namespace is entered by a child process of its own (this module run as
``python -m osops.host.banner NS ADDRESS PORT TIMEOUT``), as
:mod:`osops.host.netns_worker` does for ping.
"""

import json
import socket
import subprocess
import sys
from collections.abc import Sequence

from osops.errors import OsopsError

MAX_LINE = 256
SSH_PORT = 22


def read_banner(address: str, port: int = SSH_PORT, timeout: float = 5.0, netns: str | None = None) -> str:
    """The first line the service at *address*:*port* sends; an
    :class:`~osops.errors.OsopsError` saying why there is none (refused,
    no answer in *timeout* seconds, closed without a word)."""
    if netns is None:
        return _read(address, port, timeout)
    argv = [sys.executable, "-m", "osops.host.banner", netns, address, str(port), str(timeout)]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout + 10, check=False)
        answer = json.loads(done.stdout or "{}")
    except (subprocess.TimeoutExpired, ValueError):
        raise OsopsError(f"no answer from {address}:{port} in namespace {netns}") from None
    if "banner" not in answer:
        raise OsopsError(answer.get("error") or f"reading {address}:{port} in namespace {netns} failed")
    return answer["banner"]


def ssh_answers(address: str, namespace: str | None = None, port: int = SSH_PORT,
                timeout: float = 3.0) -> tuple[bool, str]:
    """(True, the banner) when an SSH server answers at *address* (from
    *namespace* when given), else (False, why not)."""
    try:
        line = read_banner(address, port, timeout, netns=namespace)
    except OsopsError as exc:
        return False, f"port {port}: {str(exc)[:1].lower()}{str(exc)[1:]}"
    if line.startswith("SSH-"):
        return True, line
    return False, f"port {port} answered, but not with an SSH banner ({line[:40]!r})"


def _read(address, port, timeout):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect((address, port))
            data = sock.recv(MAX_LINE)
        except ConnectionRefusedError:
            raise OsopsError(f"{address}:{port} refused the connection (nothing listens there)") from None
        except TimeoutError:
            raise OsopsError(f"no answer from {address}:{port} in {timeout:g} s") from None
        except OSError as exc:
            raise OsopsError(f"cannot connect to {address}:{port}: {exc.strerror or exc}") from None
    line = data.decode("ascii", "replace").splitlines()[0].strip() if data.strip() else ""
    if not line:
        raise OsopsError(f"{address}:{port} closed the connection without a greeting")
    return line


def main(argv: Sequence[str]) -> None:
    """Run in a child entered into namespace *name*: print the greeting
    at ADDRESS:PORT (or the error) as JSON.  *argv*: NAME ADDRESS PORT TIMEOUT."""
    from osops.host import netns

    name, address, port, timeout = argv
    try:
        netns.enter(name)
        json.dump({"banner": _read(address, int(port), float(timeout))}, sys.stdout)
    except OsopsError as exc:
        json.dump({"error": str(exc)}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
