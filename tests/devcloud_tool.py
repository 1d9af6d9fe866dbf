"""tools/devcloud's script, seed.py, lib modules and parts, loaded for tests
(the tool is not an installed package)."""

import importlib
import importlib.util
import pathlib
import sys
from importlib.machinery import SourceFileLoader

DEVCLOUD = pathlib.Path(__file__).resolve().parents[1] / "tools" / "devcloud"


def _importable():
    """Let the tool's modules import each other as the tool does (parts.*, lib/'s)."""
    for path in (str(DEVCLOUD), str(DEVCLOUD / "lib")):
        if path not in sys.path:
            sys.path.append(path)


def part(name):
    """The module parts/<name>.py of tools/devcloud, imported as the tool imports it."""
    _importable()
    return importlib.import_module("parts." + name)


def load(path):
    """The module in *path* (relative to tools/devcloud), freshly executed."""
    _importable()
    loader = SourceFileLoader("devcloud_" + path.replace("/", "_").removesuffix(".py"), str(DEVCLOUD / path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module
