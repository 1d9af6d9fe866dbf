"""osops: check, drive and demo an OpenStack cloud right after install.

The Python API lives in the submodules (``osops.cloud``, ``osops.images``,
``osops.flavors``, ``osops.networks``, ``osops.servers``, ``osops.floating_ips``,
``osops.console``); the command line
in ``osops.cli`` is a thin layer over them.  This module imports nothing
heavy so that ``osops --help`` starts fast.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openstack.connection import Connection

__version__ = "0.1.0"


def connect(cloud: "str | None" = None, **options: "Any") -> "Connection":
    """Connect to *cloud* (a clouds.yaml name; None: ``OS_CLOUD``, else the
    OS_* variables); *options* are :func:`osops.cloud.connect`'s keywords
    (``auth_url``, ``password``, ``region_name`` ..., ``cache``, ``warn``)."""
    from osops.cloud import connect as _connect

    return _connect(cloud, **options)
