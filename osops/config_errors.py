"""Make openstacksdk's config loader failures name the file and the fix.

openstacksdk skips a clouds.yaml it cannot parse with only a log line (as
often as it reads the file) and then reports "Cloud X was not found"; this
module keeps that line, once, and puts it in the one-line error instead.
"""

import contextlib
import logging

from osops.errors import OsopsError, printable

LOGGER = "openstack.config"


class _Keep(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = []

    def emit(self, record):
        self.lines.append(" ".join(record.getMessage().split()))


@contextlib.contextmanager
def explained(cloud, loader):
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
    except (OsopsError, MissingRequiredOptions):
        raise
    except Exception as exc:
        raise OsopsError(*_message(cloud, loader(), exc, kept.lines)) from exc
    finally:
        logger.removeHandler(kept)
        logger.setLevel(level)
        logger.propagate = propagate


def _message(cloud, loader, exc, skipped):
    """(problem, fix) for a failure of the loader; *skipped* are the lines
    it logged about files it could not read (each file once)."""
    from osops.settings import CLOUDS_YAML_EXAMPLE, cloud_names

    reason = " ".join(str(exc).split()) or type(exc).__name__
    source = getattr(loader, "config_filename", None)
    source = printable(source) if source else None
    if skipped:
        return f"{reason} {'; '.join(dict.fromkeys(skipped))}", "fix that file's YAML"
    if "was not found" in reason and loader is not None:
        names = [printable(n) for n in cloud_names(loader)]
        where = f" in {source}" if source else " (no clouds.yaml found)"
        fix = ("choose one of them with --os-cloud NAME" if names else
               f"write a clouds.yaml (see {CLOUDS_YAML_EXAMPLE}) or source an openrc")
        return f"{reason} Clouds{where}: {', '.join(names) or 'none'}", fix
    what = " ".join(filter(None, [f"cloud {cloud!r}" if cloud else "", f"from {source}" if source else ""]))
    return f"{reason}{f' ({what})' if what else ''}", f"compare it with {CLOUDS_YAML_EXAMPLE}"
