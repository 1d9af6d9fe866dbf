"""The fault-injection suite's proxy in front of the loopback cloud: the
same :class:`~tests.faults.proxy.FaultProxy`, sending each request on to
the host and port its URL names.  Each case asserts the outcome (a
retried success, or one line and exit 1) and that no server is left."""

import json
import signal

import pytest

from tests.faults.proxy import Fault, FaultProxy
from tests.faults.test_faults import FAULTS
from tests.integration.devcloud import one_line

pytestmark = pytest.mark.integration

IMAGE_PREFIX = "cirros-0.6"


@pytest.fixture
def proxied(cloud):
    """``proxied(*faults)``: (the proxy, the environment that sends osops through it)."""
    opened = []

    def make(*faults):
        proxy = FaultProxy(lambda host, port: (host, port), faults).__enter__()
        opened.append(proxy)
        return proxy, cloud.os_env(http_proxy=proxy.url, OSOPS_API_TIMEOUT="10")

    yield make
    for proxy in opened:
        proxy.__exit__(None, None, None)


def left(cloud, name):
    return sorted(n for n in cloud.servers() if n == name or n.startswith(f"{name}-"))


@pytest.mark.parametrize("fault", FAULTS)
def test_a_list_survives_each_fault(cloud, proxied, fault):
    proxy, env = proxied(Fault("GET", r"/servers/detail", **FAULTS[fault]))
    done = cloud.run("server", "list", "-f", "json", env=env)
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout), list)
    assert [f for _m, _u, f in proxy.seen if f]


@pytest.mark.parametrize("fault", FAULTS)
def test_boot_count_3_with_a_faulty_create_leaves_nothing_unaccounted(cloud, proxied, fault):
    name = f"{cloud.prefix}-f{fault.replace('-', '')}"
    _proxy, env = proxied(Fault("POST", r"/servers$", **FAULTS[fault]))
    done = cloud.run("boot", name, "--count", "3", "--flavor", "m1.tiny", "--image", IMAGE_PREFIX,
                     "--timeout", "300", env=env, timeout=600)
    if done.returncode == 0:  # the create was done, only its answer was lost: the boot went on
        assert left(cloud, name) == [f"{name}-1", f"{name}-2", f"{name}-3"]
        cloud.ok("delete", f"{name}-1", f"{name}-2", f"{name}-3", "--wait", "-f", "json", timeout=300)
    else:
        assert done.returncode == 1
        assert one_line(done.stderr), done.stderr
    assert left(cloud, name) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_while_boot_count_3_waits_deletes_its_servers(cloud, proxied, signum):
    import subprocess
    import sys

    name = f"{cloud.prefix}-sig{signum}"
    held = Fault("GET", r"reservation_id=", "hold", after=1)
    _proxy, env = proxied(held)
    process = subprocess.Popen([sys.executable, "-m", "osops", "boot", name, "--count", "3", "--flavor", "m1.tiny",
                                "--image", IMAGE_PREFIX], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert held.arrived.wait(300)
        process.send_signal(signum)
        held.release()
        _out, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 128 + signum, err
    assert err.strip().splitlines()[-1].startswith(f"interrupted by {signal.Signals(signum).name}; deleted what "
                                                   "this boot created: ")
    assert left(cloud, name) == []
