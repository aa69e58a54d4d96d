"""Page fixtures: a client signed in with a licensing token."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from .helpers import csrf


def sign_in(client: FlaskClient, token: str) -> Any:
    """Post the sign-in form as a browser would: its CSRF token first."""
    page = client.get("/licensing/sign-in").get_data(as_text=True)
    return client.post("/licensing/sign-in", data={"token": token, "csrf_token": csrf(page)})


@pytest.fixture
def officer(client: FlaskClient, tokens: dict[str, str]) -> FlaskClient:
    """The test client, signed in to the licensing page."""
    response = sign_in(client, tokens["licensing"])
    assert response.status_code == 303, response.get_data(as_text=True)
    return client
