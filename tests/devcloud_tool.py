"""tools/devcloud's script, seed.py and lib modules, loaded for tests (they
are files beside each other, not a package)."""

import importlib.util
import pathlib
from importlib.machinery import SourceFileLoader

DEVCLOUD = pathlib.Path(__file__).resolve().parents[1] / "tools" / "devcloud"


def load(path):
    """The module in *path* (relative to tools/devcloud), freshly executed."""
    loader = SourceFileLoader("devcloud_" + path.replace("/", "_").removesuffix(".py"), str(DEVCLOUD / path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module
