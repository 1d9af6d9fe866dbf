"""A finished run's :class:`~osops.scenario.results.Report` as a history record."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

import osops
from osops.history.models import STOPPED, RunRecord, StepRecord

if TYPE_CHECKING:
    from openstack.connection import Connection

    from osops.scenario.results import Report

STOPPING_SIGNALS = ("SIGINT", "SIGTERM")


def from_report(report: Report, conn: Connection | None = None, cloud: str | None = None) -> RunRecord:
    """The :class:`RunRecord` of *report*, run on *conn* (named *cloud*,
    else as its config names it); nothing is sent to the cloud."""
    verdict = STOPPED if report.interrupted in STOPPING_SIGNALS else report.status
    steps = tuple(StepRecord(r.name, r.action, r.status, round(r.duration, 3), r.reason)
                  for r in report.counted)
    return RunRecord(scenario=report.name, run_id=report.run_id, cloud=cloud or cloud_name(conn),
                     region=region_name(conn), started=_epoch(report.started), duration=round(report.duration, 3),
                     verdict=verdict, interrupted=report.interrupted or "", osops_version=osops.__version__,
                     cloud_version=cloud_version(conn), steps=steps)


def cloud_name(conn: Connection | None) -> str:
    """The cloud's name in clouds.yaml ('envvars' for OS_* variables,
    'demo' for the demo cloud), or ''."""
    if getattr(conn, "osops_replayed", False):
        return "demo"
    return str(getattr(getattr(conn, "config", None), "name", "") or "")


def region_name(conn: Connection | None) -> str:
    """The connection's region, or ''."""
    return str(getattr(getattr(conn, "config", None), "region_name", "") or "")


def cloud_version(conn: Connection | None) -> str:
    """The compute API's newest microversion as discovery found it
    (``compute 2.96``), from what the session already knows; '' when
    compute was not asked."""
    cache = getattr(getattr(conn, "session", None), "_discovery_cache", None)  # keystoneauth's, filled as used
    if cache is None:
        return ""
    for doc in list(cache.values()):
        for v in _versions(doc):
            kinds = " ".join(str(m.get("type", "")) for m in v.get("media-types", []) if isinstance(m, dict))
            if v.get("version") and str(v.get("status", "")).upper() == "CURRENT" and ".compute+" in kinds:
                return f"compute {v['version']}"
    return ""


def _versions(doc):
    found = getattr(doc, "_data", doc)  # keystoneauth's Discover keeps the list of versions
    if isinstance(found, dict):
        found = found.get("versions", found.get("version", []))
        if isinstance(found, dict):
            found = found.get("values", [found])
    return [v for v in found if isinstance(v, dict)] if isinstance(found, list) else []


def _epoch(started):
    try:
        return datetime.datetime.fromisoformat(started).timestamp()
    except (TypeError, ValueError):
        return datetime.datetime.now(datetime.timezone.utc).timestamp()
