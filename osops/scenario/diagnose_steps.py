"""The scenario action ``diagnose``: the path to one server, one row per
check (:mod:`osops.diagnose`); PASS when it is reachable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from osops.scenario.kinds import Action, Arg
from osops.scenario.results import FAIL, PASS, Outcome

if TYPE_CHECKING:
    from osops.scenario.context import StepContext
    from osops.scenario.schema import Step

COLUMNS = ("Check", "Result", "Found", "Fix")


def diagnose(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    from osops.diagnose import diagnose as diagnosis

    (server,) = ctx.find_servers([args["server"]], fresh=True) or (None,)
    if server is None:
        return Outcome(status=FAIL, detail=f"{args['server']} is gone")
    netns = None if args["netns"] in ("", "auto") else args["netns"]
    replayed = getattr(ctx.conn, "osops_replayed", False)  # the demo: its addresses are no one's here
    found = diagnosis(ctx.conn, server, from_netns=netns, ping=args["ping"] and not replayed)
    return Outcome(status=PASS if found.reachable else FAIL, detail=found.summary(), servers=[server],
                   output=ctx.table(COLUMNS, [c.row() for c in found.checks]))


ACTIONS = {
    "diagnose": Action(
        diagnose,
        {"server": Arg("server", required=True, help="a name, id or saved server"),
         "netns": Arg("text", default="auto", help="namespace to reach it from; auto: as ping does"),
         "ping": Arg("bool", default=True, help="false: send nothing (no ping, no SSH greeting)")},
        positional="server", help="why a server cannot be pinged or reached by SSH, one row per check"),
}
