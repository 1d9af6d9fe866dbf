"""The Python API is typed: every public function, method and model of
osops (but the CLI) has its parameters and return annotated, and the
package says so with ``py.typed``."""

import ast
import configparser
import pathlib

PACKAGE = pathlib.Path(__file__).parent.parent.parent / "osops"
# Being annotated elsewhere; each leaves this list once it is.
NOT_YET = {"models.py", "images.py", "flavors.py", "servers.py", "resolve.py"}


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


def test_not_yet_lists_only_files_there_are():
    assert {p for p in NOT_YET if not (PACKAGE / p).is_file()} == set()


def test_py_typed_is_shipped():
    setup = configparser.ConfigParser()
    setup.read(PACKAGE.parent / "setup.cfg")
    shipped = [p.strip() for p in setup["options.package_data"]["osops"].split(",")]
    assert (PACKAGE / "py.typed").is_file() and "py.typed" in shipped
