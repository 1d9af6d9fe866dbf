"""nova-compute, with the devcloud's virt driver loadable and no sudo.

Nova loads ``compute_driver`` from inside its nova.virt package; this
entry point adds lib/ to that package's path, so that
``compute_driver = devcloud_virt.NetnsDriver`` finds lib/devcloud_virt.py.
nova-compute runs as root here and there is no sudo: its root helper (for
privsep's helpers, as the metadata agent's ``root_helper = env``) becomes
``env``, which finds the venv's privsep-helper on PATH.  Then it runs
nova-compute as its console script does.
"""
import os  # noqa: I001  (nova.cmd.compute must come first: it decides how nova runs, threads not eventlet)
import sys

from nova.cmd.compute import main

import nova.virt
from nova import utils

nova.virt.__path__.append(os.path.dirname(os.path.abspath(__file__)))
utils.get_root_helper = lambda: "env"

if __name__ == "__main__":
    sys.argv[0] = "nova-compute"
    sys.exit(main())
