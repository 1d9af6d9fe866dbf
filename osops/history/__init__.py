"""The run history: every ``smoke`` and ``scenario run``, kept in SQLite.

::

    from osops import history
    with history.open_history() as store:           # ~/.local/share/osops/history.sqlite
        Engine(conn, scenario, history=store).run()  # the run is stored as it ends
        for run in store.runs(since=86400, failed=True):
            print(run.started_iso, run.cloud, run.verdict, run.failures)

Files: ``store`` (the SQLite file, its schema and migrations), ``models``
(what a stored run is), ``record`` (a run's report as a record),
``durations`` (``24h``, ``30d``), ``report`` (the HTML report; needs
the ``osops[report]`` extra).  Only the standard library is imported here.
"""

from __future__ import annotations

import os
import pathlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from osops.history.store import Store

ENV = "OSOPS_HISTORY"
FILENAME = "history.sqlite"


def default_path() -> pathlib.Path:
    """``$XDG_DATA_HOME/osops/history.sqlite`` (``~/.local/share/osops/...``)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return pathlib.Path(base) / "osops" / FILENAME


def chosen_path(path: str | os.PathLike[str] | None = None, disabled: bool = False) -> pathlib.Path | None:
    """The history file to use: *path* (``--history``), else ``OSOPS_HISTORY``,
    else :func:`default_path`; None when *disabled* (``--no-history``)."""
    return None if disabled else _pick(path)


def _pick(path: str | os.PathLike[str] | None) -> pathlib.Path:
    return pathlib.Path(path or os.environ.get(ENV) or default_path())


def open_history(path: str | os.PathLike[str] | None = None) -> Store:
    """The :class:`~osops.history.store.Store` at *path* (default: as
    :func:`chosen_path`), its directory made (0700) for the default one."""
    from osops.history.store import HistoryError, Store

    target = _pick(path)
    if path is None and not os.environ.get(ENV):
        try:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(f"cannot make the history's directory {target.parent}: {exc.strerror or exc}",
                               "use --history FILE or --no-history") from None
    return Store(target)
