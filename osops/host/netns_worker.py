"""Child process that pings from inside a network namespace.

Reads a JSON job on stdin (``netns``, ``targets``, ``count``, ``interval``,
``timeout``, ``method``), enters the namespace, pings, and writes
``{"results": [...]}`` or ``{"error": "one line"}`` on stdout.  Run by
:func:`osops.host.ping.ping`; not meant to be run by hand.
"""

import json
import sys
from dataclasses import asdict

from osops.errors import OsopsError
from osops.host import netns
from osops.host.models import Target
from osops.host.ping import ping


def main() -> None:
    job = json.load(sys.stdin)
    try:
        netns.enter(job["netns"])
    except OsopsError as exc:
        json.dump({"error": str(exc)}, sys.stdout)
        return
    targets = [Target(**t) for t in job["targets"]]
    results = ping(targets, job["count"], job["interval"], job["timeout"], job["method"],
                   where=f"namespace {job['netns']}")
    json.dump({"results": [{k: v for k, v in asdict(r).items() if k != "target"} for r in results]},
              sys.stdout)


if __name__ == "__main__":
    main()
