"""Shared fixtures: a fresh database per test, on SQLite by default or PostgreSQL when TEST_DATABASE_URL is set.

Under pytest-xdist each worker has a database of its own on that PostgreSQL server (the URL's database name with
the worker's id appended, created when missing), so workers never empty each other's tables.

Every app the tests build signs checkpoints with one temporary key (AUDIT_SIGNING_KEY), never a key that
``make run`` left under instance/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text

from adjudication.signing import write_private_key
from api import create_app
from api.auth import ROLES, create_token
from api.db import session_scope
from api.migrate import upgrade
from api.models import Base


def _worker_url(url: str | None) -> str | None:
    """The PostgreSQL URL of this xdist worker's own database (the URL itself outside xdist)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


SERVER_URL = os.environ.get("TEST_DATABASE_URL")
PG_URL = _worker_url(SERVER_URL)


def _create_worker_database() -> None:
    """Create this worker's database on the server when it is not there yet."""
    if not (SERVER_URL and PG_URL and PG_URL != SERVER_URL):
        return
    name = make_url(PG_URL).database
    engine = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A temporary checkpoint signing key for the session, named by AUDIT_SIGNING_KEY for every app."""
    path = tmp_path_factory.mktemp("keys") / "audit-signing-key.pem"
    write_private_key(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUDIT_SIGNING_KEY", str(path))
        yield path


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Run the migrations once per session: a template SQLite file, or the PostgreSQL test database."""
    if PG_URL:
        _create_worker_database()
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(engine)
        engine.dispose()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return str(path)


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> str:
    """A migrated, empty database for one test."""
    if PG_URL:
        _empty_postgres(PG_URL)
        return PG_URL
    path = tmp_path / "test.sqlite3"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """A fresh app on a fresh database."""
    application = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test-secret-key"})
    yield application
    application.extensions["db_engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the fresh app."""
    return app.test_client()


@pytest.fixture
def tokens(app: Flask) -> dict[str, str]:
    """One token per role."""
    with session_scope(app) as session:
        return {role: create_token(session, role, f"test-{role}") for role in ROLES}


@pytest.fixture
def auth(tokens: dict[str, str]):  # type: ignore[no-untyped-def]
    """``auth("admin")`` gives the Authorization header of that role."""
    return lambda role: {"Authorization": f"Bearer {tokens[role]}"}
