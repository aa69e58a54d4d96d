"""The SQLite writers' queue (api.db.WriteQueue): writers take turns on a file lock instead of SQLite's busy polling."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest
from flask import Flask
from sqlalchemy import select, update

from api.db import begin_write
from api.models import ChainHead
from tests.conftest import PG_URL

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="the queue exists for SQLite files only")


def _new_session(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["db_sessionmaker"]()


def _writer(app: Flask) -> tuple[threading.Thread, threading.Event]:
    """Another thread's session joining the queue; the event is set when it gets its turn (it leaves at once)."""
    entered = threading.Event()

    def writer() -> None:
        with _new_session(app) as session:
            begin_write(session)
            entered.set()
            session.rollback()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    return thread, entered


def _enters_within(app: Flask, seconds: float) -> bool:
    """Whether another thread's session gets its turn within ``seconds`` (it leaves again at once)."""
    thread, entered = _writer(app)
    got_in = entered.wait(seconds)
    thread.join(5)
    return got_in


@sqlite_only
@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_the_place_is_kept_until_the_transaction_ends(app: Flask, end: str):
    with _new_session(app) as session:
        begin_write(session)
        begin_write(session)  # joining twice in one transaction keeps the one place
        session.connection().execute(update(ChainHead).values(seq=ChainHead.seq))
        waiting, entered = _writer(app)
        assert not entered.wait(0.3)
        getattr(session, end)()
        # the writer that waited gets its turn once the transaction ends, and so does a new one
        assert entered.wait(5)
        waiting.join(5)
        assert _enters_within(app, 5)


@sqlite_only
def test_joining_after_the_first_write_is_refused(app: Flask):
    """A transaction that already holds SQLite's write lock must not then wait in the queue (deadlock)."""
    with _new_session(app) as session:
        session.connection().execute(update(ChainHead).values(seq=ChainHead.seq))
        with pytest.raises(RuntimeError, match="before the transaction's first write"):
            begin_write(session)
        session.rollback()
    assert _enters_within(app, 5)


def _child_writer(app: Flask, started: float, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    app.extensions["db_engine"].dispose(close=False)  # the parent's SQLite connections are not the child's
    with _new_session(app) as session:
        queue.put(("waiting", time.monotonic() - started))
        begin_write(session)
        queue.put(("entered", time.monotonic() - started))
        session.rollback()


@sqlite_only
def test_a_forked_worker_waits_for_the_holder(app: Flask):
    """gunicorn may fork workers from a process that built the app: the child must take its own turn.

    The parent holds its place (file lock and thread lock) when it forks; the child, using the inherited app,
    must wait for the parent's commit rather than share the parent's lock or wait forever on its thread lock.
    """
    with _new_session(app) as session:
        session.scalar(select(ChainHead.seq))
        begin_write(session)
        started = time.monotonic()
        context = multiprocessing.get_context("fork")
        events: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
        child = context.Process(target=_child_writer, args=(app, started, events))
        child.start()
        assert events.get(timeout=30)[0] == "waiting"
        time.sleep(0.5)
        released = time.monotonic() - started
        session.commit()
        kind, entered = events.get(timeout=30)
        child.join(30)
    assert kind == "entered" and entered >= released
    assert child.exitcode == 0


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only")
def test_postgres_has_no_queue(app: Flask):
    with _new_session(app) as session:
        begin_write(session)
        assert "write_queue_held" not in session.info
