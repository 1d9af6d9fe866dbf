"""diagnose's host pieces on real kernel objects: the source address and
the SSH greeting from inside a namespace (a listener in another one on the
same bridge), and a server's tap port on a Linux bridge, up, then down."""

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from osops.diagnose import host
from osops.diagnose.facts import Facts
from osops.diagnose.here import HostView
from osops.errors import OsopsError
from osops.host import linux_bridge
from osops.models import Server
from tests.host.conftest import ip

pytestmark = pytest.mark.host

PORT_ID = "3f2a1b4c-9d11-4c52-8f0e-2a3b4c5d6e7f"
GREETER = """
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1); print("ready", flush=True)
c, _ = s.accept(); c.sendall(b"SSH-2.0-osops_test\\r\\n"); c.close()
"""


@pytest.fixture
def greeter(lan):
    """An SSH-like greeting on b's 192.0.2.2:2222, for one connection."""
    proc = subprocess.Popen(["ip", "netns", "exec", lan["b"], sys.executable, "-c", GREETER, lan["addr_b"], "2222"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield lan
    finally:
        proc.kill()
        proc.wait()


def test_source_and_greeting_from_a_namespace(greeter):
    here = HostView()
    assert here.source(greeter["addr_b"], greeter["a"]) == greeter["addr_a"]
    assert here.banner(greeter["addr_b"], greeter["a"], port=2222) == "SSH-2.0-osops_test"
    with pytest.raises(OsopsError, match="refused the connection"):
        here.banner(greeter["addr_b"], greeter["a"], port=2223)
    assert here.source("198.51.100.7", greeter["a"]) is None  # no route there


def test_tap_port_on_a_linux_bridge_up_then_down(lan, kernel):
    tap = kernel.veth(lan["bridge"], lan["switch"], kernel.netns(), name=f"tap{PORT_ID[:11]}")

    def bridge_port():
        links = json.loads(ip("-n", lan["switch"], "-j", "-d", "link", "show"))
        here = SimpleNamespace(bridges=lambda: (linux_bridge.parse_links(links), ""))
        server = Server(id="s", name="web", status="ACTIVE", task_state=None, power_state="Running")
        port = SimpleNamespace(id=PORT_ID, binding_host_id="here")
        return host._bridge_port(Facts(server=server, ports=[port]), here, port)

    check = bridge_port()
    assert (check.result, check.found) == ("OK", f"{tap} on {lan['bridge']}, forwarding")
    ip("-n", lan["switch"], "link", "set", tap, "down")
    check = bridge_port()
    assert (check.result, check.found) == (
        "FAIL", f"{tap} on {lan['bridge']} is disabled: the guest's NIC is not up")
