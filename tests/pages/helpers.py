"""A licensing registry for the page tests, stored through the admin API, and form helpers."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.api import samples
from tests.api.test_licensing import CONTRACTOR, NIB, PROJECT, pay_months, project_body, put, store_contractor

__all__ = ["CONTRACTOR", "NIB", "PROJECT", "csrf", "store_registry", "text_of"]

LATE_NPP = "61715002"
LATE_NIB = "9120007654321"
UNKNOWN_NIB = "9999999999999"
MONTHS_2024 = [f"2024-{m:02d}" for m in range(1, 12)]


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
