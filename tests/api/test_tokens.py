"""Token commands (create with an expiry, list, revoke), the token format, and tokens of the format before it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from api import auth as auth_module
from api.auth import ROLES, create_token, hash_token
from api.db import session_scope
from api.models import ApiToken

from . import samples


def _cli(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["tokens", *args])


def _create(app: Flask, *args: str) -> tuple[str, str]:
    result = _cli(app, "create", *args)
    assert result.exit_code == 0, result.output
    *said, token = result.output.strip().splitlines()
    return "\n".join(said), token


def _status(client: FlaskClient, token: str) -> int:
    """404 for a working admin token (no such employer), 401 for one that does not work."""
    return client.get(f"/v1/employers/{samples.NPP}", headers={"Authorization": f"Bearer {token}"}).status_code


def _row(app: Flask, name: str) -> ApiToken:
    with session_scope(app) as session:
        return session.scalars(select(ApiToken).where(ApiToken.name == name)).one()


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def test_a_token_names_its_role_and_id_and_only_its_secrets_hash_is_stored(app: Flask) -> None:
    with session_scope(app) as session:
        token = create_token(session, "supervisor", "kabid-pelayanan")
    match = re.fullmatch(r"bpjs_supervisor\.(\d+)\.([A-Za-z0-9_-]{43})", token)
    assert match, token
    row = _row(app, "kabid-pelayanan")
    assert row.id == int(match[1]) and row.role == "supervisor"
    assert row.token_hash == hashlib.sha256(match[2].encode()).hexdigest() == hash_token(match[2])
    assert token not in row.token_hash and match[2] not in row.token_hash


@pytest.mark.parametrize(("given", "lasts"), [
    ("90d", dt.timedelta(days=90)),
    ("12h", dt.timedelta(hours=12)),
    ("30m", dt.timedelta(minutes=30)),
])
def test_expires_takes_a_duration(app: Flask, given: str, lasts: dt.timedelta) -> None:
    before = dt.datetime.now(dt.UTC)
    said, _ = _create(app, "--role", "officer", "--name", "kc-1", "--expires", given)
    expires_at = _utc(_row(app, "kc-1").expires_at)  # type: ignore[arg-type]
    assert before + lasts <= expires_at <= dt.datetime.now(dt.UTC) + lasts
    assert f"expires {expires_at:%Y-%m-%d %H:%M}Z" in said


@pytest.mark.parametrize(("given", "expected"), [
    ("2099-03-31", dt.datetime(2099, 3, 31, tzinfo=dt.UTC)),                           # a date: 00:00 UTC
    ("2099-03-31T17:00", dt.datetime(2099, 3, 31, 17, tzinfo=dt.UTC)),                  # no offset: UTC
    ("2099-03-31T17:00+07:00", dt.datetime(2099, 3, 31, 10, tzinfo=dt.UTC)),            # WIB
    ("2099-03-31 08:30:00Z", dt.datetime(2099, 3, 31, 8, 30, tzinfo=dt.UTC)),
])
def test_expires_takes_an_iso_date_or_datetime(app: Flask, given: str, expected: dt.datetime) -> None:
    _create(app, "--role", "auditor", "--name", "bpk-1", "--expires", given)
    assert _utc(_row(app, "bpk-1").expires_at) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(("given", "why"), [
    ("2020-01-01", "is not in the future"),
    ("0d", "is neither a duration"),
    ("5x", "is neither a duration"),
    ("90 days", "is neither a duration"),
    ("tomorrow", "is neither a duration"),
    ("9999999d", "is neither a duration"),
])
def test_expires_refuses_the_past_and_what_it_cannot_read(app: Flask, given: str, why: str) -> None:
    result = _cli(app, "create", "--role", "officer", "--name", "never", "--expires", given)
    assert result.exit_code == 2
    assert why in result.output
    with session_scope(app) as session:
        assert session.scalars(select(ApiToken)).all() == []


def test_a_token_works_until_it_expires(app: Flask, client: FlaskClient) -> None:
    _, token = _create(app, "--role", "admin", "--name", "sync", "--expires", "1h")
    assert _status(client, token) == 404
    with session_scope(app) as session:
        session.scalars(select(ApiToken)).one().expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert _status(client, token) == 401


def test_list_shows_every_token_but_never_the_token_or_its_hash(app: Flask) -> None:
    _, kept = _create(app, "--role", "officer", "--name", "kc pontianak 1", "--expires", "2099-01-01")
    _, revoked = _create(app, "--role", "supervisor", "--name", "kabid")
    assert _cli(app, "revoke", revoked.split(".")[1]).exit_code == 0
    result = _cli(app, "list")
    assert result.exit_code == 0, result.output
    header, *rows = result.output.strip().splitlines()
    assert header.split() == ["id", "name", "role", "created", "expires", "revoked"]
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    assert re.fullmatch(rf"1 +kc pontianak 1 +officer +{today} \d\d:\d\dZ +2099-01-01 00:00Z +-", rows[0]), rows[0]
    assert re.fullmatch(rf"2 +kabid +supervisor +{today} \d\d:\d\dZ +- +{today} \d\d:\d\dZ", rows[1]), rows[1]
    with session_scope(app) as session:
        stored = set(session.scalars(select(ApiToken.token_hash)))
    for secret in (kept, revoked, *(t.split(".")[2] for t in (kept, revoked)), *stored):
        assert secret not in result.output


def test_list_of_no_tokens_is_just_the_header(app: Flask) -> None:
    result = _cli(app, "list")
    assert result.exit_code == 0
    assert result.output.split() == ["id", "name", "role", "created", "expires", "revoked"]


def test_revoke_is_immediate_idempotent_and_says_what_it_did(app: Flask, client: FlaskClient) -> None:
    _, token = _create(app, "--role", "admin", "--name", "core-sync")
    _, other = _create(app, "--role", "admin", "--name", "core-sync-2")
    token_id = token.split(".")[1]
    first = _cli(app, "revoke", token_id)
    assert first.exit_code == 0
    assert first.output.strip() == f"revoked token {token_id} (admin 'core-sync'); it is refused from now on"
    assert _status(client, token) == 401
    revoked_at = _row(app, "core-sync").revoked_at
    again = _cli(app, "revoke", token_id)
    assert again.exit_code == 0
    assert again.output.startswith(f"token {token_id} (admin 'core-sync') was already revoked at ")
    assert again.output.strip().endswith("; nothing changed")
    assert _row(app, "core-sync").revoked_at == revoked_at
    assert _status(client, other) == 404  # only that token


@pytest.mark.parametrize("token_id", ["999", "0", "-1", "99999999999"])
def test_revoke_of_an_unknown_id_is_an_error(app: Flask, token_id: str) -> None:
    _create(app, "--role", "admin", "--name", "a")
    result = app.test_cli_runner().invoke(args=["tokens", "revoke", "--", token_id])
    assert result.exit_code == 1
    assert f"no token with id {token_id}; nothing revoked" in result.output
    assert _row(app, "a").revoked_at is None


def test_revoke_needs_a_number(app: Flask) -> None:
    result = _cli(app, "revoke", "bpjs_admin.1.x")
    assert result.exit_code == 2
    assert "is not a valid integer" in result.output


@pytest.mark.parametrize("role", ["officer", "licensing", "auditor", "admin"])
def test_tokens_of_the_format_before_keep_working(app: Flask, client: FlaskClient, role: str) -> None:
    """``bpjs_<role>_<secret>``, stored as the SHA-256 of the whole token, as issued before the selector."""
    legacy = f"bpjs_{role}_" + "Ab3-_" * 8 + "xyz"
    with session_scope(app) as session:
        session.add(ApiToken(name=f"old-{role}", role=role, token_hash=hashlib.sha256(legacy.encode()).hexdigest()))
    assert _status(client, legacy) == (404 if role == "admin" else 403)
    assert _status(client, legacy[:-1] + "Q") == 401
    token_id = str(_row(app, f"old-{role}").id)
    assert _cli(app, "revoke", token_id).exit_code == 0
    assert _status(client, legacy) == 401


def test_secrets_are_compared_in_constant_time(app: Flask, client: FlaskClient,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Both formats reach ``hmac.compare_digest`` with the stored hash, found or guessed."""
    seen: list[tuple[str, str]] = []
    real = auth_module.hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        seen.append((a, b))
        return real(a, b)

    with session_scope(app) as session:
        token = create_token(session, "admin", "current")
        legacy = "bpjs_admin_" + "L" * 43
        session.add(ApiToken(name="legacy", role="admin", token_hash=hashlib.sha256(legacy.encode()).hexdigest()))
    monkeypatch.setattr(auth_module.hmac, "compare_digest", spy)
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert [_status(client, t) for t in (token, wrong, legacy)] == [404, 401, 404]
    stored = _row(app, "current").token_hash
    assert seen[0] == (stored, stored)
    assert seen[1][0] == stored and seen[1][1] != stored
    assert seen[2][0] == seen[2][1] == _row(app, "legacy").token_hash


def test_every_role_can_be_given_a_token(app: Flask, client: FlaskClient) -> None:
    assert "supervisor" in ROLES
    for role in ROLES:
        _, token = _create(app, "--role", role, "--name", f"r-{role}")
        assert client.get("/v1/openapi.json", headers={"Authorization": f"Bearer {token}"}).status_code == 200
