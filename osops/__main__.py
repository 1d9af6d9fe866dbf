import sys

from osops.cli.app import main

sys.exit(main())
