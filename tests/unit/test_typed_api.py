"""The Python API is typed: every public function, method and model of
osops (but the CLI) has its parameters and return annotated, the
package says so with ``py.typed``, and the docstrings of what a script
calls name every keyword it takes."""

import ast
import configparser
import pathlib
import re

PACKAGE = pathlib.Path(__file__).parent.parent.parent / "osops"
# Being annotated elsewhere; each leaves this list once it is.
NOT_YET: set[str] = set()
# What the README shows a script using, and what it takes; their keywords are documented.
API = {"__init__.py", "cloud.py", "console.py", "floating_ips.py", "keypairs.py", "security_groups.py",
       "networks.py", "boot_options.py", "diagnose/__init__.py", "history/__init__.py", "history/store.py",
       "history/report.py", "scenario/checker.py", "scenario/engine.py", "host/bridges.py", "host/ping.py",
       "host/targets.py", "testing/replay.py", "testing/recorder.py"} | NOT_YET


def unannotated(path):
    """``name: what is missing`` for each public function or method of
    *path* that lacks a parameter's or the return's annotation."""
    def visit(body, prefix, in_class):
        for node in body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                yield from visit(node.body, f"{prefix}{node.name}.", True)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.name.startswith("_") and not (in_class and node.name == "__init__"):
                    continue
                a = node.args
                params = [*a.posonlyargs, *a.args, *a.kwonlyargs, *filter(None, (a.vararg, a.kwarg))]
                if in_class and params and params[0].arg in ("self", "cls"):
                    params = params[1:]
                missing = [p.arg for p in params if p.annotation is None]
                missing += ["return"] if node.returns is None else []
                if missing:
                    yield f"{prefix}{node.name}: {', '.join(missing)}"

    return list(visit(ast.parse(path.read_text()).body, "", False))


def test_every_public_function_and_method_is_annotated():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = str(path.relative_to(PACKAGE))
        if path.relative_to(PACKAGE).parts[0] == "cli" or name in NOT_YET:
            continue
        found.update({f"{name}: {line}": True for line in unannotated(path)})
    assert sorted(found) == []


def test_the_check_sees_what_is_missing(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("def f(a, b: int = 1, *rest: str) -> int: ...\n"
                      "def _private(a): ...\n"
                      "class C:\n"
                      "    def __init__(self, x: int): ...\n"
                      "    @property\n"
                      "    def p(self) -> int: ...\n"
                      "    def m(self, *, key) -> None: ...\n")
    assert unannotated(source) == ["f: a", "C.__init__: return", "C.m: key"]


def test_the_lists_name_only_files_there_are():
    assert {p for p in API | NOT_YET if not (PACKAGE / p).is_file()} == set()


def test_py_typed_is_shipped():
    setup = configparser.ConfigParser()
    setup.read(PACKAGE.parent / "setup.cfg")
    shipped = [p.strip() for p in setup["options.package_data"]["osops"].split(",")]
    assert (PACKAGE / "py.typed").is_file() and "py.typed" in shipped


def undocumented_keywords(path):
    """``name: keywords`` for each public function or method of *path*
    whose docstring (a class's, for ``__init__``) does not name every
    parameter with a default or after ``*`` (``**kwargs`` passed through
    is left alone)."""
    def visit(body, prefix, cls):
        for node in body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                yield from visit(node.body, f"{node.name}.", node)
            elif isinstance(node, ast.FunctionDef) and (not node.name.startswith("_")
                                                        or (cls and node.name == "__init__")):
                a = node.args
                keywords = [p.arg for p in a.args[len(a.args) - len(a.defaults):] + a.kwonlyargs]
                keywords += [a.kwarg.arg] if a.kwarg and a.kwarg.arg != "kwargs" else []
                doc = (ast.get_docstring(node) or "") + (ast.get_docstring(cls) or "" if cls else "")
                missing = [k for k in keywords if not re.search(rf"\b{k}\b", doc)]
                if missing:
                    yield f"{prefix}{node.name}: {', '.join(missing)}"

    return list(visit(ast.parse(path.read_text()).body, "", None))


def test_every_keyword_of_the_api_is_documented():
    found = [f"{name}: {line}" for name in sorted(API - NOT_YET) for line in undocumented_keywords(PACKAGE / name)]
    assert found == []


def test_the_keyword_check_sees_what_is_missing(tmp_path):
    source = tmp_path / "m.py"
    source.write_text('def f(a, count=1, *, on_booted=None, **options):\n    """*a*, *count* times."""\n'
                      'class C:\n    """With *wait*."""\n    def __init__(self, wait=True, **kwargs): ...\n')
    assert undocumented_keywords(source) == ["f: on_booted, options"]
