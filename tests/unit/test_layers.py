"""Data flows one way: CLI -> operations -> openstacksdk.  Nothing outside
osops/cli imports cliff, and the API imports without it."""

import ast
import pathlib
import subprocess
import sys

PACKAGE = pathlib.Path(__file__).parent.parent.parent / "osops"


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_only_the_cli_imports_cliff():
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if "cli" not in p.relative_to(PACKAGE).parts
                 and any(m.split(".")[0] == "cliff" for m in imported_modules(p))]
    assert offenders == []


def test_the_api_layer_does_not_import_the_cli():
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if "cli" not in p.relative_to(PACKAGE).parts and p.name != "__main__.py"
                 and any(m.startswith("osops.cli") for m in imported_modules(p))]
    assert offenders == []


def test_api_modules_import_without_cliff():
    code = ("import sys, osops.servers, osops.images, osops.flavors, osops.networks, osops.cloud; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('cliff', 'cmd2')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
