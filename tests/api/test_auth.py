"""The security matrix, derived from the URL map so that endpoints added later are covered without a change here.

Every endpoint x every role, and x a missing, malformed, expired and revoked token: 401 for each bad token, 403 for
a role the endpoint does not allow, anything but 401/403 (and never a 5xx) for a role it does. An endpoint without
a role check fails; only the endpoints in ``endpoints.OPEN`` may answer without a token.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from api import create_app
from api.auth import ROLES, create_token
from api.db import session_scope
from api.models import ApiToken

from . import endpoints, samples

REGISTRY_PREFIXES = ("/v1/employers", "/v1/participants", "/v1/contributions")
ENDPOINTS = endpoints.pairs_for_ids()
IDS = [f"{m} {p}" for p, m in ENDPOINTS]


def _call(client: FlaskClient, method: str, url: str, headers: dict[str, str]) -> Any:
    body = {"json": {}} if method in endpoints.BODY_METHODS | {"DELETE"} else {}
    return client.open(url, method=method, headers=headers, **body)


def _assert_envelope(response: Any, code: int) -> None:
    assert response.status_code == code, (response.status_code, response.get_json())
    body = response.get_json()
    assert body["code"] == code
    assert body["status"] == {401: "Unauthorized", 403: "Forbidden"}[code]
    assert body["message"]
    assert "errors" not in body  # nothing about what a valid request would look like


@pytest.fixture
def bad_tokens(app: Flask, tokens: dict[str, str]) -> dict[str, dict[str, str]]:
    """Per role, a token that expired a minute ago, one that was revoked, and a second valid one."""
    now = dt.datetime.now(dt.UTC)
    made: dict[str, dict[str, str]] = {"expired": {}, "revoked": {}, "twin": {}}
    with session_scope(app) as session:
        for role in ROLES:
            made["twin"][role] = create_token(session, role, f"twin-{role}")
            made["expired"][role] = create_token(session, role, f"expired-{role}", now - dt.timedelta(minutes=1))
            made["revoked"][role] = create_token(session, role, f"revoked-{role}")
            session.flush()
            revoked_id = int(made["revoked"][role].split(".")[1])
            session.get(ApiToken, revoked_id).revoked_at = now  # type: ignore[union-attr]
    return made


def _bad_headers(tokens: dict[str, str], bad_tokens: dict[str, dict[str, str]], role: str) -> dict[str, Any]:
    """Every way of not having a valid token; expired and revoked tokens are of a role the endpoint allows."""
    good = tokens[role]
    prefix, _, secret = good.split(".")
    twin_id = bad_tokens["twin"][role].split(".")[1]
    other_role = next(other for other in ROLES if other != role)
    return {
        "missing": {},
        "empty": {"Authorization": ""},
        "basic scheme": {"Authorization": f"Basic {good}"},
        "token scheme": {"Authorization": f"Token {good}"},
        "no scheme": {"Authorization": good},
        "bearer without token": {"Authorization": "Bearer "},
        "malformed": {"Authorization": "Bearer not-a-token"},
        "unknown id": {"Authorization": f"Bearer {prefix}.999999.{secret}"},
        "id beyond the column": {"Authorization": f"Bearer {prefix}.9999999999.{secret}"},
        "another token's id": {"Authorization": f"Bearer {prefix}.{twin_id}.{secret}"},
        "role label changed": {"Authorization": f"Bearer {good.replace(prefix, f'bpjs_{other_role}', 1)}"},
        "secret changed": {"Authorization": f"Bearer {good[:-1]}{'A' if good[-1] != 'A' else 'B'}"},
        "secret cut short": {"Authorization": f"Bearer {good[:-1]}"},
        "legacy shape, unknown": {"Authorization": "Bearer bpjs_admin_" + "x" * 43},
        "huge": {"Authorization": "Bearer " + "x" * 100_000},
        "expired": {"Authorization": f"Bearer {bad_tokens['expired'][role]}"},
        "revoked": {"Authorization": f"Bearer {bad_tokens['revoked'][role]}"},
    }


def test_every_endpoint_checks_a_role(app: Flask) -> None:
    """A view without ``requires_role`` would be open to anyone, or to no one."""
    assert ENDPOINTS, "no endpoints found"
    assert endpoints.unchecked_endpoints(app) == []
    assert ("/health", "GET") in {(rule.rule, method) for rule, method in endpoints.endpoints(app)}


def test_an_endpoint_without_a_role_check_is_caught(app: Flask) -> None:
    """The check above can fail: a view added without ``requires_role`` is named."""

    @app.get("/v1/forgotten")
    def forgotten() -> Any:
        return {}

    assert endpoints.unchecked_endpoints(app) == ["GET /v1/forgotten: roles None"]


def test_registry_is_admin_only(app: Flask) -> None:
    registry = [(rule, method) for rule, method in endpoints.endpoints(app)
                if (rule.rule.startswith(REGISTRY_PREFIXES)
                    and not rule.rule.startswith("/v1/contributions/assessments"))
                or (rule.rule.startswith("/v1/projects/") and rule.rule.count("/") == 3)]
    assert len(registry) >= 8
    for rule, method in registry:
        assert endpoints.allowed_roles(app, rule, method) == ("admin",), rule.rule


@pytest.mark.parametrize(("path", "method"), ENDPOINTS, ids=IDS)
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(app: Flask, client: FlaskClient, auth: Any, path: str, method: str, role: str) -> None:
    rule = endpoints.find(app, path, method)
    allowed = endpoints.allowed_roles(app, rule, method)
    assert allowed
    response = _call(client, method, endpoints.url(app, rule, method), auth(role))
    if role in allowed:
        assert response.status_code not in (401, 403), response.get_json()
        # an empty or made-up request is bad input at worst, never an internal error
        assert response.status_code < 500, response.get_json()
    else:
        _assert_envelope(response, 403)
        assert f"Role '{role}' may not call this endpoint" in response.get_json()["message"]


@pytest.mark.parametrize(("path", "method"), ENDPOINTS, ids=IDS)
def test_without_a_valid_token_is_401(app: Flask, client: FlaskClient, tokens: dict[str, str],
                                      bad_tokens: dict[str, dict[str, str]], path: str, method: str) -> None:
    rule = endpoints.find(app, path, method)
    allowed = endpoints.allowed_roles(app, rule, method)
    assert allowed
    url = endpoints.url(app, rule, method)
    for why, headers in _bad_headers(tokens, bad_tokens, allowed[0]).items():
        response = _call(client, method, url, headers)
        assert response.status_code == 401, (why, response.get_json())
        _assert_envelope(response, 401)
        assert response.get_json()["message"] == "A valid bearer token is required.", why
    # the same role's valid token gets past the check: the 401s above are about the token, not the request
    assert _call(client, method, url, {"Authorization": f"Bearer {tokens[allowed[0]]}"}).status_code not in (401, 403)


def test_revoked_token_is_401_at_once(app: Flask, client: FlaskClient, tokens: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    assert client.get(f"/v1/employers/{samples.NPP}", headers=headers).status_code == 404
    result = app.test_cli_runner().invoke(args=["tokens", "revoke", tokens["admin"].split(".")[1]])
    assert result.exit_code == 0, result.output
    _assert_envelope(client.get(f"/v1/employers/{samples.NPP}", headers=headers), 401)
    _assert_envelope(client.put(f"/v1/employers/{samples.NPP}", json=samples.employer(), headers=headers), 401)
    # another app on the same database (another worker) refuses it too: nothing is cached
    other = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "TESTING": True})
    try:
        _assert_envelope(other.test_client().get(f"/v1/employers/{samples.NPP}", headers=headers), 401)
    finally:
        other.extensions["db_engine"].dispose()


def test_token_expires_at_its_time(app: Flask, client: FlaskClient) -> None:
    with session_scope(app) as session:
        token = create_token(session, "admin", "short", dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/v1/employers/{samples.NPP}", headers=headers).status_code == 404
    with session_scope(app) as session:
        row = session.scalars(select(ApiToken).where(ApiToken.name == "short")).one()
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    _assert_envelope(client.get(f"/v1/employers/{samples.NPP}", headers=headers), 401)


def test_scheme_is_case_insensitive(client: FlaskClient, tokens: dict[str, str]) -> None:
    response = client.get(f"/v1/employers/{samples.NPP}", headers={"Authorization": f"bearer {tokens['admin']}"})
    assert response.status_code == 404


def test_auth_comes_before_validation(app: Flask, client: FlaskClient, auth: Any) -> None:
    """A caller without the right to write learns nothing about what a valid body looks like."""
    bad_body = samples.employer(nib="1", colour="red")
    _assert_envelope(client.put(f"/v1/employers/{samples.NPP}", json=bad_body), 401)
    _assert_envelope(client.put(f"/v1/employers/{samples.NPP}", json=bad_body, headers=auth("officer")), 403)
    # nor about how its body would be read
    hostile = b'{"name": "a", "name": "b", "wage": NaN, "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    for headers in ({}, auth("officer")):
        response = client.put(f"/v1/employers/{samples.NPP}", data=hostile, headers=headers,
                              content_type="application/json")
        _assert_envelope(response, 401 if not headers else 403)
    assert client.get(f"/v1/employers/{samples.NPP}", headers=auth("admin")).status_code == 404


def test_forbidden_write_stores_nothing(client: FlaskClient, auth: Any) -> None:
    for role in ROLES:
        if role != "admin":
            response = client.put(f"/v1/employers/{samples.NPP}", json=samples.employer(), headers=auth(role))
            _assert_envelope(response, 403)
    assert client.get(f"/v1/employers/{samples.NPP}", headers=auth("admin")).status_code == 404


def test_health_needs_no_token(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
    assert "ruleset_version" in response.get_json()
