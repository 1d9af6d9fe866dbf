"""The scenarios shipped with osops (``osops scenario list``)."""

import os

DIRECTORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "examples")


def names() -> list[str]:
    """Names of the bundled scenarios, sorted."""
    try:
        files = os.listdir(DIRECTORY)
    except OSError:
        return []
    return sorted(f[:-5] for f in files if f.endswith(".yaml"))


def path(name: str) -> str | None:
    """The file of bundled scenario *name*, or None."""
    return os.path.join(DIRECTORY, f"{name}.yaml") if name in names() else None


def find(name_or_path: str) -> str | None:
    """A scenario file: *name_or_path* when it is a file, else the bundled
    scenario of that name; None when it is neither."""
    if os.path.isfile(name_or_path):
        return name_or_path
    return path(name_or_path)
