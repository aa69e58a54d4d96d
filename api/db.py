"""Database lifecycle: one engine per app, one session per request, committed at the edge.

An endpoint may commit earlier (the claims endpoint commits its writes before serialising the answer); the
commit after the request then has nothing left to do.
"""

from __future__ import annotations

import fcntl
import math
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from . import durable_commit, unavailable

_QUEUE = "write_queue"  # session.info key: the queue of the session's database (SQLite files only)
_HELD = "write_queue_held"  # session.info key: set while the session's transaction holds its place


class WriteQueue:
    """Writers of one SQLite file take turns on a blocking file lock before their transaction's first write.

    SQLite admits one writer at a time and makes the others poll: its busy handler sleeps 1, 2, 5, 10 ... ms
    between tries. Two gunicorn workers deciding claims collided on the decision log so often that a claim took
    ~4.9 ms of worker time against ~3.2 ms with a single worker. A writer blocked on ``flock`` wakes as soon as
    the holder's transaction ends. SQLite's own locking still protects the data: the queue only orders writers
    that join it, and a writer that does not (an admin PUT) falls back to the busy handler as before.
    """

    def __init__(self, database_path: str):
        self.path = f"{database_path}.writers"
        self._threads = threading.Lock()  # flock is per process: threads of one process queue here first
        self._fd = -1
        _QUEUES.add(self)

    def _descriptor(self) -> int:
        if self._fd < 0:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._fd

    def _after_fork(self) -> None:
        # the parent's open file would share one flock with the child, and a thread lock the parent held at the
        # fork would never be released here: the child starts with its own
        if self._fd >= 0:
            os.close(self._fd)
        self._fd = -1
        self._threads = threading.Lock()

    def enter(self, session: Session) -> None:
        if session.info.get(_HELD):
            return
        # a transaction that has written holds SQLite's write lock; queueing now could wait on a writer that
        # waits on that lock, so the queue must come first
        dbapi = session.connection().connection.dbapi_connection
        if getattr(dbapi, "in_transaction", False):
            raise RuntimeError("join the write queue before the transaction's first write")
        self._threads.acquire()
        try:
            fcntl.flock(self._descriptor(), fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        session.info[_HELD] = True

    def leave(self, session: Session) -> None:
        if session.info.pop(_HELD, False):
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            self._threads.release()


_QUEUES: weakref.WeakSet[WriteQueue] = weakref.WeakSet()


def _queues_after_fork() -> None:
    for queue in list(_QUEUES):
        queue._after_fork()


os.register_at_fork(after_in_child=_queues_after_fork)


def begin_write(session: Session) -> None:
    """Call before a hot transaction's first write: on a SQLite file, wait for this writer's turn (see WriteQueue).

    The place is kept until the transaction commits or rolls back. On PostgreSQL this does nothing: its row locks
    wake a waiting writer at once.
    """
    queue: WriteQueue | None = session.info.get(_QUEUE)
    if queue is not None:
        queue.enter(session)


@event.listens_for(Session, "after_transaction_end")
def _leave_write_queue(session: Session, transaction: SessionTransaction) -> None:
    queue: WriteQueue | None = session.info.get(_QUEUE)
    if queue is not None and transaction.parent is None:
        queue.leave(session)


def make_engine(url: str, connect_timeout: float = 2, statement_timeout: float = 20, busy_timeout: float = 10
                ) -> Engine:
    """Create the SQLAlchemy engine; SQLite gets foreign keys, WAL and a busy timeout.

    Every wait on the database is bounded, so that a database that cannot serve costs a request seconds, not a
    worker (gunicorn kills a worker after 30 s): PostgreSQL connects within ``connect_timeout`` and cancels a
    statement (lock waits included) after ``statement_timeout`` seconds (0: never); SQLite waits at most
    ``busy_timeout`` seconds for another writer. The errors then become 503s (``api.unavailable``).
    """
    # statement parameters hold NIKs, names and wages: keep them out of SQL logs and error messages
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": busy_timeout}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # several gunicorn workers write the same file: WAL lets readers and one writer overlap
            wal = str(cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0]).lower() == "wal"
            record.info[durable_commit.IN_WAL_MODE] = wal
            # in WAL mode a commit does not sync: the app's sessions sync the WAL after the write lock is free and
            # before the answer (api.durable_commit); a file SQLite refuses WAL for syncs at every commit
            cursor.execute("PRAGMA synchronous=NORMAL" if wal else "PRAGMA synchronous=FULL")
            cursor.close()

        return engine
    connect_args: dict[str, Any] = {}
    if url.startswith("postgresql"):
        # libpq counts whole seconds and takes less than 2 as 2
        connect_args["connect_timeout"] = max(2, round(connect_timeout))
        connect_args["options"] = f"-c statement_timeout={round(statement_timeout * 1000)}"
    engine = create_engine(url, pool_size=5, max_overflow=5, pool_timeout=connect_timeout, hide_parameters=True,
                           connect_args=connect_args)
    _ping_when_idle(engine)
    return engine


