"""Every page x every role x no token, a malformed, an expired and a revoked token in the session.

A page is signed in by a session (the token kept in a signed cookie) rather than by a bearer header: anything but
a valid token of the page's role sends the browser to the sign-in form (and ends the session), and a bearer
header alone opens nothing. The list of pages is taken from the URL map, so a page added later is covered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.auth import ROLES, create_token
from api.db import session_scope
from api.models import ApiToken
from tests.api import endpoints

PAGES = endpoints.pairs_for_ids(endpoints.pages)


@pytest.fixture
def session_tokens(app: Flask, tokens: dict[str, str]) -> dict[str, str]:
    """Every way a session can hold a token: each role's, a malformed, an expired and a revoked licensing one."""
    now = dt.datetime.now(dt.UTC)
    with session_scope(app) as session:
        expired = create_token(session, "licensing", "page-expired", now - dt.timedelta(minutes=1))
        revoked = create_token(session, "licensing", "page-revoked")
        session.flush()
        session.get(ApiToken, int(revoked.split(".")[1])).revoked_at = now  # type: ignore[union-attr]
    return {**{f"role {role}": tokens[role] for role in ROLES}, "malformed": "bpjs_licensing.not-a-token",
            "expired": expired, "revoked": revoked}


def _open(client: FlaskClient, app: Flask, path: str, method: str, token: str | None,
          headers: dict[str, str] | None = None) -> Any:
    if token is not None:
        with client.session_transaction() as session:
            session.update(token=token, since=int(dt.datetime.now(dt.UTC).timestamp()))
    rule = endpoints.find(app, path, method)
    return client.open(endpoints.url(app, rule, method), method=method, headers=headers or {},
                       data={} if method == "POST" else None)


def test_there_are_pages_and_each_names_its_role() -> None:
    assert PAGES and all(path.startswith("/licensing") for path, _ in PAGES)


@pytest.mark.parametrize(("path", "method"), PAGES, ids=[f"{m} {p}" for p, m in PAGES])
@pytest.mark.parametrize("holder", ["none", "malformed", "expired", "revoked",
                                    *[f"role {role}" for role in ROLES if role != "licensing"]])
def test_a_page_sends_anyone_but_a_signed_in_licensing_officer_to_sign_in(
        app: Flask, client: FlaskClient, tokens: dict[str, str], session_tokens: dict[str, str], path: str,
        method: str, holder: str) -> None:
    token = None if holder == "none" else session_tokens[holder]
    # a bearer header of the right role does not open a page: pages are signed in by their session only
    response = _open(client, app, path, method, token, {"Authorization": f"Bearer {tokens['licensing']}"})
    assert response.status_code in (302, 303), (response.status_code, response.get_data(as_text=True)[:300])
    assert response.headers["Location"].endswith("/licensing/sign-in")
    with client.session_transaction() as session:
        assert "token" not in session  # a session with a token it may not use is ended


@pytest.mark.parametrize(("path", "method"), PAGES, ids=[f"{m} {p}" for p, m in PAGES])
def test_a_signed_in_licensing_officer_reaches_every_page(app: Flask, client: FlaskClient,
                                                          session_tokens: dict[str, str], path: str,
                                                          method: str) -> None:
    response = _open(client, app, path, method, session_tokens["role licensing"])
    # a form post without its CSRF token is refused (400) and an unknown decision is a 404: neither is sign-in
    assert response.status_code in (200, 400, 404), response.status_code
