"""The service as deployed, timing how each decision-log append waits for and holds the chain head's row lock.

Served by ``bench/chain_lock.py`` (``gunicorn ... bench.lock_timing:app``). Nothing in the request path changes:
a wrapper of ``api.decision_log._advance_head`` stamps the time around the statement that takes the lock
(``UPDATE decision_chain_head SET seq = seq + n ... RETURNING``: on PostgreSQL it waits there for the holder's
commit; it runs on the DBAPI cursor, so no SQLAlchemy statement event sees it), and SQLAlchemy events stamp the
commit that releases it. Per append, a worker records

* ``wait``: how long that UPDATE took, i.e. the wait for the lock plus the statement itself (~0.1 ms unloaded);
* ``hold``: from the lock taken to the commit returned (the log's writes, the claim's insert, the commit's WAL
  flush): while it runs, every other append in the service waits;
* ``commit``: the commit alone (its WAL flush and fsync, with synchronous_commit on).

Each worker writes them to ``LOCK_TIMING_DIR/<pid>.tsv`` in batches and at exit.
"""

from __future__ import annotations

import atexit
import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from api import create_app, decision_log

app = create_app()
_OUT = Path(os.environ["LOCK_TIMING_DIR"])
_rows: list[str] = []
_stamp: dict[str, float] = {}


def _flush() -> None:
    if _rows:
        with (_OUT / f"{os.getpid()}.tsv").open("a") as out:
            out.writelines(_rows)
        _rows.clear()


atexit.register(_flush)


_advance = decision_log._advance_head


def _timed_advance(session: Session, count: int) -> tuple[int, str]:
    _stamp["asked"] = time.perf_counter()
    taken = _advance(session, count)
    _stamp["taken"] = time.perf_counter()
    return taken


decision_log._advance_head = _timed_advance


@event.listens_for(app.extensions["db_engine"], "commit")
def _committing(_conn: Any) -> None:
    if "taken" in _stamp:
        _stamp["committing"] = time.perf_counter()


# first of the after_commit listeners: the lock is free when the commit returns, before anything that follows it
@event.listens_for(Session, "after_commit", insert=True)
def _committed(_session: Session) -> None:
    if "committing" in _stamp:
        now = time.perf_counter()
        wait, hold = _stamp["taken"] - _stamp["asked"], now - _stamp["taken"]
        _rows.append(f"{time.time():.4f}\t{wait * 1000:.3f}\t{hold * 1000:.3f}\t"
                     f"{(now - _stamp['committing']) * 1000:.3f}\n")
        if len(_rows) >= 200:
            _flush()
    _stamp.clear()


@event.listens_for(Session, "after_rollback")
def _rolled_back(_session: Session) -> None:
    _stamp.clear()
