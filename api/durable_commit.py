"""A commit returns once what it wrote is on disk, and the lock every decision waits for is released before that
disk flush, on PostgreSQL and on SQLite alike.

PostgreSQL: a decision's commit releases the chain head's lock before its WAL flush, and is durable before the
answer all the same.

Every append to the decision log holds the head's row lock until its transaction ends. With a synchronous commit
that end includes the WAL flush (an fsync): appends are serialised on one fsync after another, and none can share a
flush with another (bench/chain_lock.py measures it). Here the appending transaction commits with
``synchronous_commit = off``: its commit record is written to the WAL buffers and the lock is released at once.
Right after, still inside ``session.commit()``, a second transaction commits synchronously (one statement in
autocommit); flushing the WAL up to its commit flushes everything before it, ours included. So the commit returns,
and the client hears 201, only once the decision is on disk, as before. That transaction must write WAL and hold a
transaction id, or PostgreSQL commits it without a flush (``RecordTransactionCommit``): ``txid_current()`` alone is
not enough, a transactional logical-decoding message is (one small WAL record, no table, no lock, allowed to any
role).

What changes: for the time of that flush another transaction can already see the decision (and chain the next one
onto it). A crash then loses both or neither, since WAL is flushed in order: nothing durable ever follows a
decision that is not. A decision that a crash loses this way was never acknowledged.

SQLite (WAL mode, ``synchronous=NORMAL``): a commit appends its pages to the ``-wal`` file and releases the write
lock without an fsync; SQLite syncs the WAL only before a checkpoint copies it into the database (and the database
after). Alone, that loses the last commits on a power cut or an OS crash, though not on a crash of the service. So
a session's ``commit()`` that wrote ends with an ``fdatasync`` of the ``-wal`` file, after the write lock (and the
writers' queue, ``api.db.WriteQueue``) is free and before the answer. The WAL is appended in order, so the sync
covers this commit and every one before it; a checkpoint that copied the commit into the database first synced the
database too, so a WAL restarted after it loses nothing. ``synchronous=FULL`` would sync inside the write lock:
every writer would wait for the one before it to reach the disk (~4 ms an fsync on the project's VM).
"""

from __future__ import annotations

import errno
import os

from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from . import hot_sql

ENABLED = "flush_after_unlock"  # session.info key: the app commits decisions this way (PostgreSQL only)
_PENDING = "flush_after_unlock_pending"  # session.info key: the open transaction appended and must flush
WAL_FILE = "sqlite_wal_file"  # session.info key: the -wal file of the session's SQLite database file
IN_WAL_MODE = "sqlite_wal"  # connection info key: SQLite granted WAL mode (api.db; otherwise synchronous=FULL)
UNFLUSHED = "SET LOCAL synchronous_commit TO OFF"
FLUSH_SQL = "SELECT pg_logical_emit_message(true, 'bpjs-adjudication', 'flush')"
FLUSH = text(FLUSH_SQL)


def commit_unflushed(session: Session) -> bool:
    """Called by an append before it locks the head: whether it must send ``UNFLUSHED`` first (with the statement
    that takes the lock, in one round trip), so that this transaction's commit does not wait for its flush."""
    if session.info.get(ENABLED) and not session.info.get(_PENDING):
        session.info[_PENDING] = True
        return True
    return False


def flush(session: Session) -> None:
    """Commit a transaction that writes WAL and waits for its flush, and so for every commit before it.

    The statement runs in autocommit, as a transaction of its own: one round trip, not BEGIN, it and COMMIT. The
    driver's autocommit is switched on the connection itself: through SQLAlchemy's isolation level, handing the
    connection back cost one more round trip (``SET default_transaction_isolation TO DEFAULT``).
    """
    with session.get_bind().engine.connect() as connection:
        hot_sql.run_autocommit(connection, FLUSH_SQL)


class WalSyncError(OperationalError):
    """The ``-wal`` file could not be synced after a commit: what was committed may not be on disk."""


def sync_wal(path: str) -> None:
    """fdatasync the SQLite ``-wal`` file at ``path``; an OSError becomes a ``WalSyncError`` (a 503)."""
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fdatasync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        raise WalSyncError(f"fdatasync {os.path.basename(path)}", None, error) from error


def wal_sync_failed_for_space(error: BaseException) -> bool:
    """Whether a ``WalSyncError`` says the disk is full."""
    return isinstance(error, WalSyncError) and getattr(error.orig, "errno", None) in (errno.ENOSPC, errno.EDQUOT)


class FlushingSession(Session):
    """The app's sessions: ``commit()`` returns once what the transaction wrote is on disk.

    PostgreSQL: a decision committed without its flush is flushed. SQLite: the WAL is synced when the transaction
    wrote. Both run after the commit has finished (its locks are free), so that their failure (the server went
    away, an I/O error) is an ordinary database error for the caller: a 503, and the decision was not acknowledged.
    """

    def commit(self) -> None:
        pending = self.info.pop(_PENDING, False)
        wal: str | None = self.info.get(WAL_FILE)
        wrote = wal is not None and self._sqlite_wrote()
        super().commit()
        if pending:
            flush(self)
        if wal is not None and wrote:
            sync_wal(wal)

    def _sqlite_wrote(self) -> bool:
        """Whether the open transaction has written in WAL mode: pysqlite opens a transaction at the first write."""
        if not self.in_transaction():
            return False
        self.flush()  # pending ORM objects are written now rather than inside commit()
        connection = self.connection().connection
        return bool(connection.info.get(IN_WAL_MODE)) and bool(
            getattr(connection.dbapi_connection, "in_transaction", False))


@event.listens_for(Session, "after_commit")
def _flush_otherwise(session: Session) -> None:
    # a commit that did not go through FlushingSession.commit (a ``with session.begin():`` block): flush all the same
    if session.info.pop(_PENDING, False):
        flush(session)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
