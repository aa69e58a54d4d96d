"""Every validation rule of the registry: one bad value per field, a 422 keyed by its path, nothing stored."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from api.db import session_scope
from api.models import Base

from . import samples

DELETE = object()  # a change that removes the key instead of setting it

NEW_NPP = "61120009"
NEW_KPJ = "55555555555"
NEW_PROJECT = "JK-2024-0009"
BASES = {
    "employer": samples.employer,
    "PU": samples.participant_pu,
    "BPU": samples.participant_bpu,
    "JAKON": samples.participant_jakon,
    "PMI": samples.participant_pmi,
    "project": samples.project,
    "contributions": lambda: {"items": [
        # item 0 changes a stored month, the others are new; item 3 is the one the cases spoil
        samples.contribution(period="2024-04", paid_on="2024-05-20"),
        samples.contribution(period="2024-05"),
        samples.contribution(payer=f"participant:{samples.KPJ_BPU}", period="2024-02"),
        samples.contribution(period="2024-06"),
        samples.contribution(period="2024-07", amount_paid=0, paid_on=None),
    ]},
}


@dataclass
class Case:
    """A base body, the changes that spoil it, and the one error path the 422 must name."""

    base: str
    key: str
    changes: dict[str, Any] = field(default_factory=dict)
    url_key: str | None = None  # a bad path parameter instead of a bad body

    @property
    def id(self) -> str:
        spoiled = ",".join(f"{p}={'<deleted>' if v is DELETE else repr(v)}" for p, v in self.changes.items())
        return f"{self.base}:{self.key}:{spoiled or self.url_key}"


def bad(base: str, key: str, value: Any = None, **changes: Any) -> Case:
    """One bad ``value`` at path ``key`` (or several ``changes`` by path, dots written as __)."""
    spoil = {p.replace("__", "."): v for p, v in changes.items()} if changes else {key: value}
    return Case(base, key, spoil)


def bad_key(base: str, key: str, value: str) -> Case:
    """A bad record key in the URL."""
    return Case(base, key, url_key=value)


LONG = "x" * 201
BAD_DATES = ("2024-02-30", "30-01-2024", "2024-1-05", "", 20240105)
BAD_MONEY = (-1, 1.5, "100", True, None)

CASES: list[Case] = [
    # --- employer ---
    bad_key("employer", "npp", "6112000"),
    bad_key("employer", "npp", "6112000a"),
    bad_key("employer", "npp", "611200012"),
    *[bad("employer", "name", v) for v in ("", LONG, 5, None, DELETE)],
    *[bad("employer", "nib", v) for v in ("912000123456", "91200012345678", "912000123456X", 9120001234567, DELETE)],
    *[bad("employer", "region_code", v) for v in ("6112", "61.1", "61.12.5", "61.12.05.201", "6", "", 61, DELETE)],
    *[bad("employer", "scale", v) for v in ("huge", "Medium", "", None, DELETE)],
    *[bad("employer", "sector", v) for v in ("", "x" * 61, 3, DELETE)],
    *[bad("employer", "risk_class", v) for v in (0, 6, "2", 2.5, True, None, DELETE)],
    *[bad("employer", "state_employer", v) for v in ("true", 1, 0, "yes", None, DELETE)],
    *[bad("employer", "registered_on", v) for v in (*BAD_DATES, "2019-03-01T00:00:00", DELETE)],
    bad("employer", "programs", ["JKK", "JKK"]),
    bad("employer", "programs", "JKK"),
    bad("employer", "programs", None),
    bad("employer", "programs.1", programs=["JKK", "JKX"]),
    bad("employer", "programs.0", programs=[1]),
    bad("employer", "owner", "unknown field"),
    bad("employer", "npp", NEW_NPP),  # the key lives in the URL, not the body
    # --- participant ---
    bad_key("PU", "kpj", "5555555555"),
    bad_key("PU", "kpj", "555555555555"),
    bad_key("PU", "kpj", "5555555555a"),
    *[bad("PU", "nik", v) for v in ("611205120388000", "61120512038800AB", "61120512038800011", 6112051203880001,
                                    "6112 0512 0388 0001", DELETE)],
    *[bad("PU", "name", v) for v in ("", LONG, 7, None, DELETE)],
    *[bad("PU", "birth_date", v) for v in (*BAD_DATES, DELETE)],
    *[bad("PU", "segment", v) for v in ("PPU", "pu", "", None, DELETE)],
    *[bad("PU", "category", v) for v in ("Perangkat Desa", "perangkat-desa", "x", "", 5, DELETE)],
    *[bad("PU", "employer_npp", v) for v in ("6112001", "6112000a", 61120001)],
    bad("PU", "employer_npp", "61129999"),  # well-formed but not in the registry
    bad("PU", "employer_npp", None),  # PU needs its employer
    bad("PU", "employer_npp", DELETE),
    bad("JAKON", "employer_npp", None),
    *[bad("JAKON", "project_number", v) for v in ("jk 1", "JK1", "JK_2024", 20240001)],
    bad("JAKON", "project_number", "JK-2099-0001"),  # well-formed but not in the registry
    bad("JAKON", "project_number", samples.OTHER_PROJECT),  # a project of another contractor
    bad("JAKON", "project_number", None),  # JAKON needs its project
    bad("JAKON", "project_number", DELETE),
    bad("PU", "project_number", samples.PROJECT),  # only JAKON names a project
    bad("BPU", "project_number", samples.PROJECT),
    bad("PU", "programs", []),
    bad("PU", "programs", ["JKK", "JHT", "JKK"]),
    bad("PU", "programs", "JKK"),
    bad("PU", "programs", None),
    bad("PU", "programs", DELETE),
    bad("PU", "programs.0", programs=["JKX"]),
    bad("PU", "programs.1", programs=["JKK", "jkm"]),
    *[bad("PU", "membership_start", v) for v in (*BAD_DATES, None, DELETE)],
    bad("PU", "membership_start", "1980-01-01"),  # before birth
    *[bad("PU", "wage", v) for v in BAD_MONEY],  # PU without wage: None
    bad("PU", "wage", DELETE),
    bad("JAKON", "wage", None),
    bad("BPU", "wage", 5_000_000),  # BPU declares an income instead
    *[bad("BPU", "declared_income", v) for v in BAD_MONEY],  # BPU without declared_income: None
    bad("BPU", "declared_income", DELETE),
    bad("PU", "declared_income", 2_000_000),
    *[bad("PU", "actual_wage", v) for v in BAD_MONEY if v is not None],
    bad("PU", "actual_wage", 4_500_000),  # not above the reported wage: no under-reporting
    bad("BPU", "actual_wage", 3_000_000),  # a BPU has no employer to under-report
    *[bad("PU", "payer", v) for v in ("company", "Employer", None, DELETE)],
    *[bad("PU", "employment_ended_on", v) for v in BAD_DATES],
    *[bad("PU", "jht_balance", v) for v in BAD_MONEY],
    bad("PU", "jht_partial_withdrawals.0.pct", jht_partial_withdrawals__0__pct=0),
    bad("PU", "jht_partial_withdrawals.0.pct", jht_partial_withdrawals__0__pct=101),
    bad("PU", "jht_partial_withdrawals.0.pct", jht_partial_withdrawals__0__pct="10"),
    bad("PU", "jht_partial_withdrawals.0.pct", jht_partial_withdrawals__0__pct=10.0),
    bad("PU", "jht_partial_withdrawals.0.pct", jht_partial_withdrawals__0__pct=DELETE),
    bad("PU", "jht_partial_withdrawals.0.on", jht_partial_withdrawals__0__on="2023-02-30"),
    bad("PU", "jht_partial_withdrawals.0.on", jht_partial_withdrawals__0__on=DELETE),
    bad("PU", "jht_partial_withdrawals.0.note", jht_partial_withdrawals__0__note="unknown field"),
    bad("PU", "jht_partial_withdrawals.0", jht_partial_withdrawals=["2023-06-15"]),
    bad("PU", "jht_partial_withdrawals", [{"on": "2021-01-04", "pct": 10}, {"on": "2023-06-15", "pct": 30}]),
    bad("PU", "jht_partial_withdrawals", {"on": "2023-06-15", "pct": 10}),
    bad("PU", "jht_partial_withdrawals", None),
    # Python's \d takes any script's digits and $ matches before a final newline: neither may pass
    *[bad("PU", "nik", v) for v in ("6112051203880001\n", "\u0661" * 16, "\uff16\uff11" * 8)],
    bad_key("PU", "kpj", "\u0661" * 11),
    bad("PU", "category", "nelayan\n"),
    bad("employer", "nib", "9120001234567\n"),
    bad("employer", "region_code", "61.12\n"),
    bad("employer", "region_code", "\u0666\u0661.\u0661\u0662"),
    bad("contributions", "items.3.period", items__3__period="2024-06\n"),
    bad("contributions", "items.3.payer", items__3__payer=f"employer:{samples.NPP}\n"),
    bad("PU", "email", "unknown@example.org"),
    bad("PU", "kpj", NEW_KPJ),
    bad("PMI", "segment", "TKI"),
    # --- project ---
    bad_key("project", "project_number", "jk-2024-0009"),
    bad_key("project", "project_number", "JK1"),
    bad_key("project", "project_number", "JK_2024_0009"),
    bad_key("project", "project_number", "J" * 33),
    *[bad("project", "contractor_npp", v) for v in ("611200", "6112000a", None, DELETE)],
    bad("project", "contractor_npp", "61129999"),  # well-formed but not in the registry
    *[bad("project", "owner_name", v) for v in ("", LONG, None, DELETE)],
    *[bad("project", "spk_number", v) for v in ("", "x" * 61, 27, None, DELETE)],
    *[bad("project", "spk_date", v) for v in (*BAD_DATES, None, DELETE)],
    *[bad("project", "contract_value", v) for v in (0, -1, 1.5, "2500000000", True, None, DELETE)],
    *[bad("project", "funding", v) for v in ("APBN-P", "apbd", "", None, DELETE)],
    *[bad("project", "region_code", v) for v in ("6112", "61.1", "61.12.5", "61.12.05.1", "", None, DELETE)],
    *[bad("project", "start_date", v) for v in (*BAD_DATES, None, DELETE)],
    *[bad("project", "end_date", v) for v in (*BAD_DATES, None, DELETE)],
    bad("project", "end_date", "2024-01-31"),  # before start_date
    *[bad("project", "registered_on", v) for v in BAD_DATES],
    bad("project", "registered_on", None),  # payments before registration
    bad("project", "payments.1.termin", payments__1__termin=1),  # the same termin twice
    *[bad("project", "payments.0.termin", payments__0__termin=v) for v in (0, 13, "1", 1.0, None, DELETE)],
    *[bad("project", "payments.1.amount", payments__1__amount=v) for v in BAD_MONEY],
    bad("project", "payments.1.amount", payments__1__amount=DELETE),
    *[bad("project", "payments.0.paid_on", payments__0__paid_on=v) for v in (*BAD_DATES, None, DELETE)],
    bad("project", "payments.0.note", payments__0__note="unknown field"),
    bad("project", "payments.1", payments__1="termin 2"),
    bad("project", "payments", "termin 1"),
    bad("project", "payments", None),
    bad("project", "vat", 275_000_000),
    bad("project", "project_number", NEW_PROJECT),
    # --- contributions batch: one bad item, the others good ---
    *[bad("contributions", "items.3.payer", items__3__payer=v) for v in (
        "employer:6112", "employer:61120001x", "vendor:61120001", "participant:2222222222", "61120001",
        f"Employer:{samples.NPP}", None, DELETE)],
    bad("contributions", "items.3.payer", items__3__payer="employer:61129999"),  # not in the registry
    bad("contributions", "items.3.payer", items__3__payer="participant:99999999999"),
    *[bad("contributions", "items.3.period", items__3__period=v) for v in (
        "2024-13", "2024-1", "202406", "2024-00", "2024-06-01", 202406, None, DELETE)],
    bad("contributions", "items.3.period", items__3__period="2024-04"),  # same payer and month as item 0
    *[bad("contributions", "items.3.amount_due", items__3__amount_due=v) for v in (*BAD_MONEY, DELETE)],
    *[bad("contributions", "items.3.amount_paid", items__3__amount_paid=v) for v in (*BAD_MONEY, DELETE)],
    *[bad("contributions", "items.3.paid_on", items__3__paid_on=v) for v in BAD_DATES],
    bad("contributions", "items.3.paid_on", items__3__paid_on=None),  # paid without a date
    bad("contributions", "items.4.paid_on", items__4__paid_on="2024-07-15"),  # a date but nothing paid
    bad("contributions", "items.3.note", items__3__note="unknown field"),
    bad("contributions", "items.3", items__3="2024-06"),
    bad("contributions", "items", []),
    bad("contributions", "items", None),
    bad("contributions", "items", DELETE),
    bad("contributions", "items", {"0": samples.contribution()}),
    bad("contributions", "source", "unknown field"),
]


def _apply(body: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(body)
    for path, value in changes.items():
        *parents, last = path.split(".")
        target: Any = body
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        index: Any = int(last) if isinstance(target, list) else last
        if value is DELETE:
            del target[index]
        elif isinstance(target, list) and index == len(target):
            target.append(value)
        else:
            target[index] = value
    return body


def _url(case: Case, key: str | None = None) -> str:
    if case.base == "employer":
        return f"/v1/employers/{key or NEW_NPP}"
    if case.base == "project":
        return f"/v1/projects/{key or NEW_PROJECT}"
    if case.base == "contributions":
        return "/v1/contributions"
    return f"/v1/participants/{key or NEW_KPJ}"


def _snapshot(app: Flask, client: FlaskClient, headers: dict[str, str]) -> dict[str, Any]:
    """Row counts of every table and the stored contributions of both payers."""
    tables = Base.metadata.sorted_tables
    # one statement counting every table (a query each cost ~1 ms, each logged and scanned for personal data)
    counting = select(*(select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables))
    with session_scope(app) as session:
        counts = dict(session.execute(counting).one()._mapping)
    listed = {payer: client.get(f"/v1/contributions?payer={payer}", headers=headers).get_json()
              for payer in (f"employer:{samples.NPP}", f"participant:{samples.KPJ_BPU}")}
    return {"counts": counts, "contributions": listed}


def _assert_422(response: Any, key: str) -> None:
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == 422
    assert body["status"] == "Unprocessable Entity"
    assert isinstance(body["message"], str) and body["message"]
    assert set(body["errors"]) == {key}, body["errors"]
    messages = body["errors"][key]
    assert messages and all(isinstance(m, str) and m for m in messages)


def _send(client: FlaskClient, case: Case, body: dict[str, Any], headers: dict[str, str],
          key: str | None = None) -> Any:
    if case.base == "contributions":
        return client.post(_url(case), json=body, headers=headers)
    return client.put(_url(case, key), json=body, headers=headers)


@pytest.fixture
def admin(auth: Any) -> dict[str, str]:
    """Headers of the admin token."""
    return auth("admin")


@pytest.fixture
def seeded(client: FlaskClient, admin: dict[str, str]) -> None:
    """The registry the cases refer to, with four months of contributions already stored."""
    samples.seed_registry(client, admin)
    assert client.post("/v1/contributions", json=samples.contributions_batch(), headers=admin).status_code == 200


def test_every_base_body_is_valid(app: Flask, client: FlaskClient, admin: dict[str, str], seeded: None) -> None:
    """The bodies the cases spoil are accepted as they are, so each 422 below is the spoiled field's doing."""
    for base, make in BASES.items():
        response = _send(client, Case(base, ""), make(), admin)
        assert response.status_code == 200, (base, response.get_json())


