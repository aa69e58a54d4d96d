"""Rate limits per token (Flask-Limiter): a 429 in the envelope with Retry-After, one budget per token."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from api import create_app
from api.auth import create_token
from api.config import from_environment
from api.db import session_scope
from api.models import Employer
from api.rate_limits import InlineMemoryStorage

from . import samples

LIMIT = 3


@pytest.fixture
def limited(database_url: str) -> Iterator[Flask]:
    """An app that lets each token make 3 requests a minute."""
    application = create_app({"DATABASE_URL": database_url, "TESTING": True, "RATE_LIMIT": f"{LIMIT} per minute"})
    yield application
    application.extensions["db_engine"].dispose()


def _token(app: Flask, role: str, name: str) -> dict[str, str]:
    with session_scope(app) as session:
        return {"Authorization": f"Bearer {create_token(session, role, name)}"}


def _assert_429(response: Any) -> None:
    assert response.status_code == 429, response.get_json()
    body = response.get_json()
    assert set(body) == {"code", "status", "message"}
    assert body["code"] == 429 and body["status"] == "Too Many Requests"
    assert f"at most {LIMIT} per 1 minute" in body["message"]
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert f"retry after {response.headers['Retry-After']} s" in body["message"]
    assert response.headers["X-Request-Id"]


def test_a_token_over_its_limit_gets_429_with_retry_after(limited: Flask) -> None:
    client = limited.test_client()
    admin = _token(limited, "admin", "core-sync")
    url = f"/v1/employers/{samples.NPP}"
    assert [client.get(url, headers=admin).status_code for _ in range(LIMIT)] == [404] * LIMIT
    _assert_429(client.get(url, headers=admin))
    # one budget over the whole API, not per endpoint
    _assert_429(client.get("/v1/openapi.json", headers=admin))


def test_a_refused_write_stores_nothing(limited: Flask) -> None:
    client = limited.test_client()
    admin = _token(limited, "admin", "core-sync")
    for _ in range(LIMIT):
        client.get(f"/v1/employers/{samples.NPP}", headers=admin)
    _assert_429(client.put(f"/v1/employers/{samples.NPP}", json=samples.employer(), headers=admin))
    with session_scope(limited) as session:
        assert session.scalar(select(func.count()).select_from(Employer)) == 0


def test_each_token_has_its_own_budget(limited: Flask) -> None:
    client = limited.test_client()
    first, second = _token(limited, "auditor", "bpk-1"), _token(limited, "auditor", "bpk-2")
    for _ in range(LIMIT):
        assert client.get("/v1/rulesets", headers=first).status_code == 200
    _assert_429(client.get("/v1/rulesets", headers=first))
    assert client.get("/v1/rulesets", headers=second).status_code == 200


def test_without_a_valid_token_the_client_address_is_limited(limited: Flask) -> None:
    client = limited.test_client()
    guesses = [{"Authorization": f"Bearer bpjs_admin.1.{n:043d}"} for n in range(LIMIT + 1)]
    assert [client.get("/v1/rulesets", headers=h).status_code for h in guesses[:LIMIT]] == [401] * LIMIT
    _assert_429(client.get("/v1/rulesets", headers=guesses[LIMIT]))
    # another address is not
    other = client.get("/v1/rulesets", environ_overrides={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 401
    # and a valid token from the limited address has its own budget
    assert client.get("/v1/rulesets", headers=_token(limited, "auditor", "bpk")).status_code == 200


def test_health_is_never_limited(limited: Flask) -> None:
    client = limited.test_client()
    assert [client.get("/health").status_code for _ in range(LIMIT * 4)] == [200] * LIMIT * 4


def test_the_limit_and_storage_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("RATE_LIMIT", "2 per hour")
    monkeypatch.setenv("RATE_LIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = create_app({"TESTING": True})
    try:
        client = app.test_client()
        auditor = _token(app, "auditor", "env")
        assert [client.get("/v1/rulesets", headers=auditor).status_code for _ in range(2)] == [200, 200]
        response = client.get("/v1/rulesets", headers=auditor)
        assert response.status_code == 429
        assert "at most 2 per 1 hour" in response.get_json()["message"]
    finally:
        app.extensions["db_engine"].dispose()


def test_the_default_limit_is_generous(monkeypatch: pytest.MonkeyPatch, app: Flask, client: FlaskClient,
                                       auth: Any) -> None:
    """Normal use and the benchmarks stay far below it: 200 requests in a row are all answered."""
    monkeypatch.delenv("RATE_LIMIT", raising=False)
    assert from_environment(app.instance_path)["RATE_LIMIT"] == "5000 per second" == app.config["RATE_LIMIT"]
    statuses = {client.get("/v1/rulesets", headers=auth("auditor")).status_code for _ in range(200)}
    assert statuses == {200}


def test_counting_in_memory_starts_no_thread_per_request(monkeypatch: pytest.MonkeyPatch, limited: Flask) -> None:
    """limits' memory storage started a timer thread on nearly every request; ours sweeps inline."""
    storage = limited.extensions["rate_limiter"].storage
    assert isinstance(storage, InlineMemoryStorage)
    started: list[threading.Thread] = []
    monkeypatch.setattr(threading.Thread, "start", lambda thread: started.append(thread))
    client = limited.test_client()
    auditor = _token(limited, "auditor", "bpk")
    assert [client.get("/v1/rulesets", headers=auditor).status_code for _ in range(LIMIT)] == [200] * LIMIT
    _assert_429(client.get("/v1/rulesets", headers=auditor))
    assert started == []


def test_expired_counters_are_swept_inline() -> None:
    storage = InlineMemoryStorage("bpjs-memory://")
    storage.incr("gone", expiry=0.01)
    time.sleep(0.02)
    assert "gone" in storage.storage  # not swept yet: the sweep runs at most once a second
    storage._next_sweep = 0.0
    assert storage.incr("kept", expiry=60) == 1
    assert "gone" not in storage.storage and "gone" not in storage.expirations
    assert storage.get("kept") == 1
