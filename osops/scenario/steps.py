"""The actions a step can take, their arguments, and what each one does.

Every action is a function ``(ctx, args, step) -> Outcome`` registered in
:data:`ACTIONS` with the arguments it takes (:class:`Arg`), the argument a
bare value fills (``- ping: web``), and the ``expect:`` keys it honours;
*ctx* is the run's :class:`~osops.scenario.context.StepContext`, all an
action may use of the run.
The schema checks a file against this table; the engine calls the
functions with arguments already filled in and converted (the kinds of
arguments: :mod:`osops.scenario.kinds`).  The checks of
``osops smoke`` (token, catalog ...) are in :mod:`osops.scenario.checks`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from osops import models
from osops import servers as ops
from osops.host import bridges
from osops.host.models import Bridge, PingResult
from osops.scenario import access_steps, checks, diagnose_steps, fip_console_steps, ssh_steps, template
from osops.scenario.kinds import Action, Arg
from osops.scenario.results import FAIL, PASS, Outcome, SkipStep
from osops.scenario.template import VALUE, ListOf

if TYPE_CHECKING:
    from osops.scenario.context import StepContext
    from osops.scenario.schema import Step

DEFAULT_SERVICES = ("identity", "compute", "image", "network")
REPLAYED_BRIDGES = "a replayed cloud (demo): this host's bridges carry none of its ports"

def _short(servers):
    return ", ".join(s.name for s in servers)


def _where(server):
    return f" on {server.networks}" if server.networks else ""


def boot(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    ctx.creating()  # from here on, cleanup looks for this run's tag
    # a replayed cloud (the demo): its addresses are recorded ones, no one's here, so wait for ACTIVE only
    replayed = getattr(ctx.conn, "osops_replayed", False)
    wait_for = "active" if replayed else (args["wait_for"] or "active")
    # names are resolved by the boot; its reservation list is the wait's first round, and it tracks
    # the servers from there (on_booted), so they are cleaned up if the wait fails
    booted = ops.boot(
        ctx.conn, ctx.server_name(args["name"]),
        image=args["image"], flavor=args["flavor"], network=args["network"], networks=args["networks"],
        key_name=args["key_name"] or None, count=args.get("count", 1), metadata=ctx.tag,
        security_groups=args["security_groups"] or ctx.run_groups(), user_data=args["user_data"] or None,
        availability_zone=args["availability_zone"] or None, config_drive=bool(args["config_drive"]),
        timeout=ctx.wait_timeout(step), on_change=ctx.on_change, on_booted=ctx.track,
        keep=True, wait_for=wait_for)  # the engine cleans up
    ready = READY.get(wait_for, "ACTIVE")
    if len(booted) == 1:
        detail = f"{booted[0].name} {ready}{_where(booted[0])}"
    else:
        detail = f"{len(booted)} servers {ready}: {_short(booted)}"
    return Outcome(detail=detail, value=booted, servers=booted,
                   resources=[f"server {s.name} ({s.id})" for s in booted])


def wait(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    found = ctx.find_servers(args["servers"])
    done = ops.wait_for_status(ctx.conn, found, args["status"], ctx.wait_timeout(step), ctx.on_change)
    return Outcome(detail=f"{_short(done)} {args['status']}", value=done, servers=done)


def _acting(verb: str, status: str, method: str) -> Callable[[StepContext, dict[str, Any], Step], Outcome]:
    def act(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
        found = ctx.find_servers(args["servers"])
        done = getattr(ops, method)(ctx.conn, found, args["wait"], ctx.wait_timeout(step), ctx.on_change)
        shown = status if args["wait"] else f"asked to {verb}"
        return Outcome(detail=f"{_short(done)} {shown}", value=done, servers=done)

    return act


def delete(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    found = ctx.find_servers(args["servers"])
    if ctx.keep:
        raise SkipStep(f"--keep: {_short(found)} kept; remove with osops cleanup --run {ctx.run_id}")
    ctx.delete_servers(found, wait=args["wait"], timeout=ctx.wait_timeout(step))
    gone = [replace(s, status="DELETED") for s in found]
    shown = "gone" if args["wait"] else "asked to delete"
    return Outcome(detail=f"{_short(found)} {shown}", value=gone, servers=gone)


def address(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    found = ctx.find_servers(args["servers"])
    missing = [s for s in found if not s.ips()]
    if missing:  # Nova may say ACTIVE a moment before the port is bound
        fresh = ops.wait_for(ctx.conn, missing, lambda s: s is not None and bool(s.ips()),
                             min(ctx.wait_timeout(step), ctx.address_wait), fail_on_error=False)
        by_id = {s.id: s for s in fresh if s is not None}
        found = [by_id.get(s.id, s) for s in found]
    return Outcome(detail="; ".join(f"{s.name} {s.networks}" for s in found), value=found, servers=found)


def ping(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    found = ctx.find_servers(args["servers"], addresses=True)
    servers = [s for s in found if isinstance(s, models.Server)]
    addresses = [a for a in found if isinstance(a, str)]
    netns = None if args["netns"] in ("", "none") else args["netns"]
    expected = step.expect.get("ping", "pass")
    if expected == "pass":
        _first_answers(ctx, servers, addresses, netns, args["within"])
    results = ctx.pinger.ping(ctx.conn, servers, addresses, count=args["packets"], netns=netns)
    return judge_ping(results, expected)


def _first_answers(ctx, servers, addresses, netns, wait):
    """Ping, one packet at a time, until every address pinged has answered
    once (a guest just booted takes seconds to), for at most *wait*
    seconds and as many tries."""
    began, tries = ctx.remaining(), 0
    while tries < wait and began - ctx.remaining() < wait:
        tries += 1
        results = ctx.pinger.ping(ctx.conn, servers, addresses, count=1, netns=netns)
        silent = {r.target.server or r.target.address for r in results if r.sent and not r.received}
        if not silent:
            return
        servers = [s for s in servers if s.name in silent]
        addresses = [a for a in addresses if a in silent]


def judge_ping(results: Sequence[PingResult], expected: str = "pass") -> Outcome:
    """PASS, FAIL or SKIP for ping results: a target nothing was sent to
    cannot be judged (SKIP, with its reason); one that was sent echo
    requests either answered or not."""
    tried = [r for r in results if r.sent]
    untried = [r for r in results if not r.sent]
    answered = [r for r in tried if r.answered]
    silent = [r for r in tried if not r.answered]
    output = [_ping_line(r) for r in results]
    note = f"; not tried: {_reasons(untried)}" if untried else ""
    if not tried:
        raise SkipStep(f"cannot ping from this host: {_reasons(untried) or 'nothing to ping'}")
    if expected == "fail":
        if answered:
            return Outcome(FAIL, f"answered, but no answer was expected: {_whom(answered)}",
                           value=results, output=output)
        return Outcome(PASS, f"no answer, as expected: {_whom(silent)}{note}", value=results, output=output)
    if silent:
        why = "; ".join(f"{_who(r)}: {r.reason or '100% loss'}" for r in silent)
        return Outcome(FAIL, f"no reply from {why}", value=results, output=output)
    rtts = ", ".join(_answer(r) for r in answered)
    return Outcome(PASS, f"answered: {rtts}{note}", value=results, output=output)


def _answer(result):
    """``web 10.0.0.5 3/3 0.6 ms``: who answered, how often, how fast."""
    rtt = f" {result.rtt_avg:.1f} ms" if result.rtt_avg is not None else ""
    return f"{_who(result)} {result.received}/{result.sent}{rtt}"


def _reasons(results):
    """Who could not be pinged and why, one reason per kind of problem."""
    groups: dict[str, list[PingResult]] = {}
    for r in results:
        key = r.reason.replace(r.target.address, "ADDRESS") if r.target.address else r.reason
        groups.setdefault(key, []).append(r)
    return "; ".join(f"{_whom(group)}: {group[0].reason}" for group in groups.values())


def _who(result):
    t = result.target
    return f"{t.server} {t.address}" if t.server else t.address


def _whom(results):
    return ", ".join(_who(r) for r in results)


def _ping_line(r):
    where = f" from {r.target.netns}" if r.target.netns else ""
    verdict = "answered" if r.answered else ("not tried" if not r.sent else "no answer")
    tail = f": {r.reason}" if r.reason else ""
    return f"{_who(r)}{where}: {r.received}/{r.sent} {verdict}{tail}"


def servers(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    if args["servers"]:
        found = ctx.find_servers(args["servers"], fresh=True)
    else:
        found = [s for s in ops.list_servers(ctx.conn) if s.metadata.get(ctx.TAG) == ctx.run_id]
    rows = [(s.id, s.name, s.status, s.networks or "-") for s in found]
    table = ctx.table(("ID", "Name", "Status", "Networks"), rows)
    detail = f"{len(found)} server(s)" + (f": {_short(found)}" if found else "")
    return Outcome(detail=detail, value=found, servers=found, output=table)


def show(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    (found,) = ctx.find_servers([args["server"]])
    s = ops.get_server(ctx.conn, found.id)
    metadata = ", ".join(f"{k}={v}" for k, v in s.metadata.items())
    rows = [("id", s.id), ("name", s.name), ("status", s.status),
            ("task_state", s.task_state or "-"), ("power_state", s.power_state),
            ("networks", s.networks or "-"), ("flavor", s.flavor), ("image", s.image),
            ("metadata", metadata or "-"), ("fault", s.fault or "-")]
    return Outcome(detail=f"{s.name} {s.status}{_where(s)}", value=[s], servers=[s],
                   output=ctx.table(("Property", "Value"), rows))


def bridge(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    if getattr(ctx.conn, "osops_replayed", False):
        raise SkipStep(REPLAYED_BRIDGES)
    problems = []
    found = bridges.list_bridges(ctx.conn, on_problem=lambda _source, exc: problems.append(str(exc)))
    if args["name"]:
        found = [bridges.find_bridge(found, args["name"])]
    if not found:
        raise SkipStep("no Linux or Open vSwitch bridge on this host"
                       + (f" ({'; '.join(problems)})" if problems else ""))
    rows = []
    for b in found:
        ports = [p.name + (f" ({p.owner})" if p.owner else "") for p in b.ports] or [""]
        rows.append((b.name, b.bridge_id or "-", "yes" if b.stp else "no", ports[0]))
        rows.extend(("", "", "", p) for p in ports[1:])
    output = ctx.table(("bridge name", "bridge id", "STP enabled", "interfaces"), rows)
    output += [f"note: {p}" for p in problems]
    detail = "; ".join(f"{b.name}: {len(b.ports)} port(s)" for b in found)
    return Outcome(detail=detail, value=found, output=output)


def sleep(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    seconds = min(args["seconds"], ctx.remaining())
    ctx.sleep(seconds)
    return Outcome(detail=f"slept {seconds:g} s")


def say(ctx: StepContext, args: dict[str, Any], step: Step) -> Outcome:
    return Outcome(detail=args["text"])


READY = {"ping": "ACTIVE, answers ping", "ssh": "ACTIVE, SSH up", "login": "ACTIVE, login prompt"}
SERVERS = Arg("servers", required=True, help="server names or ids, or a saved result")
SERVER_LIST = ListOf(models.Server)
WAIT = Arg("bool", default=True, help="wait until the action is done")

# most server steps
SERVER_ACTION: dict[str, Any] = dict(positional="servers", expect=("status", "servers"), gives=SERVER_LIST)

ACTIONS = {
    "token": Action(checks.token, gives=checks.TOKEN, help="authenticate and issue a token"),
    "catalog": Action(
        checks.catalog,
        {"services": Arg("names", default=list(DEFAULT_SERVICES), help="service types that must be there")},
        positional="services", gives=checks.CATALOG,
        help="the services needed are in the catalog; every endpoint answers"),
    "compute-services": Action(checks.compute_services, gives=VALUE, help="every compute service is up (admin)"),
    "image": Action(
        checks.image,
        {"name": Arg("image", help="name or id; empty: cirros preferred")},
        positional="name", gives=models.Image, help="a bootable image"),
    "flavor": Action(
        checks.flavor,
        {"name": Arg("flavor", help="name or id; empty: m1.tiny or the smallest that fits"),
         "image": Arg("image", help="the image it must fit")},
        positional="name", gives=models.Flavor, help="a flavor to boot with"),
    "network": Action(
        checks.network,
        {"name": Arg("network", help="name or id; empty: the only usable one")},
        positional="name", gives=models.Network, help="a network to boot on"),
    "boot": Action(
        boot,
        {"name": Arg("text", default="server", help="names become osops-<run>-NAME"),
         "image": Arg("image", required=True, help="name, id or a saved image"),
         "flavor": Arg("flavor", required=True, help="name, id or a saved flavor"),
         "network": Arg("network", help="name, id or a saved network; empty: the only usable one"),
         "networks": Arg("names", default=[], help="more networks (names or ids), one NIC on each"),
         "key_name": Arg("text", help="a keypair to inject"),
         "security_groups": Arg("names", default=[],
                                help="groups to boot in; empty: the run's own, which lets ping and SSH in"),
         "user_data": Arg("text", help="the user data itself (a cloud-init script or #cloud-config)"),
         "availability_zone": Arg("text", help="ZONE or ZONE:HOST (a host: admins only)"),
         "config_drive": Arg("bool", help="true: give the servers a config drive"),
         "wait_for": Arg("wait_for", help="ping, ssh or login: wait past ACTIVE until they answer ping, "
                                          "SSH, or show a login prompt; empty: ACTIVE")},
        expect=("status", "servers"), count=True, gives=SERVER_LIST, help="boot servers and wait until ACTIVE"),
    "wait": Action(
        wait,
        {"servers": SERVERS, "status": Arg("status", default="ACTIVE")},
        **SERVER_ACTION, help="wait for a status"),
    "address": Action(
        address,
        {"servers": SERVERS},
        positional="servers", expect=("servers",), gives=SERVER_LIST, help="every server has an address"),
    "ping": Action(
        ping,
        {"servers": SERVERS,
         "packets": Arg("int", default=3, low=1, high=100),
         "netns": Arg("text", default="auto", help="namespace to ping from; auto or none"),
         "within": Arg("number", default=60, low=0, high=3600,
                       help="seconds a first answer may take (a guest just booted); not with expect: fail")},
        positional="servers", expect=("ping",), gives=ListOf(PingResult),
        help="ping servers or addresses from this host"),
    "suspend": Action(
        _acting("suspend", "SUSPENDED", "suspend"),
        {"servers": SERVERS, "wait": WAIT},
        **SERVER_ACTION, help="suspend servers"),
    "resume": Action(
        _acting("resume", "ACTIVE", "resume"),
        {"servers": SERVERS, "wait": WAIT},
        **SERVER_ACTION, help="resume servers"),
    "delete": Action(
        delete,
        {"servers": SERVERS, "wait": WAIT},
        positional="servers", expect=("servers",), gives=SERVER_LIST,
        help="delete servers and wait until they are gone"),
    "servers": Action(
        servers,
        {"servers": Arg("servers", help="default: this run's servers")},
        **SERVER_ACTION, help="list servers"),
    "show": Action(
        show,
        {"server": Arg("server", required=True, help="a name, id or saved server")},
        positional="server", expect=("status",), gives=SERVER_LIST, help="show one server"),
    "bridge": Action(
        bridge,
        {"name": Arg("text", help="one bridge; empty: all")},
        positional="name", gives=ListOf(Bridge), help="show this host's bridges (brctl show)"),
    "sleep": Action(
        sleep,
        {"seconds": Arg("number", required=True, low=0, high=3600)},
        positional="seconds", help="wait a while"),
    "say": Action(
        say,
        {"text": Arg("text", required=True, help="may read {{ variables }} and saved results")},
        positional="text", narration=True, help="a narration line for demos"),
}
# The actions of the first hour, each group in a module of its own.
for _group in (access_steps, diagnose_steps, fip_console_steps, ssh_steps):
    ACTIONS.update(_group.ACTIONS)


def describe(name: str, action: Action) -> tuple[str, str, str, str, str]:
    """*action* as a lab author reads it: (name, its arguments one a line,
    the expect: keys, what save: keeps, its help)."""
    lines = []
    for arg_name, arg in action.args.items():
        notes = ["required"] if arg.required else []
        if arg_name == action.positional:
            notes.append("the bare value")
        if arg.low is not None and arg.high is not None:
            notes.append(f"{arg.low:g} to {arg.high:g}")
        default = template.text(arg.default)
        line = arg_name + (f" = {default}" if default and not arg.required else "")
        line += f" ({', '.join(notes)})" if notes else ""
        lines.append(line + (f": {arg.help}" if arg.help else ""))
    if action.count:
        lines.append("count: N (a step key): N servers in one request")
    return (name, "\n".join(lines), ", ".join(action.expect),
            template.describe(action.gives) if action.saves else "", action.help)


def check_expect(step: Step, outcome: Outcome) -> str:
    """'' when the step's ``expect:`` holds for *outcome*, else why not."""
    servers = outcome.servers or []
    want = step.expect
    if "servers" in want and len(servers) != want["servers"]:
        return f"expected {want['servers']} server(s), got {len(servers)}"
    if "status" in want:
        wrong = [s for s in servers if s.status != want["status"]]
        if wrong:
            return f"expected status {want['status']}: " + ", ".join(f"{s.name} is {s.status}" for s in wrong)
    return ""

