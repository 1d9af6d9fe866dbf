"""nova-compute, with the devcloud's virt driver loadable.

Nova loads ``compute_driver`` from inside its nova.virt package; this
entry point adds lib/ to that package's path, so that
``compute_driver = devcloud_virt.NetnsDriver`` finds lib/devcloud_virt.py,
then runs nova-compute as its console script does.
"""
import os
import sys

import nova.virt
from nova.cmd.compute import main

nova.virt.__path__.append(os.path.dirname(os.path.abspath(__file__)))

if __name__ == "__main__":
    sys.argv[0] = "nova-compute"
    sys.exit(main())