PING_AFTER_IDLE = 1.0  # seconds a pooled connection may sit unused before its checkout pings the server
_LAST_USED = "last_used"  # connection info key: time.monotonic() of its last checkin (or its connect)


def _ping_when_idle(engine: Engine) -> None:
    """A connection the server dropped (restart, failover, an idle timeout) is replaced at checkout, not failed on.

    SQLAlchemy's ``pool_pre_ping`` pings at every checkout: a round trip, twice per claim on PostgreSQL (the request
    and its flush), ~4.6 ms of a claim's ~55 ms under cProfile on the loaded machine. A connection checked in less
    than ``PING_AFTER_IDLE`` ago is handed out without one. If the server went away in that second, the first
    statement on it fails as a disconnect: SQLAlchemy invalidates the pool (every connection older than the failure
    reconnects at its next checkout) and that request answers 503, which a client retries (a claim with its
    Idempotency-Key). A restart takes longer than that second, so a connection idle through one is pinged.
    """

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_connection, record):  # type: ignore[no-untyped-def]
        record.info[_LAST_USED] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):  # type: ignore[no-untyped-def]
        if record is not None:
            record.info[_LAST_USED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy):  # type: ignore[no-untyped-def]
        if time.monotonic() - record.info.get(_LAST_USED, -math.inf) < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise DisconnectionError("the server dropped the connection") from error  # the pool reconnects
            raise


def init_app(app: Flask, session_info: dict[str, Any] | None = None) -> None:
    """Attach the engine and the per-request session lifecycle to the app; every session gets ``session_info``."""
    config = app.config
    engine = make_engine(config["DATABASE_URL"], config.get("DATABASE_CONNECT_TIMEOUT", 2),
                         config.get("DATABASE_STATEMENT_TIMEOUT", 20), config.get("DATABASE_BUSY_TIMEOUT", 10))
    app.extensions["db_engine"] = engine
    info: dict[str, Any] = dict(session_info or {})
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        info[_QUEUE] = WriteQueue(os.path.abspath(engine.url.database))
        info[durable_commit.WAL_FILE] = f"{os.path.abspath(engine.url.database)}-wal"
    if engine.dialect.name == "postgresql" and config.get("DATABASE_FLUSH_AFTER_UNLOCK", True):
        info[durable_commit.ENABLED] = True
    app.extensions["db_sessionmaker"] = sessionmaker(engine, class_=durable_commit.FlushingSession,
                                                     expire_on_commit=False, info=info)
    unavailable.init_app(app)

    @app.after_request
    def _commit(response: Response) -> Response:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            try:
                if response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
            except (DBAPIError, PoolTimeout) as error:
                # an error here would bypass the error handlers and become a bare 500
                refused = unavailable.response(error)
                if refused is None:
                    raise
                refused.headers.update({k: v for k, v in response.headers.items() if k == "X-Request-Id"})
                return refused
            finally:
                session.close()
        return response

    @app.teardown_request
    def _rollback(_exc: BaseException | None) -> None:
        # reached with a session still open only when the request failed before after_request
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()


def get_session() -> Session:
    """The request's session, opened on first use.

    The claims hot path runs its prebuilt Core statements on ``session.connection()``: the same transaction, without
    the ORM's execute path (about 35 instead of 90 us a statement). Nothing is flushed first, so that is only for
    statements that do not depend on ORM objects pending in the session.
    """
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    return g.db_session


@contextmanager
def session_scope(app: Flask) -> Iterator[Session]:
    """A session outside a request (CLI commands): commit on success, roll back on error."""
    session: Session = app.extensions["db_sessionmaker"]()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
