"""Authentication and the role matrix, derived from the URL map so that new endpoints are covered too."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from werkzeug.routing import IntegerConverter, Rule, UUIDConverter

from api import create_app
from api.auth import ROLES, hash_token
from api.db import session_scope
from api.models import ApiToken

from . import samples

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# plausible values of path parameters by name; anything else gets a generic value
PATH_VALUES = {
    "npp": samples.NPP,
    "kpj": samples.KPJ_PU,
    "project_number": samples.PROJECT,
    "nib": "9120001234567",
}
REGISTRY_PREFIXES = ("/v1/employers", "/v1/participants", "/v1/contributions")


def _endpoints(app: Flask) -> list[tuple[Rule, str]]:
    """Every (rule, method) under /v1, HEAD and OPTIONS aside."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/v1/"):
            found += [(rule, method) for method in sorted(rule.methods or ()) if method not in ("HEAD", "OPTIONS")]
    return sorted(found, key=lambda pair: (pair[0].rule, pair[1]))


def _value(rule: Rule, name: str) -> Any:
    converter = getattr(rule, "_converters", {}).get(name)
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    return PATH_VALUES.get(name, "1")


def _url(app: Flask, rule: Rule, method: str) -> str:
    values = {name: _value(rule, name) for name in rule.arguments}
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, values, method=method)


def _call(client: FlaskClient, method: str, url: str, headers: dict[str, str]) -> Any:
    body = {"json": {}} if method in WRITE_METHODS else {}
    return client.open(url, method=method, headers=headers, **body)


def _app_endpoints() -> list[tuple[str, str]]:
    """(rule, method) pairs for test ids; built from an app on a throwaway database."""
    app = create_app({"DATABASE_URL": "sqlite://", "TESTING": True})
    pairs = [(rule.rule, method) for rule, method in _endpoints(app)]
    app.extensions["db_engine"].dispose()
    return pairs


ENDPOINTS = _app_endpoints()


def _rule(app: Flask, path: str, method: str) -> Rule:
    return next(rule for rule, m in _endpoints(app) if rule.rule == path and m == method)


def _assert_envelope(response: Any, code: int) -> None:
    assert response.status_code == code, (response.status_code, response.get_json())
    body = response.get_json()
    assert body["code"] == code
    assert body["status"] == {401: "Unauthorized", 403: "Forbidden"}[code]
    assert body["message"]


def test_every_v1_endpoint_checks_a_role(app: Flask) -> None:
    """A /v1 view without ``requires_role`` would be open to anyone with a token, or to no one."""
    assert ENDPOINTS, "no /v1 endpoints found"
    for rule, method in _endpoints(app):
        roles = getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
        assert roles, f"{method} {rule.rule} has no role check"
        assert set(roles) <= set(ROLES), f"{method} {rule.rule}: unknown roles {roles}"


def test_registry_is_admin_only(app: Flask) -> None:
    registry = [(rule, method) for rule, method in _endpoints(app) if (rule.rule.startswith(REGISTRY_PREFIXES)
                and not rule.rule.startswith("/v1/contributions/assessments"))
                or (rule.rule.startswith("/v1/projects/") and rule.rule.count("/") == 3)]
    assert len(registry) >= 8
    for rule, _ in registry:
        assert tuple(app.view_functions[rule.endpoint].allowed_roles) == ("admin",), rule.rule


@pytest.mark.parametrize(("path", "method"), ENDPOINTS, ids=[f"{m} {p}" for p, m in ENDPOINTS])
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(app: Flask, client: FlaskClient, auth: Any, path: str, method: str, role: str) -> None:
    rule = _rule(app, path, method)
    allowed = app.view_functions[rule.endpoint].allowed_roles
    response = _call(client, method, _url(app, rule, method), auth(role))
    if role in allowed:
        assert response.status_code not in (401, 403), response.get_json()
        # an empty or made-up request is bad input at worst, never an internal error
        assert response.status_code < 500, response.get_json()
    else:
        _assert_envelope(response, 403)


def _bad_headers(tokens: dict[str, str]) -> dict[str, dict[str, str]]:
    admin = tokens["admin"]
    return {
        "missing": {},
        "empty": {"Authorization": ""},
        "basic scheme": {"Authorization": f"Basic {admin}"},
        "token scheme": {"Authorization": f"Token {admin}"},
        "no scheme": {"Authorization": admin},
        "bearer without token": {"Authorization": "Bearer "},
        "unknown token": {"Authorization": "Bearer bpjs_admin_" + "x" * 43},
        "token with a character changed": {"Authorization": f"Bearer {admin[:-1]}{'A' if admin[-1] != 'A' else 'B'}"},
    }


@pytest.mark.parametrize(("path", "method"), ENDPOINTS, ids=[f"{m} {p}" for p, m in ENDPOINTS])
def test_without_a_valid_token_is_401(app: Flask, client: FlaskClient, tokens: dict[str, str], path: str,
                                      method: str) -> None:
    rule = _rule(app, path, method)
    url = _url(app, rule, method)
    for why, headers in _bad_headers(tokens).items():
        response = _call(client, method, url, headers)
        assert response.status_code == 401, (why, response.get_json())
        _assert_envelope(response, 401)


def test_revoked_token_is_401(app: Flask, client: FlaskClient, tokens: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    assert client.get(f"/v1/employers/{samples.NPP}", headers=headers).status_code == 404
    with session_scope(app) as session:
        session.execute(update(ApiToken).where(ApiToken.token_hash == hash_token(tokens["admin"]))
                        .values(revoked_at=dt.datetime.now(dt.UTC)))
    _assert_envelope(client.get(f"/v1/employers/{samples.NPP}", headers=headers), 401)
    _assert_envelope(client.put(f"/v1/employers/{samples.NPP}", json=samples.employer(), headers=headers), 401)


def test_scheme_is_case_insensitive(client: FlaskClient, tokens: dict[str, str]) -> None:
    response = client.get(f"/v1/employers/{samples.NPP}", headers={"Authorization": f"bearer {tokens['admin']}"})
    assert response.status_code == 404


def test_auth_comes_before_validation(app: Flask, client: FlaskClient, auth: Any) -> None:
    """A caller without the right to write learns nothing about what a valid body looks like."""
    bad_body = samples.employer(nib="1", colour="red")
    unauthenticated = client.put(f"/v1/employers/{samples.NPP}", json=bad_body)
    _assert_envelope(unauthenticated, 401)
    assert "errors" not in unauthenticated.get_json()
    forbidden = client.put(f"/v1/employers/{samples.NPP}", json=bad_body, headers=auth("officer"))
    _assert_envelope(forbidden, 403)
    assert "errors" not in forbidden.get_json()
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


def test_token_is_stored_hashed(app: Flask, tokens: dict[str, str]) -> None:
    from sqlalchemy import select

    with session_scope(app) as session:
        stored = {row.role: row.token_hash for row in session.scalars(select(ApiToken))}
    assert stored == {role: hash_token(token) for role, token in tokens.items()}
    assert not set(tokens.values()) & set(stored.values())
