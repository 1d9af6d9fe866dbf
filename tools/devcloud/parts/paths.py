"""Where the cloud keeps everything, and how it reports progress.

All state lives under ``$OSOPS_DEVCLOUD_DIR`` (default
``/var/tmp/osops-devcloud``): ``etc/`` configs (rewritten at each up),
``data/`` databases and images, ``run/`` PID files and sockets, ``logs/``,
``state/`` markers of one-time steps.  ``purge`` deletes all but the venv.
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
LIB = os.path.join(HERE, "lib")
DIR = os.path.abspath(os.environ.get("OSOPS_DEVCLOUD_DIR", "/var/tmp/osops-devcloud"))
ETC, DATA, RUN, LOGS, STATE = (os.path.join(DIR, d) for d in ("etc", "data", "run", "logs", "state"))
PYLIB = os.path.join(DIR, "pylib")
SOCK = os.path.join(RUN, "mysqld.sock")
KERNEL = os.path.join(RUN, "kernel")  # the record of kernel and OVS objects made, for down
HOST = "127.0.0.1"
PW = "devstack"
NOVA_HOST = "devcloud"  # nova's [DEFAULT] host, and the OVN chassis's hostname: stable across machines
T0 = time.time()


class CannotRun(Exception):
    """The machine cannot host the cloud, or this mode of it (exit 3)."""


class UsageError(Exception):
    """A command line or a request that cannot be met as given (exit 2)."""


def log(msg):
    """One line on stderr, prefixed with the tool's name."""
    print("devcloud: " + msg, file=sys.stderr, flush=True)


def step(msg):
    """Record progress with elapsed seconds in logs/devcloud.log."""
    with open(os.path.join(LOGS, "devcloud.log"), "a") as f:
        f.write("%s +%5.1fs %s\n" % (time.strftime("%H:%M:%S"), time.time() - T0, msg))


def state_file(name):
    return os.path.join(STATE, name)


def done(name):
    """Has the one-time step *name* been done (its marker in state/)?"""
    return os.path.exists(state_file(name))


def mark_done(name):
    open(state_file(name), "w").close()
