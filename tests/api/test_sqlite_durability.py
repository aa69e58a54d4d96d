"""SQLite: a claim is answered only once its commit is on disk. The commit releases the write lock without an fsync
(WAL, ``synchronous=NORMAL``) and the session then syncs the ``-wal`` file before the answer (api.durable_commit).

On its own SQLite file in both passes of the suite, so that the PostgreSQL pass runs it too."""

from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text

from api import create_app, durable_commit
from api.auth import create_token
from api.db import make_engine, session_scope
from api.migrate import upgrade
from api.models import Claim

from . import samples
from .test_claims import jkk_claim, post


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    url = f"sqlite:///{tmp_path / 'durable.sqlite3'}"
    upgrade(create_engine(url))
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    with session_scope(app) as session:
        app.config["test_tokens"] = {role: {"Authorization": f"Bearer {create_token(session, role, 'durable-' + role)}"}
                                     for role in ("admin", "officer")}
    samples.store_paid_up_worker(app.test_client(), app.config["test_tokens"].__getitem__)
    yield app
    app.extensions["db_engine"].dispose()


def _database(app: Flask) -> str:
    return str(app.extensions["db_engine"].url.database)


def _claims_seen_by_another_connection(app: Flask) -> int:
    with sqlite3.connect(_database(app)) as other:
        return int(other.execute("SELECT count(*) FROM claims").fetchone()[0])


def _queue_is_free(app: Flask) -> bool:
    fd = os.open(f"{_database(app)}.writers", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing the descriptor drops its lock


def test_a_claim_is_answered_after_the_wal_is_synced_and_the_write_lock_is_freed_before(
        monkeypatch: pytest.MonkeyPatch, sqlite_app: Flask) -> None:
    syncs: list[dict[str, Any]] = []
    real = os.fdatasync

    def spy(fd: int) -> None:
        syncs.append({"file": os.readlink(f"/proc/self/fd/{fd}"), "claims": _claims_seen_by_another_connection(
            sqlite_app), "queue_free": _queue_is_free(sqlite_app)})
        real(fd)

    monkeypatch.setattr(os, "fdatasync", spy)
    client, auth = sqlite_app.test_client(), sqlite_app.config["test_tokens"].__getitem__
    answer = post(client, auth, jkk_claim(), key="durable-key-1")
    assert answer.status_code == 201
    # once, after the commit (another connection sees the claim) and after the writers' queue was left
    assert syncs == [{"file": f"{_database(sqlite_app)}-wal", "claims": 1, "queue_free": True}]
    # a read writes nothing and syncs nothing
    assert client.get(f"/v1/claims/{answer.get_json()['claim_id']}", headers=auth("officer")).status_code == 200
    assert len(syncs) == 1


@pytest.mark.parametrize("failure, words", [(errno.EIO, "database is unavailable"), (errno.ENOSPC, "storage is full")])
def test_a_failed_sync_is_a_503_and_the_retry_returns_the_stored_decision(
        monkeypatch: pytest.MonkeyPatch, sqlite_app: Flask, failure: int, words: str) -> None:
    """The commit happened, its sync did not: never acknowledged, and the retry with the key finds it (200)."""
    client, auth = sqlite_app.test_client(), sqlite_app.config["test_tokens"].__getitem__
    real = os.fdatasync

    def failing(fd: int) -> None:
        raise OSError(failure, os.strerror(failure))

    monkeypatch.setattr(os, "fdatasync", failing)
    answer = post(client, auth, jkk_claim(), key="durable-key-2")
    assert answer.status_code == 503, answer.get_json()
    assert words in answer.get_json()["message"] and answer.headers["Retry-After"]
    monkeypatch.setattr(os, "fdatasync", real)
    retried = post(client, auth, jkk_claim(), key="durable-key-2")
    assert retried.status_code == 200
    with session_scope(sqlite_app) as session:
        assert session.scalar(select(func.count()).select_from(Claim)) == 1


def test_wal_mode_commits_without_a_sync_and_any_other_mode_syncs_every_commit(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'modes.sqlite3'}")
    memory = make_engine("sqlite://")  # SQLite keeps an in-memory database's journal in memory: no WAL
    try:
        for each, mode, synchronous in ((engine, "wal", 1), (memory, "memory", 2)):
            with each.connect() as connection:
                assert connection.execute(text("PRAGMA journal_mode")).scalar() == mode
                assert connection.execute(text("PRAGMA synchronous")).scalar() == synchronous  # NORMAL, FULL
                assert connection.connection.info[durable_commit.IN_WAL_MODE] is (mode == "wal")
    finally:
        engine.dispose()
        memory.dispose()
