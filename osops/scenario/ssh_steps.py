"""The ``ssh`` action: run a command on servers over SSH (as ``osops ssh``
reaches them) and judge its exit status and output::

    - ssh: {servers: web, command: hostname, identity: ~/.ssh/lab_key}
      expect: {exit: 0, output: web}

A server SSH cannot reach from this host at all SKIPs (as ping does); one
whose SSH does not answer yet is tried again for ``within`` seconds.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from osops import ssh as remote
from osops.scenario.kinds import Action, Arg
from osops.scenario.results import FAIL, PASS, Outcome, SkipStep
from osops.scenario.template import VALUE, ListOf

if TYPE_CHECKING:
    from osops.scenario.context import StepContext
    from osops.scenario.schema import Step

COMMAND_TIMEOUT = 60  # seconds one command may run
RETRY_PAUSE = 2.0


def ssh(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    if getattr(ctx.conn, "osops_replayed", False):
        raise SkipStep("a replayed cloud (demo): its servers are not this host's to log in to")
    found = ctx.find_servers(args["servers"])
    identity = os.path.expanduser(args["identity"]) if args["identity"] else (ctx.run_key_file() or None)
    want_exit = step.expect.get("exit", 0)
    want_output = step.expect.get("output", "")
    outputs, lines, wrong = [], [], []
    for server in found:
        done = _run(ctx, server, args, identity)
        text = (done.stdout or "").strip()
        outputs.append(text)
        lines += [f"{server.name}: exit {done.returncode}"] + [f"  {line}" for line in text.splitlines()]
        if done.returncode != want_exit:
            wrong.append(f"{server.name} exited {done.returncode}, not {want_exit}")
        elif want_output and want_output not in text:
            wrong.append(f"{server.name}'s output lacks {want_output!r}")
    if wrong:
        return Outcome(FAIL, "; ".join(wrong), value=outputs, servers=found, output=lines)
    said = f", output has {want_output!r}" if want_output else ""
    return Outcome(PASS, f"{args['command']!r} on {', '.join(s.name for s in found)}: exit {want_exit}{said}",
                   value=outputs, servers=found, output=lines)


def _run(ctx, server, args, identity):
    """ssh to *server*, again while ssh cannot log in, for ``within`` seconds."""
    began = ctx.remaining()
    while True:
        try:
            return remote.run(ctx.conn, server, [args["command"]], user=args["user"] or None, identity=identity,
                              batch=True, capture=True, timeout=COMMAND_TIMEOUT)
        except remote.Unreachable as exc:
            raise SkipStep(exc.problem) from None
        except remote.SshFailed:
            if began - ctx.remaining() + RETRY_PAUSE > args["within"] or ctx.remaining() <= RETRY_PAUSE:
                raise
            ctx.sleep(RETRY_PAUSE)


ACTIONS = {
    "ssh": Action(
        ssh,
        {"servers": Arg("servers", required=True, help="server names or ids, or a saved result"),
         "command": Arg("text", required=True, help="the command, as the remote shell reads it"),
         "user": Arg("text", help="user to log in as; empty: from the image (cirros for CirrOS)"),
         "identity": Arg("text", help="private key file; empty: the run's keypair's, else ssh's own default keys"),
         "within": Arg("number", default=60, low=0, high=3600,
                       help="seconds SSH may take to let us in (a guest just booted)")},
        positional="servers", expect=("exit", "output"), gives=ListOf(VALUE),
        help="run a command over SSH; expect its exit status and output"),
}
