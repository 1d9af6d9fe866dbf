"""Actions see their run only through osops.scenario.context.StepContext:
each of its members documented, no action using anything else."""

import ast
import dataclasses
import inspect
import pathlib

from osops.scenario import Engine, context, load_text
from osops.scenario.context import StepContext
from osops.scenario.results import Outcome
from osops.scenario.steps import ACTIONS

SCENARIO = pathlib.Path(context.__file__).parent


def public_members():
    """StepContext's public members, each with its docstring ('' if none)."""
    tree = ast.parse(inspect.getsource(StepContext))
    body = tree.body[0].body
    members = {}
    for i, node in enumerate(body):
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            members[node.name] = ast.get_docstring(node) or ""
        elif isinstance(node, ast.Assign):
            after = body[i + 1] if i + 1 < len(body) else None
            doc = after.value.value if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) else ""
            members.update({t.id: doc for t in node.targets if isinstance(t, ast.Name)})
    return members


def used_by_actions():
    """``ctx.NAME`` in the scenario package's modules -> where."""
    used = {}
    for path in SCENARIO.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "ctx":
                used.setdefault(node.attr, f"{path.name}:{node.lineno}")
    return used


def test_every_member_has_a_docstring():
    members = public_members()
    assert {"conn", "run_id", "find_servers", "wait_timeout", "sleep", "TAG"} <= set(members)
    assert [name for name, doc in members.items() if not doc.strip()] == []


def test_actions_use_only_the_context_s_members():
    used = used_by_actions()
    assert used  # the scan sees the actions' ctx.conn, ctx.find_servers ...
    assert {name: where for name, where in used.items() if name not in public_members()} == {}


def test_the_engine_hands_actions_a_step_context_not_itself(monkeypatch):
    seen = []

    def spy(ctx, args, step):
        seen.append(ctx)
        return Outcome(detail=args["text"])

    monkeypatch.setitem(ACTIONS, "say", dataclasses.replace(ACTIONS["say"], run=spy))
    report = Engine(None, load_text("steps:\n  - say: hi\n", "x.yaml"), run_id="abcd1234",
                    handle_signals=False, clock=lambda: 100.0).run()
    assert [r.detail for r in report.steps] == ["hi"]
    [ctx] = seen
    assert type(ctx) is StepContext
    assert (ctx.run_id, ctx.server_name("web")) == ("abcd1234", "osops-abcd1234-web")
    assert ctx.tag == {"osops-run": "abcd1234"}
    assert ctx.remaining() == 900  # the run's default limit; its clock stands still here
    assert not hasattr(ctx, "saved") and not hasattr(ctx, "results")  # the engine's own state stays its own
