"""Scenario actions for floating IPs and the console: ``floating_ip``
gives servers a floating IP each (released with the run), ``console``
reads a server's console log, and can wait for a text on it ("login:").

Merged into :data:`osops.scenario.steps.ACTIONS`; the functions take
``(ctx, args, step)`` as every action does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from osops import console as consoles
from osops import floating_ips, models
from osops import wait as waiting
from osops.scenario.kinds import Action, Arg
from osops.scenario.results import FAIL, Outcome, SkipStep
from osops.scenario.template import VALUE, ListOf

if TYPE_CHECKING:
    from osops.scenario.context import StepContext
    from osops.scenario.schema import Step

CONSOLE_FIRST_POLL = 1.0  # seconds before the console is read again while waiting for its text


def floating_ip(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    found = ctx.find_servers(args["servers"])
    made, lines = [], []
    for server in found:
        description = ctx.floating_ip_description(server.name)  # cleanup looks for it from here on
        try:
            added = floating_ips.add_floating_ip(ctx.conn, server, args["network"] or None, reuse=False,
                                                 description=description)
        except floating_ips.NoExternalNetwork as exc:
            if args["optional"]:
                raise SkipStep(f"{exc.problem} here") from None
            raise
        if added.how == "allocated":
            ctx.track_floating_ips([added.floating_ip])
        made.append(added.floating_ip)
        lines.append(f"{server.name} {added.floating_ip.address} -> {added.fixed_address} "
                     f"({added.network} to {added.external_network})")
    return Outcome(detail="; ".join(lines), value=made,
                   resources=[f"floating IP {f.address} ({f.id})" for f in made])


def console(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    (server,) = ctx.find_servers([args["server"]])
    wanted, within = args["contains"], args["within"]
    log = consoles.console_log(ctx.conn, server)
    began, tries = ctx.remaining(), 0
    pauses = waiting.intervals(CONSOLE_FIRST_POLL)
    while wanted and wanted not in log and tries < within and began - ctx.remaining() < within:
        tries += 1
        ctx.sleep(min(next(pauses), ctx.remaining()))
        log = consoles.console_log(ctx.conn, server)
    tail = consoles.last_lines(log, args["lines"]).splitlines()
    waited = f" after {began - ctx.remaining():.0f} s" if tries else ""
    if wanted and wanted not in log:
        return Outcome(FAIL, f"no {wanted!r} on {server.name}'s console within {within:g} s; "
                             f"its last line: {tail[-1] if tail else '(empty)'}", value=log, output=tail)
    shown = f"{wanted!r} on {server.name}'s console{waited}" if wanted else \
        f"{server.name}'s console: {len(log.splitlines())} lines"
    return Outcome(detail=shown, value=log, output=tail)


ACTIONS = {
    "floating_ip": Action(
        floating_ip,
        {"servers": Arg("servers", required=True, help="server names or ids, or a saved result"),
         "network": Arg("text", help="the external network; empty: the only one"),
         "optional": Arg("bool", default=False, help="true: SKIP, not FAIL, where the cloud has no external network")},
        positional="servers", gives=ListOf(models.FloatingIP),
        help="give servers a floating IP each, released with the run"),
    "console": Action(
        console,
        {"server": Arg("server", required=True, help="a name, id or saved server"),
         "contains": Arg("text", default="", help='text the log must show, e.g. "login:"; empty: any log'),
         "within": Arg("number", default=120, low=0, high=3600,
                       help="seconds to wait for contains: (a guest just booted)"),
         "lines": Arg("int", default=10, low=1, high=1000, help="how many of its last lines to show")},
        positional="server", gives=VALUE, help="read a server's console log; wait for a text on it"),
}
