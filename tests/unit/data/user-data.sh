#!/bin/sh
# user data of the boot-options recording (osops/recordings.py) and tests/integration/test_boot_options.py
echo "osops user-data ran on $(hostname)" > /dev/console
