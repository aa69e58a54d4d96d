"""A database that cannot serve answers 503 in the envelope with Retry-After, quickly, and stores nothing; any other
database error stays a 500. (The server stopped under load, a killed worker and a real full disk: tests/ops.)"""

from __future__ import annotations

import socket
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError

from api import create_app, db, unavailable
from api.auth import create_token
from api.db import session_scope
from api.migrate import upgrade
from api.models import Claim, DecisionRecord
from tests.conftest import PG_URL

from . import samples
from .test_claims import jkk_claim, post


def stored(app: Flask) -> tuple[int, int]:
    """(claims, decisions) in the database."""
    with app.extensions["db_sessionmaker"]() as session:
        return (session.scalar(select(func.count()).select_from(Claim)) or 0,
                session.scalar(select(func.count()).select_from(DecisionRecord)) or 0)


def assert_503(answer: Any, words: str) -> None:
    assert answer.status_code == 503, answer.get_json()
    body = answer.get_json()
    assert body["code"] == 503 and body["status"] == "Service Unavailable"
    assert words in body["message"] and "Traceback" not in answer.get_data(as_text=True)
    assert answer.headers["Retry-After"] == str(unavailable.RETRY_AFTER_SECONDS)


def _wrapped(error: Exception) -> OperationalError:
    return OperationalError("SELECT 1", {}, error)


def test_errors_that_mean_the_database_cannot_serve_and_one_that_is_a_bug():
    connection = sqlite3.connect(":memory:")
    with pytest.raises(sqlite3.OperationalError) as missing_table:
        connection.execute("SELECT * FROM nothing_here")
    assert unavailable.cause(_wrapped(missing_table.value)) is None  # SQLITE_ERROR: a bug, stays a 500
    connection.execute("PRAGMA max_page_count=2")
    with pytest.raises(sqlite3.OperationalError) as full:
        connection.execute("CREATE TABLE t (x)")
        connection.executemany("INSERT INTO t VALUES (?)", [("x" * 4000,)] * 20)
    assert full.value.sqlite_errorname == "SQLITE_FULL"
    assert unavailable.cause(_wrapped(full.value)) == unavailable.FULL
    assert unavailable.cause(ValueError("not a database error")) is None


def test_a_full_sqlite_database_answers_503_stores_nothing_and_recovers(tmp_path: Any):
    """SQLite's own page limit makes it as full as a full disk does (SQLITE_FULL); tests/ops fills a real disk.

    On its own SQLite file in both passes of the suite, so that the PostgreSQL pass runs it too."""
    url = f"sqlite:///{tmp_path / 'full.sqlite3'}"
    upgrade(create_engine(url))
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    client = app.test_client()
    with session_scope(app) as session:
        token = create_token(session, "admin", "full-admin"), create_token(session, "officer", "full-officer")
    headers = {"admin": {"Authorization": f"Bearer {token[0]}"}, "officer": {"Authorization": f"Bearer {token[1]}"}}
    auth = headers.__getitem__
    samples.store_paid_up_worker(client, auth)
    engine = app.extensions["db_engine"]
    pages = {"limit": 0}

    def limit(dbapi_connection: Any, _record: Any) -> None:
        if pages["limit"]:
            dbapi_connection.execute(f"PRAGMA max_page_count={pages['limit']}")

    event.listen(engine, "connect", limit)
    with engine.connect() as connection:
        pages["limit"] = connection.execute(text("PRAGMA page_count")).scalar()  # no page more than today
    engine.dispose()
    before = stored(app)
    answer = post(client, auth, jkk_claim(), key="full-disk-1")
    assert_503(answer, "storage is full")
    assert stored(app) == before

    pages["limit"] = 0  # space is back: the same request is decided once
    engine.dispose()
    answer = post(client, auth, jkk_claim(), key="full-disk-1")
    assert answer.status_code == 201
    assert stored(app) == (before[0] + 1, before[1] + 1)
    engine.dispose()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts TCP connections and never says a word, like a server that hangs."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


