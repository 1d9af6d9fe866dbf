"""Scenario actions that open the way in to servers: ``keypair`` (a keypair
of the run's own, deleted with the run) and ``allow`` (a rule letting a
service into a security group, removed with the run when the run added
it).  Merged into :data:`osops.scenario.steps.ACTIONS`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from osops import models, security_groups
from osops.scenario.kinds import Action, Arg
from osops.scenario.results import Outcome

if TYPE_CHECKING:
    from osops.scenario.context import StepContext
    from osops.scenario.schema import Step


def keypair(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    made = ctx.create_keypair(args["name"])
    return Outcome(detail=f"{made.name} {made.fingerprint}; private key {made.private_key_file}",
                   value=made, resources=[f"keypair {made.name}"])


def allow(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    group = args["group"] or ctx.run_groups()[0].id
    change = security_groups.allow(ctx.conn, group, args["rule"], args["from"] or None, args["ipv6"])
    if change.changed:
        ctx.track_rules(change.rule_ids)
    return Outcome(detail=f"{change.group}: {change.rule}: {change.result}", value=change,
                   resources=[f"security group rule {r}" for r in change.rule_ids] if change.changed else [])


ACTIONS = {
    "keypair": Action(
        keypair,
        {"name": Arg("text", default="key", help="the keypair becomes osops-<run>-NAME; deleted with the run")},
        positional="name", gives=models.Keypair,
        help="a keypair of the run's own; its private key (private_key_file) lives as long as the run"),
    "allow": Action(
        allow,
        {"rule": Arg("service", required=True, help="ping, ssh, tcp:PORT[-PORT] or udp:PORT[-PORT]"),
         "group": Arg("text", help="a group's name or id; empty: the run's own"),
         "from": Arg("text", help="a CIDR or a group; empty: anywhere"),
         "ipv6": Arg("bool", default=False, help="an IPv6 rule (an IPv6 CIDR implies it)")},
        positional="rule", gives=models.RuleChange,
        help="let a service into a security group (a rule added is removed with the run)"),
}
