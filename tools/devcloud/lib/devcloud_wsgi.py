"""gunicorn entry point for the devcloud's OpenStack API services.

The services' WSGI modules parse sys.argv with oslo.config; under gunicorn
that is gunicorn's own command line, which they reject (workers exit 2 and
respawn forever).  Cut sys.argv to the program name, add the arguments in
DEVCLOUD_ARGV, then import the module named by DEVCLOUD_WSGI_MODULE.
Config file locations come from the services' own OS_*_CONFIG_* variables.
"""
import importlib
import os
import sys

sys.argv = sys.argv[:1] + os.environ.get("DEVCLOUD_ARGV", "").split()
application = importlib.import_module(
    os.environ["DEVCLOUD_WSGI_MODULE"]).application
