"""The floor of a row that makes no server: the least a process can do.

For a list row, one process that imports only urllib and json sends the
same GET requests osops sent (read from osops's counted run through the
proxy, its token and discovery calls left out: the token is taken once,
outside the timing) with a valid token, and decodes each answer.  For a
row that calls no API (``--help``, ``--version``), the floor is starting
Python with nothing to do.  Boot and delete rows have the cloud's own time
instead (bench/cloudtime.py).
"""

import json

from bench.proxy import is_discovery, is_identity
from bench.tools import Step

REPLAY = r"""
import json, os, sys, urllib.request
direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
for url, headers in json.loads(sys.argv[1]):
    headers["X-Auth-Token"] = os.environ["BENCH_TOKEN"]
    with direct.open(urllib.request.Request(url, headers=headers), timeout=300) as answer:
        json.loads(answer.read())
"""


def replayed(calls):
    """The (url, headers) a floor process sends: osops's GETs, not to Keystone nor version discovery."""
    return [(c.url, dict(c.headers)) for c in calls
            if c.method == "GET" and not is_identity(c) and not is_discovery(c)]


def list_steps(calls):
    """The floor's run for a list row whose osops run made *calls*."""
    return [Step(["-c", REPLAY, json.dumps(replayed(calls))])]


def empty_steps():
    """The floor's run for a row that calls no API: Python starting and ending."""
    return [Step(["-c", "pass"])]
