"""A licensing registry and a decision log for the page tests, and form helpers."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from adjudication.ruleset import read_rules_dir
from api import decision_log
from api.audit import replay_record
from api.db import session_scope
from api.models import DecisionRecord
from api.rulesets import compiled
from fixtures import decisions
from tests.api import samples
from tests.api.conftest import changed_rules, store_ruleset
from tests.api.test_licensing import CONTRACTOR, NIB, PROJECT, pay_months, project_body, put, store_contractor

__all__ = ["CONTRACTOR", "NIB", "PROJECT", "csrf", "store_registry", "text_of"]

LATE_NPP = "61715002"
LATE_NIB = "9120007654321"
UNKNOWN_NIB = "9999999999999"
MONTHS_2024 = [f"2024-{m:02d}" for m in range(1, 12)]
RULES_DIR = Path(__file__).resolve().parents[2] / "rules"


def store_registry(client: FlaskClient, auth: Any) -> None:
    """A paid-up contractor (clear on 2024-12-20), and a contractor with October 2024 unpaid whose project
    ``PROJECT`` (SPK 1 August 2024, deadline 8 August) was registered on 20 August and paid on 2 September."""
    store_contractor(client, auth)
    pay_months(client, auth, CONTRACTOR, MONTHS_2024)
    put(client, auth, f"/v1/employers/{LATE_NPP}", samples.employer(
        name="CV Kapuas Jaya Konstruksi", nib=LATE_NIB, region_code="61.71", scale="small",
        programs=["JKK", "JKM", "JHT"], registered_on="2023-01-01"))
    pay_months(client, auth, LATE_NPP, MONTHS_2024, unpaid=("2024-10",))
    put(client, auth, f"/v1/projects/{PROJECT}", project_body(
        contractor_npp=LATE_NPP, registered_on="2024-08-20",
        payments=[{"termin": 1, "amount": 96_000, "paid_on": "2024-09-02"}]))


def csrf(html: str, prefix: str = "") -> str:
    """The CSRF token of the form whose fields carry ``prefix``."""
    name = f"{prefix}-csrf_token" if prefix else "csrf_token"
    found = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html)
    assert found is not None, f"no {name} in the page"
    return found.group(1)


def text_of(html: str) -> str:
    """The page's text without tags, entities decoded, whitespace collapsed (what a reader sees, roughly)."""
    import html as entities

    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(entities.unescape(re.sub(r"<[^>]+>", " ", body)).split())


# --- a decision log for the auditor's page -------------------------------------------------------------------

AUDIT_LOG_SIZE = 60
AUDIT_LOG_START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
AUDIT_LOG_END = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)


def audit_log_entries() -> list[decision_log.Entry]:
    """``AUDIT_LOG_SIZE`` claims decided by the shipped rules over the first half of 2025 (about 3 days apart)."""
    ruleset = compiled(read_rules_dir(RULES_DIR))
    return decisions.entries(ruleset, decisions.load_seeds(), 0, AUDIT_LOG_SIZE, AUDIT_LOG_SIZE, AUDIT_LOG_START,
                             AUDIT_LOG_END)


def easier_partial_jht(jht: dict[str, Any]) -> None:
    """A partial JHT withdrawal after 60 months of membership instead of 120, and 20 % of the balance, not 10 %."""
    for entry in jht["partial"]["min_membership_months"]["values"].values():
        entry["value"] = 60
    for entry in jht["partial"]["other_rate"]["values"].values():
        entry["value"] = 0.2


def store_audit_log(app: Flask, entries: list[decision_log.Entry]) -> tuple[list[DecisionRecord], str]:
    """Append the entries to the app's log and store a newer ruleset (``easier_partial_jht``) that changes a few of
    them; the records and the newer version."""
    with session_scope(app) as session:
        registry = app.extensions["rulesets"]
        registry.ensure_stored(session, registry.current)
        records = decision_log.append_many(session, entries)
    newer = store_ruleset(app, changed_rules(jht=easier_partial_jht))
    return records, newer.version


def changed_decision(app: Flask, records: list[DecisionRecord], newer: str) -> DecisionRecord:
    """The first of ``records`` the ruleset ``newer`` decides otherwise, by the audit API's own replay."""
    with app.test_request_context(), session_scope(app) as session:
        for record in records:
            stored = session.get(DecisionRecord, record.decision_id)
            assert stored is not None
            if not replay_record(session, stored, newer)["identical"]:
                return record
    raise AssertionError("the newer ruleset changes no decision")


def sign_in(client: FlaskClient, token: str, page: str = "/licensing") -> Any:
    """Post the sign-in form of ``page`` as a browser would: its CSRF token first."""
    html = client.get(f"{page}/sign-in").get_data(as_text=True)
    return client.post(f"{page}/sign-in", data={"token": token, "csrf_token": csrf(html)})
