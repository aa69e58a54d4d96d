"""PostgreSQL: an appending transaction commits without waiting for its WAL flush (the chain head's lock is free at
once), and a synchronous commit right after flushes it before the answer. (A crash right after answers loses no
acknowledged decision: tests/ops/test_faults.py stops the server with -m immediate under load; with a flush
transaction that wrote no WAL, that test lost an acknowledged claim.)"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text

from api import create_app, durable_commit, hot_sql
from bench.load_plan import claim_body

from .conftest import Demo


@pytest.mark.parametrize("enabled", [True, False])
def test_the_decision_commits_unflushed_and_a_synchronous_commit_follows_before_the_answer(
        monkeypatch: pytest.MonkeyPatch, pg_demo: Demo, enabled: bool):
    app = create_app({"DATABASE_URL": pg_demo.url, "TESTING": True, "DATABASE_FLUSH_AFTER_UNLOCK": enabled})
    engine = app.extensions["db_engine"]
    sent: list[str] = []  # what went to the server, one entry per round trip

    def autocommit(connection: Any) -> str:
        return " (autocommit)" if connection.autocommit else ""

    @event.listens_for(engine, "before_cursor_execute")
    def statement(conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        sent.append(" ".join(sql.split()) + autocommit(conn.connection.dbapi_connection))

    real_execute = hot_sql._execute

    def execute(connection: Any, cursor: Any, sql: str, parameters: Any) -> None:  # the hot path's statements
        sent.append(" ".join(sql.split()) + autocommit(cursor.connection))
        real_execute(connection, cursor, sql, parameters)

    monkeypatch.setattr(hot_sql, "_execute", execute)

    @event.listens_for(engine, "commit")
    def commit(_conn: Any) -> None:
        sent.append("COMMIT")

    client = app.test_client()
    people = [p["kpj"] for p in json.loads((pg_demo.registry / "participants.json").read_text())]
    answer = client.post("/v1/claims", json=claim_body({"kpjs": people, "first_day": "2024-06-01"}, 1),
                         headers={"Authorization": f"Bearer {pg_demo.tokens['officer']}",
                                  "Idempotency-Key": f"durable-{enabled}"})
    assert answer.status_code == 201
    head = next(i for i, sql in enumerate(sent) if "UPDATE decision_chain_head SET seq=" in sql)
    commit_at = sent.index("COMMIT", head)
    if enabled:
        # the lock is taken in the same round trip that makes this transaction's commit skip its flush
        assert sent[head].startswith("SET LOCAL synchronous_commit TO OFF; UPDATE decision_chain_head"), sent[head]
        # the flush: one statement in autocommit, a transaction of its own that commits synchronously
        assert sent[commit_at + 1:] == ["SELECT pg_logical_emit_message(true, 'bpjs-adjudication', 'flush') "
                                        "(autocommit)"], sent[commit_at:]
    else:
        assert not any("synchronous_commit" in sql for sql in sent)
        assert not any("pg_logical_emit_message" in sql for sql in sent)
        assert sent[commit_at + 1:] == []
    engine.dispose()


def wal_writes(connection: Any) -> int:
    connection.execute(text("SELECT pg_stat_force_next_flush()"))
    connection.execute(text("SELECT 1"))  # the statistics of the transaction before are flushed at its end
    return int(connection.execute(text("SELECT wal_write FROM pg_stat_wal")).scalar() or 0)


def test_the_flush_transaction_writes_the_wal_at_its_commit_and_a_bare_transaction_id_would_not(pg_demo: Demo):
    """What the durability of a 201 rests on: a synchronous commit flushes the WAL only when its transaction wrote
    WAL and holds an id. The flush statement does both, run as the service runs it (one statement in autocommit);
    ``txid_current()`` alone would commit without a write."""
    engine = create_engine(pg_demo.url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            counts = {}
            for name, statement in (("flush", durable_commit.FLUSH), ("bare", text("SELECT txid_current()"))):
                before = wal_writes(connection)
                for _ in range(20):
                    connection.execute(statement)
                counts[name] = wal_writes(connection) - before
    finally:
        engine.dispose()
    assert counts["flush"] >= 20, counts  # each commit wrote (and, with fsync on, flushed) the WAL itself
    assert counts["bare"] < 20, counts
