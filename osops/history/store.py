"""The run history: one SQLite file, safe for several writers at once.

The schema carries its version in ``PRAGMA user_version``; opening an
older file migrates it (one transaction per step, under ``BEGIN
IMMEDIATE`` so two processes never migrate at once), a newer one is
refused.  WAL journaling and a busy timeout let canaries and people
write the same file concurrently.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from osops.errors import OsopsError
from osops.history.models import FAIL, STOPPED, RunRecord, StepRecord

if TYPE_CHECKING:
    from openstack.connection import Connection

    from osops.scenario.results import Report

BUSY_TIMEOUT = 30.0  # seconds a writer waits for another one

# Each entry moves the schema from version N to N+1 (its index + 1).
MIGRATIONS = (
    """
    CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL,
                       scenario TEXT NOT NULL, cloud TEXT NOT NULL, started REAL NOT NULL,
                       duration REAL NOT NULL, verdict TEXT NOT NULL);
    CREATE TABLE steps (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL, name TEXT NOT NULL, action TEXT NOT NULL,
                        status TEXT NOT NULL, duration REAL NOT NULL, reason TEXT NOT NULL,
                        PRIMARY KEY (run, position));
    """,
    """
    ALTER TABLE runs ADD COLUMN region TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN interrupted TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN osops_version TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN cloud_version TEXT NOT NULL DEFAULT '';
    CREATE INDEX runs_by_start ON runs (started);
    CREATE INDEX runs_by_cloud ON runs (cloud, started);
    """,
)
VERSION = len(MIGRATIONS)
RUN_COLUMNS = ("id", "run_id", "scenario", "cloud", "region", "started", "duration", "verdict",
               "interrupted", "osops_version", "cloud_version")


class HistoryError(OsopsError):
    """The history file cannot be used (exit 1): its one-line reason."""


def _problem(path, exc):
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return HistoryError(f"history {path} is not an osops history (corrupt or another file)",
                            "move it away, or use --history OTHER-FILE or --no-history")
    return HistoryError(f"cannot use the history {path}: {text}",
                        "check the file and its directory can be written, or use --history OTHER-FILE "
                        "or --no-history")


class Store:
    """The history in the SQLite file *path* (created, or migrated, on open).

    A writer waits up to *busy_timeout* seconds for another one;
    *migrations* are the schema's steps (tests pass their own)."""

    def __init__(self, path: str | os.PathLike[str], busy_timeout: float = BUSY_TIMEOUT,
                 migrations: Sequence[str] = MIGRATIONS) -> None:
        self.path = str(path)
        self._migrations = migrations
        try:
            if os.path.isdir(self.path):
                raise HistoryError(f"history {self.path} is a directory", "name a file with --history")
            self.db = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise _problem(self.path, exc) from None
        try:
            self.db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.Error as exc:
            self.db.close()
            raise _problem(self.path, exc) from None
        except HistoryError:
            self.db.close()
            raise

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self.close()
        return False

    def close(self) -> None:
        """Close the file."""
        self.db.close()

    @property
    def version(self) -> int:
        """The schema version of the file."""
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self):
        latest = len(self._migrations)
        if self.version > latest:
            raise HistoryError(f"history {self.path} was written by a newer osops (schema {self.version}, "
                               f"this osops knows up to {latest})",
                               "upgrade osops, or use --history OTHER-FILE")
        while self.version < latest:
            with self._transaction():
                current = self.version  # another process may have migrated meanwhile
                if current >= latest:
                    break
                for statement in _statements(self._migrations[current]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {current + 1}")

    def _transaction(self):
        return _Transaction(self.db)

    # -- writing -------------------------------------------------------------

    def add(self, run: RunRecord) -> int:
        """Store *run* and its steps; its new id."""
        try:
            with self._transaction():
                cur = self.db.execute(
                    f"INSERT INTO runs ({', '.join(RUN_COLUMNS[1:])}) VALUES ({', '.join('?' * 10)})",
                    (run.run_id, run.scenario, run.cloud, run.region, run.started, run.duration,
                     run.verdict, run.interrupted, run.osops_version, run.cloud_version))
                run_id = cur.lastrowid
                assert run_id is not None  # an INSERT sets it
                self.db.executemany(
                    "INSERT INTO steps (run, position, name, action, status, duration, reason) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(run_id, n, s.name, s.action, s.status, s.duration, s.reason)
                     for n, s in enumerate(run.steps)])
        except sqlite3.Error as exc:
            raise _problem(self.path, exc) from None
        return run_id

    def add_report(self, report: Report, conn: Connection | None = None, cloud: str | None = None) -> int:
        """Store a finished run's report, run on *conn* (named *cloud*; see
        :func:`osops.history.record.from_report`); its id."""
        from osops.history.record import from_report

        return self.add(from_report(report, conn, cloud))

    def prune(self, older_than: float, now: float | None = None) -> int:
        """Delete the runs that started more than *older_than* seconds
        before *now* (default: the time now); how many."""
        cutoff = (time.time() if now is None else now) - older_than
        try:
            with self._transaction():
                return self.db.execute("DELETE FROM runs WHERE started < ?", (cutoff,)).rowcount
        except sqlite3.Error as exc:
            raise _problem(self.path, exc) from None

    # -- reading -------------------------------------------------------------

    def runs(self, cloud: str | None = None, since: float | None = None, failed: bool = False,
             now: float | None = None, steps: bool = False) -> list[RunRecord]:
        """Stored runs, oldest first: of *cloud*, started in the last
        *since* seconds (before *now*, default the time now), only those
        that did not pass (*failed*); with their *steps* when asked."""
        where: list[str] = []
        args: list[object] = []
        if cloud:
            where.append("cloud = ?")
            args.append(cloud)
        if since is not None:
            where.append("started >= ?")
            args.append((time.time() if now is None else now) - since)
        if failed:
            where.append("verdict IN (?, ?)")
            args += [FAIL, STOPPED]
        sql = f"SELECT {', '.join(RUN_COLUMNS)} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        try:
            rows = self.db.execute(sql + " ORDER BY started, id", args).fetchall()
            return [self._record(row, steps) for row in rows]
        except sqlite3.Error as exc:
            raise _problem(self.path, exc) from None

    def get(self, ref: str) -> RunRecord:
        """The run *ref* names: its history id, or its run id (the newest of that id)."""
        try:
            row = None
            if ref.isascii() and ref.isdigit():
                row = self.db.execute(f"SELECT {', '.join(RUN_COLUMNS)} FROM runs WHERE id = ?",
                                      (int(ref),)).fetchone()
            if row is None:
                row = self.db.execute(f"SELECT {', '.join(RUN_COLUMNS)} FROM runs WHERE run_id = ? "
                                      "ORDER BY started DESC, id DESC LIMIT 1", (ref,)).fetchone()
            if row is None:
                raise HistoryError(f"no run {ref!r} in the history {self.path}",
                                   "osops history list shows the runs there")
            return self._record(row, True)
        except sqlite3.Error as exc:
            raise _problem(self.path, exc) from None

    def _record(self, row, steps):
        values = dict(zip(RUN_COLUMNS, row, strict=True))
        if steps:
            values["steps"] = tuple(StepRecord(*r) for r in self.db.execute(
                "SELECT name, action, status, duration, reason FROM steps WHERE run = ? ORDER BY position",
                (values["id"],)))
        return RunRecord(**values)


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on an exception)."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, exc, tb):
        self.db.execute("ROLLBACK" if kind else "COMMIT")
        return False


def _statements(script):
    return [s.strip() for s in script.split(";") if s.strip()]
