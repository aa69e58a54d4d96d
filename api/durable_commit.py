"""PostgreSQL: a decision's commit releases the chain head's lock before its WAL flush, and is durable before the
answer all the same.

Every append to the decision log holds the head's row lock until its transaction ends. With a synchronous commit
that end includes the WAL flush (an fsync): appends are serialised on one fsync after another, and none can share
a flush with another (bench/chain_lock.py measures it). Here the appending transaction commits with
``synchronous_commit = off``: its commit record is written to the WAL buffers and the lock is released at once.
Right after, still inside ``session.commit()``, a second transaction commits synchronously; flushing the WAL up
to its commit flushes everything before it, ours included. So the commit returns, and the client hears 201, only
once the decision is on disk, as before. That transaction must write WAL and hold a transaction id, or PostgreSQL
commits it without a flush (``RecordTransactionCommit``): ``txid_current()`` alone is not enough, a transactional
logical-decoding message is (one small WAL record, no table, no lock, allowed to any role).

What changes: for the time of that flush another transaction can already see the decision (and chain the next one
onto it). A crash then loses both or neither, since WAL is flushed in order: nothing durable ever follows a
decision that is not. A decision that a crash loses this way was never acknowledged.
"""

from __future__ import annotations

from sqlalchemy import event, text
from sqlalchemy.orm import Session

ENABLED = "flush_after_unlock"  # session.info key: the app commits decisions this way (PostgreSQL only)
_PENDING = "flush_after_unlock_pending"  # session.info key: the open transaction appended and must flush
_ASYNC = text("SET LOCAL synchronous_commit TO OFF")
FLUSH = text("SELECT pg_logical_emit_message(true, 'bpjs-adjudication', 'flush')")


def before_lock(session: Session) -> None:
    """Called by an append before it locks the head: this transaction's commit will not wait for its flush."""
    if session.info.get(ENABLED) and not session.info.get(_PENDING):
        session.connection().execute(_ASYNC)
        session.info[_PENDING] = True


def flush(session: Session) -> None:
    """Commit a transaction that writes WAL and waits for its flush, and so for every commit before it."""
    with session.get_bind().engine.connect() as connection:
        connection.execute(FLUSH)
        connection.commit()


class FlushingSession(Session):
    """The app's sessions: ``commit()`` returns once a decision committed without its flush is flushed.

    The flush runs after the commit has finished, so that its failure (the server went away) is an ordinary
    database error for the caller: a 503, and the decision was not acknowledged.
    """

    def commit(self) -> None:
        pending = self.info.pop(_PENDING, False)
        super().commit()
        if pending:
            flush(self)


@event.listens_for(Session, "after_commit")
def _flush_otherwise(session: Session) -> None:
    # a commit that did not go through FlushingSession.commit (a ``with session.begin():`` block): flush all the same
    if session.info.pop(_PENDING, False):
        flush(session)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