@pytest.mark.parametrize("where", ["refused", "silent"])
def test_an_unreachable_postgresql_answers_503_within_the_connect_timeout(where: str, silent_server: int,
                                                                          tmp_path: Any):
    if where == "refused":
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]  # closed again: nothing listens there
    else:
        port = silent_server
    app = create_app({"DATABASE_URL": f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres", "TESTING": True,
                      "DATABASE_CONNECT_TIMEOUT": 2})
    started = time.monotonic()
    # a well-formed token, so that authentication has to ask the database
    answer = app.test_client().get("/v1/audit/verify", headers={"Authorization": f"Bearer bpjs_auditor_{'x' * 43}"})
    elapsed = time.monotonic() - started
    assert_503(answer, "database is unavailable")
    assert elapsed < (1 if where == "refused" else 3.5), elapsed
    app.extensions["db_engine"].dispose()


def test_a_writer_kept_waiting_past_the_bound_gets_503_then_the_claim_goes_through(database_url: str, auth: Any,
                                                                                 tokens: dict[str, str]):
    """Another transaction holds the decision log's head: the claim waits at most the configured bound."""
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "DATABASE_STATEMENT_TIMEOUT": 1,
                      "DATABASE_BUSY_TIMEOUT": 1})
    client = app.test_client()
    samples.store_paid_up_worker(client, auth)
    # the same claim decided once without storing it (its first request's cold start is not the wait timed below)
    trial = client.post("/v1/claims/evaluate", json=jkk_claim(), headers=auth("officer"))
    assert trial.status_code == 200, trial.get_json()
    holder = app.extensions["db_engine"].connect()
    holding = holder.begin()
    # PostgreSQL: the head's row lock; SQLite: the database's write lock (outside the writers' queue)
    holder.execute(text("UPDATE decision_chain_head SET seq = seq"))
    if not holder.execute(text("SELECT count(*) FROM decision_chain_head")).scalar():
        holder.execute(text("INSERT INTO decision_chain_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64})
    try:
        started = time.monotonic()
        answer = post(client, auth, jkk_claim(), key="held-key-1")
        elapsed = time.monotonic() - started
        assert_503(answer, "database is unavailable")
        assert 0.9 < elapsed < 3, elapsed
    finally:
        holding.rollback()
        holder.close()
    assert stored(app) == (0, 0)
    answer = post(client, auth, jkk_claim(), key="held-key-1")
    assert answer.status_code == 201
    assert stored(app) == (1, 1)
    app.extensions["db_engine"].dispose()


def _drop_other_connections(app: Flask) -> int:
    """Terminate every other session of the database, as a restart of the server would; how many there were."""
    with create_engine(app.config["DATABASE_URL"]).connect() as killer:
        return len(killer.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                                       "current_database() AND pid <> pg_backend_pid() AND backend_type = "
                                       "'client backend'")).all())


@pytest.mark.skipif(not PG_URL, reason="the pool pings PostgreSQL connections")
def test_a_connection_dropped_while_idle_is_replaced_at_checkout_and_a_fresh_one_is_not_pinged(
        monkeypatch: pytest.MonkeyPatch, app: Flask, client: Any, auth: Any) -> None:
    pings: list[int] = []
    dialect = app.extensions["db_engine"].dialect
    real = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda connection: pings.append(1) or real(connection))
    assert client.get("/v1/rulesets", headers=auth("auditor")).status_code == 200
    assert client.get("/v1/rulesets", headers=auth("auditor")).status_code == 200
    assert pings == []  # used a moment ago: no round trip before it is handed out
    assert _drop_other_connections(app) >= 1
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)  # as if it had sat idle through a restart
    assert client.get("/v1/rulesets", headers=auth("auditor")).status_code == 200
    assert pings  # pinged, found dead, replaced: the request never saw it


@pytest.mark.skipif(not PG_URL, reason="the pool pings PostgreSQL connections")
def test_a_connection_dropped_moments_after_its_use_costs_one_503_then_the_pool_is_renewed(
        app: Flask, client: Any, auth: Any) -> None:
    assert client.get("/v1/rulesets", headers=auth("auditor")).status_code == 200
    assert _drop_other_connections(app) >= 1
    assert_503(client.get("/v1/rulesets", headers=auth("auditor")), "database is unavailable")
    assert client.get("/v1/rulesets", headers=auth("auditor")).status_code == 200