def test_table_covers_every_schema_field() -> None:
    """A field added to a registry schema needs a row in CASES."""
    from api.registry_schemas import (
        ContributionBatchSchema,
        ContributionSchema,
        EmployerSchema,
        JhtWithdrawalSchema,
        ParticipantSchema,
        ProjectPaymentSchema,
        ProjectSchema,
    )

    covered = {c.key.split(".")[-1] for c in CASES}
    for schema in (EmployerSchema, ParticipantSchema, JhtWithdrawalSchema, ContributionBatchSchema,
                   ContributionSchema, ProjectSchema, ProjectPaymentSchema):
        missing = set(schema().fields) - covered
        assert not missing, f"{schema.__name__}: no bad-value case for {missing}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_value_is_422_and_stores_nothing(app: Flask, client: FlaskClient, admin: dict[str, str],
                                             seeded: None, case: Case) -> None:
    body = _apply(BASES[case.base](), case.changes)
    before = _snapshot(app, client, admin)

    response = _send(client, case, body, admin, key=case.url_key)
    _assert_422(response, case.key)
    assert _snapshot(app, client, admin) == before
    if case.base != "contributions":
        assert client.get(_url(case, case.url_key), headers=admin).status_code == 404

    if case.url_key is not None or case.base == "contributions":
        return
    # the same bad body over a stored record leaves the record as it was
    good = BASES[case.base]()
    assert _send(client, case, good, admin).status_code == 200
    stored = client.get(_url(case), headers=admin).get_json()
    before = _snapshot(app, client, admin)
    _assert_422(_send(client, case, body, admin), case.key)
    assert client.get(_url(case), headers=admin).get_json() == stored
    assert _snapshot(app, client, admin) == before


