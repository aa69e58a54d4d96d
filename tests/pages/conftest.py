"""Page fixtures: a client signed in with a licensing token, one signed in with an auditor token, a decision log
with a newer ruleset stored beside it, and the headless browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from selenium.webdriver.remote.webdriver import WebDriver

from api import decision_log
from api.models import DecisionRecord

from .browser import headless_chromium
from .helpers import audit_log_entries, sign_in, store_audit_log


@pytest.fixture
def officer(client: FlaskClient, tokens: dict[str, str]) -> FlaskClient:
    """The test client, signed in to the licensing page."""
    response = sign_in(client, tokens["licensing"])
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


@pytest.fixture
def auditor(client: FlaskClient, tokens: dict[str, str]) -> FlaskClient:
    """The test client, signed in to the auditor's page."""
    response = sign_in(client, tokens["auditor"], "/audit")
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


@pytest.fixture(scope="session")
def audit_entries() -> list[decision_log.Entry]:
    """The audit log's decisions, decided once per test session."""
    return audit_log_entries()


class AuditLog:
    """The stored records, oldest first, and the version of the newer ruleset stored beside them."""

    def __init__(self, records: list[DecisionRecord], newer: str):
        self.records = records
        self.newer = newer


@pytest.fixture
def audit_log(app: Flask, audit_entries: list[decision_log.Entry]) -> AuditLog:
    """The decisions in the app's log, and a newer ruleset that changes a few of them."""
    return AuditLog(*store_audit_log(app, audit_entries))


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """One headless chromium for every browser test (each starts without the app's cookies)."""
    with headless_chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver
