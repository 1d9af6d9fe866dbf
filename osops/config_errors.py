"""Make openstacksdk's config loader failures name the file and the fix.

openstacksdk skips a clouds.yaml it cannot parse with only a log line (as
often as it reads the file) and then reports "Cloud X was not found"; this
module keeps that line, once, and puts it in the one-line error instead.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from osops.errors import OsopsError, printable

if TYPE_CHECKING:
    from openstack.config.loader import OpenStackConfig

LOGGER = "openstack.config"


class _Keep(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(" ".join(record.getMessage().split()))


@contextlib.contextmanager
def explained(cloud: str | None, loader: Callable[[], OpenStackConfig | None]) -> Iterator[None]:
    """Run openstacksdk's config loading; failures leave as one-line
    :class:`OsopsError`.  *loader* returns the ``OpenStackConfig`` (or None
    before it exists)."""
    from keystoneauth1.exceptions import MissingRequiredOptions

    logger = logging.getLogger(LOGGER)
    kept, level, propagate = _Keep(), logger.level, logger.propagate
    logger.addHandler(kept)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield
    except (OsopsError, MissingRequiredOptions) as exc:
        if kept.lines and hasattr(exc, "missing"):  # settings missing because their file was skipped
            raise OsopsError(*_skipped(kept.lines)) from exc
        raise
    except Exception as exc:
        raise OsopsError(*_message(cloud, loader(), exc, kept.lines)) from exc
    finally:
        logger.removeHandler(kept)
        logger.setLevel(level)
        logger.propagate = propagate


def _skipped(lines):
    """(problem, fix) for the files the loader skipped, as it logged them
    (the file, and the line and column of a YAML error)."""
    return "; ".join(dict.fromkeys(lines)), "fix that file's YAML"


def _message(cloud, loader, exc, skipped):
    """(problem, fix) for a failure of the loader; *skipped* are the lines
    it logged about files it could not read (each file once)."""
    from osops.settings import CLOUDS_YAML_EXAMPLE, cloud_names

    reason = " ".join(str(exc).split()) or type(exc).__name__
    source = getattr(loader, "config_filename", None)
    source = printable(source) if source else None
    if skipped:
        return f"{reason} {_skipped(skipped)[0]}", "fix that file's YAML"
    clouds = (getattr(loader, "cloud_config", None) or {}).get("clouds")
    if source and clouds is not None and not isinstance(clouds, dict):  # clouds: hello
        return (f"{source} is not a clouds.yaml: its clouds: is a {type(clouds).__name__}, not a mapping of "
                "cloud names to their settings", f"see {CLOUDS_YAML_EXAMPLE}")
    if "was not found" in reason and loader is not None:
        names = [printable(n) for n in cloud_names(loader)]
        where = f" in {source}" if source else " (no clouds.yaml found)"
        fix = ("choose one of them with --os-cloud NAME" if names else
               f"write a clouds.yaml (see {CLOUDS_YAML_EXAMPLE}) or source an openrc")
        return f"{reason} Clouds{where}: {', '.join(names) or 'none'}", fix
    if isinstance(exc, (AttributeError, TypeError)) and source:  # clouds: hello, clouds: [a, b] ...
        return (f"{source} does not have the shape of a clouds.yaml ({reason})",
                f"it maps clouds: to cloud names, each with its settings (see {CLOUDS_YAML_EXAMPLE})")
    what = " ".join(filter(None, [f"cloud {cloud!r}" if cloud else "", f"from {source}" if source else ""]))
    return f"{reason}{f' ({what})' if what else ''}", f"compare it with {CLOUDS_YAML_EXAMPLE}"