def test_batch_with_one_bad_item_stores_none(app: Flask, client: FlaskClient, admin: dict[str, str],
                                             seeded: None) -> None:
    items = [samples.contribution(period=f"2025-{m:02d}") for m in range(1, 13)]
    items[7]["payer"] = "employer:61129999"
    before = client.get(f"/v1/contributions?payer=employer:{samples.NPP}", headers=admin).get_json()
    _assert_422(client.post("/v1/contributions", json={"items": items}, headers=admin), "items.7.payer")
    assert client.get(f"/v1/contributions?payer=employer:{samples.NPP}", headers=admin).get_json() == before


def test_errors_name_every_bad_field(client: FlaskClient, admin: dict[str, str], seeded: None) -> None:
    body = samples.employer(nib="1", region_code="6112", risk_class=9, colour="red")
    del body["name"]
    response = client.put(f"/v1/employers/{NEW_NPP}", json=body, headers=admin)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"name", "nib", "region_code", "risk_class", "colour"}


def test_region_code_forms_accepted(client: FlaskClient, admin: dict[str, str]) -> None:
    for code in ("61", "61.12", "61.12.05", "61.12.05.2001"):
        response = client.put(f"/v1/employers/{NEW_NPP}", json=samples.employer(region_code=code), headers=admin)
        assert response.status_code == 200, code
        assert client.get(f"/v1/employers/{NEW_NPP}", headers=admin).get_json()["region_code"] == code


@pytest.mark.parametrize("query", ["", "?payer=employer:6112", "?payer=61120001", "?payer=participant:2222"])
def test_contribution_listing_query_is_validated(client: FlaskClient, admin: dict[str, str], query: str) -> None:
    response = client.get(f"/v1/contributions{query}", headers=admin)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"payer"}


def test_patterns_are_published_in_openapi(client: FlaskClient, admin: dict[str, str]) -> None:
    """The strict validators still publish their patterns, so clients can check before sending."""
    spec = client.get("/v1/openapi.json", headers=admin).get_json()
    schemas = spec["components"]["schemas"]
    participant = next(s for name, s in schemas.items() if name.startswith("Participant"))
    assert participant["properties"]["nik"]["pattern"] == r"^\d{16}$"
    employer = next(s for name, s in schemas.items() if name.startswith("Employer"))
    assert "pattern" in employer["properties"]["region_code"]
    assert employer["properties"]["state_employer"]["type"] == "boolean"
