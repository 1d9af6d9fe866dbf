"""osops doctor: name the classic post-install failures and what to do.

::

    from osops import doctor

    for c in doctor.run(lambda: osops.connect("devstack-admin"), host=False):
        print(c.name, c.result, c.found, c.fix)

Each check is a small function of a shared context returning a plain
:class:`Check` (name, result OK/WARN/FAIL/SKIP, found, fix); they run in
order, and one that raises becomes its own FAIL without stopping the
rest.  The groups live in one module each: config, proxy, keystone,
catalog, services, resources, host.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from osops.doctor.core import FAIL, OK, RESULTS, SKIP, WARN, Check, CheckFn, Context, DoctorFailed, Skip

if TYPE_CHECKING:
    from openstack.connection import Connection

__all__ = ["FAIL", "OK", "RESULTS", "SKIP", "WARN", "Check", "DoctorFailed", "Skip", "checks", "run"]


def checks() -> list[CheckFn]:
    """The checks in the order they run."""
    from osops.doctor import catalog, config, host, keystone, proxy, resources, services

    return [config.source, proxy.keystone, keystone.discovery, keystone.token, keystone.clock,
            catalog.endpoints, proxy.endpoints, services.compute, services.agents,
            resources.images, resources.flavors, resources.networks, host.host_checks]


def run(conn: Connection | Callable[[], Connection], *, interface: str | None = None, host: bool = True,
        cloud: str | None = None, options: dict | None = None,
        given_as: str = "settings passed to connect()") -> list[Check]:
    """Run every check; a list of :class:`Check`.

    *conn* is an ``openstack.connection.Connection`` or a callable that
    makes one (so that a failure to connect is reported by the Config
    check instead of raised).  *interface* is the endpoint interface to
    check (default: the connection's, else public); *host* runs the checks
    of this machine (Open vSwitch, sysctls) when it is a cloud host.
    *cloud* and *options* are what the connection was asked for (the
    cloud name and --os-* settings), used to say where settings came from;
    *given_as* names settings that came neither from OS_* nor from
    clouds.yaml ("--os-* options" on the command line).
    """
    from osops.doctor.core import run_checks

    ctx = Context(conn, interface=interface, host=host, cloud=cloud, options=options, given_as=given_as)
    return run_checks(ctx, checks())


def failed(results: Iterable[Check]) -> list[Check]:
    """The checks among *results* that FAILed."""
    return [c for c in results if c.result == FAIL]
