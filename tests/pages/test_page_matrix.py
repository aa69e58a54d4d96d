"""Every page x every role x no token, a malformed, an expired and a revoked token in the session.

A page is signed in by a session (the token kept in a signed cookie) rather than by a bearer header: anything but
a valid token of the page's role sends the browser to that page's sign-in form (and ends the session), and a
bearer header alone opens nothing. The list of pages and the role each accepts are taken from the URL map and the
views, so a page added later is covered.
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
# each page's sign-in form, by the page's address
SIGN_IN = {"/licensing": "/licensing/sign-in", "/audit": "/audit/sign-in"}


def _token(app: Flask, holder: str, role: str, tokens: dict[str, str]) -> str | None:
    """What the session holds: nothing, a token of a role, or a malformed, expired or revoked one of ``role``."""
    if holder == "none":
        return None
    if holder.startswith("role "):
        return tokens[holder.removeprefix("role ")]
    if holder == "malformed":
        return f"bpjs_{role}.not-a-token"
    now = dt.datetime.now(dt.UTC)
    with session_scope(app) as session:
        if holder == "expired":
            return create_token(session, role, "page-expired", now - dt.timedelta(minutes=1))
        revoked = create_token(session, role, "page-revoked")
        session.flush()
        session.get(ApiToken, int(revoked.split(".")[1])).revoked_at = now  # type: ignore[union-attr]
        return revoked


def _open(client: FlaskClient, app: Flask, path: str, method: str, token: str | None,
          headers: dict[str, str] | None = None) -> Any:
    if token is not None:
        with client.session_transaction() as session:
            session.update(token=token, since=int(dt.datetime.now(dt.UTC).timestamp()))
    rule = endpoints.find(app, path, method)
    return client.open(endpoints.url(app, rule, method), method=method, headers=headers or {},
                       data={} if method == "POST" else None)


def test_there_are_pages_and_each_has_a_sign_in_form() -> None:
    assert PAGES and all(path.split("/")[1] in {p.strip("/") for p in SIGN_IN} for path, _ in PAGES)
    assert {path.split("/")[1] for path, _ in PAGES} == {"licensing", "audit"}


HOLDERS = ["none", "malformed", "expired", "revoked", *[f"role {role}" for role in ROLES]]


@pytest.mark.parametrize(("path", "method"), PAGES, ids=[f"{m} {p}" for p, m in PAGES])
def test_only_a_signed_in_token_of_the_pages_role_opens_it(app: Flask, tokens: dict[str, str], path: str,
                                                           method: str) -> None:
    [role] = endpoints.allowed_roles(app, endpoints.find(app, path, method), method) or [None]
    assert role in ROLES, (path, role)
    # every holder in one test, each in a browser of its own: an app per holder would cost more than the checks
    for holder in HOLDERS:
        client = app.test_client()
        token = _token(app, holder, role, tokens)
        # a bearer header of the right role does not open a page: pages are signed in by their session only
        response = _open(client, app, path, method, token, {"Authorization": f"Bearer {tokens[role]}"})
        if holder == f"role {role}":
            # a form post without its CSRF token is refused (400), a form without its fields is a 422 and an
            # unknown record a 404: none of them is the sign-in form
            assert response.status_code in (200, 400, 404, 422), (holder, response.status_code)
            continue
        assert response.status_code in (302, 303), (holder, response.status_code,
                                                     response.get_data(as_text=True)[:300])
        assert response.headers["Location"] == SIGN_IN["/" + path.split("/")[1]], holder
        with client.session_transaction() as session:
            assert "token" not in session, holder  # a session with a token it may not use is ended
