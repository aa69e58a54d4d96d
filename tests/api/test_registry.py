"""Registry round trips: what a PUT or POST stores is what a GET returns; a second write updates in place."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from api.db import session_scope
from api.models import Contribution, JhtWithdrawal, Participant, ProjectPayment

from . import samples


@pytest.fixture
def admin(auth: Any) -> dict[str, str]:
    """Headers of the admin token."""
    return auth("admin")


@pytest.fixture
def seeded(client: FlaskClient, admin: dict[str, str]) -> None:
    """The employers, projects and BPU participant every test here refers to."""
    samples.seed_registry(client, admin)


def _count(app: Flask, model: Any) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_employer_round_trip(client: FlaskClient, admin: dict[str, str]) -> None:
    body = samples.employer()
    put = client.put(f"/v1/employers/{samples.NPP}", json=body, headers=admin)
    assert put.status_code == 200
    assert put.get_json() == {**body, "npp": samples.NPP}
    got = client.get(f"/v1/employers/{samples.NPP}", headers=admin)
    assert got.status_code == 200
    assert got.get_json() == {**body, "npp": samples.NPP}


def test_employer_programs_default_to_empty(client: FlaskClient, admin: dict[str, str]) -> None:
    body = samples.employer()
    del body["programs"]
    assert client.put(f"/v1/employers/{samples.NPP}", json=body, headers=admin).status_code == 200
    assert client.get(f"/v1/employers/{samples.NPP}", headers=admin).get_json()["programs"] == []


def test_employer_put_twice_updates(client: FlaskClient, admin: dict[str, str]) -> None:
    client.put(f"/v1/employers/{samples.NPP}", json=samples.employer(), headers=admin)
    changed = samples.employer(name="PT Bangun Khatulistiwa Tbk", scale="large", risk_class=5,
                               state_employer=True, programs=["JKK", "JKM"])
    assert client.put(f"/v1/employers/{samples.NPP}", json=changed, headers=admin).status_code == 200
    assert client.get(f"/v1/employers/{samples.NPP}", headers=admin).get_json() == {**changed, "npp": samples.NPP}


@pytest.mark.parametrize("segment", sorted(samples.PARTICIPANTS))
def test_participant_round_trip(client: FlaskClient, admin: dict[str, str], seeded: None, segment: str) -> None:
    kpj, make = samples.PARTICIPANTS[segment]
    body = make()
    put = client.put(f"/v1/participants/{kpj}", json=body, headers=admin)
    assert put.status_code == 200, put.get_json()
    assert put.get_json() == {**body, "kpj": kpj}
    got = client.get(f"/v1/participants/{kpj}", headers=admin)
    assert got.status_code == 200
    assert got.get_json() == {**body, "kpj": kpj}


def test_participant_optional_fields_default(client: FlaskClient, admin: dict[str, str], seeded: None) -> None:
    body = samples.participant_pmi()
    for optional in ("employer_npp", "project_number", "wage", "actual_wage", "declared_income", "employment_ended_on",
                     "jht_balance", "jht_partial_withdrawals"):
        del body[optional]
    assert client.put(f"/v1/participants/{samples.KPJ_PMI}", json=body, headers=admin).status_code == 200
    assert client.get(f"/v1/participants/{samples.KPJ_PMI}", headers=admin).get_json() == {
        **samples.participant_pmi(), "kpj": samples.KPJ_PMI, "jht_balance": 0}


def test_participant_put_twice_replaces_withdrawals(app: Flask, client: FlaskClient, admin: dict[str, str],
                                                    seeded: None) -> None:
    url = f"/v1/participants/{samples.KPJ_PU}"
    client.put(url, json=samples.participant_pu(), headers=admin)
    before = _count(app, Participant)
    changed = samples.participant_pu(wage=5_100_000, employment_ended_on="2024-12-31", employer_npp=samples.OTHER_NPP,
                                     jht_partial_withdrawals=[{"on": "2024-01-02", "pct": 30}])
    assert client.put(url, json=changed, headers=admin).status_code == 200
    assert client.get(url, headers=admin).get_json() == {**changed, "kpj": samples.KPJ_PU}
    assert _count(app, Participant) == before
    assert _count(app, JhtWithdrawal) == 1

    client.put(url, json=samples.participant_pu(jht_partial_withdrawals=[]), headers=admin)
    assert client.get(url, headers=admin).get_json()["jht_partial_withdrawals"] == []
    assert _count(app, JhtWithdrawal) == 0


def test_participant_can_change_segment(client: FlaskClient, admin: dict[str, str], seeded: None) -> None:
    url = f"/v1/participants/{samples.KPJ_PU}"
    client.put(url, json=samples.participant_pu(), headers=admin)
    # leaves wage employment and continues as a self-paying BPU member
    bpu = samples.participant_bpu(nik=samples.participant_pu()["nik"], payer="self")
    assert client.put(url, json=bpu, headers=admin).status_code == 200
    assert client.get(url, headers=admin).get_json() == {**bpu, "kpj": samples.KPJ_PU}


def test_project_round_trip(client: FlaskClient, admin: dict[str, str], seeded: None) -> None:
    number = "JK-2024-0099"
    body = samples.project(registered_on=None, payments=[])
    put = client.put(f"/v1/projects/{number}", json=body, headers=admin)
    assert put.status_code == 200, put.get_json()
    assert put.get_json() == {**body, "project_number": number}
    assert client.get(f"/v1/projects/{number}", headers=admin).get_json() == {**body, "project_number": number}


def test_project_put_twice_replaces_payments(app: Flask, client: FlaskClient, admin: dict[str, str],
                                             seeded: None) -> None:
    url = f"/v1/projects/{samples.PROJECT}"
    assert client.get(url, headers=admin).get_json() == {**samples.project(), "project_number": samples.PROJECT}
    payments = [{"termin": 3, "amount": 1_293_750, "paid_on": "2024-11-02"},
                {"termin": 1, "amount": 2_587_500, "paid_on": "2024-01-25"}]
    changed = samples.project(contract_value=2_600_000_000, end_date="2024-12-31", payments=payments)
    assert client.put(url, json=changed, headers=admin).status_code == 200
    stored = client.get(url, headers=admin).get_json()
    # payments come back ordered by termin
    by_termin = sorted(payments, key=lambda p: p["termin"])
    assert stored == {**changed, "project_number": samples.PROJECT, "payments": by_termin}
    with session_scope(app) as session:
        termins = session.scalars(select(ProjectPayment.termin).where(ProjectPayment.project_number == samples.PROJECT))
        assert sorted(termins) == [1, 3]


def test_contributions_round_trip(client: FlaskClient, admin: dict[str, str], seeded: None) -> None:
    batch = samples.contributions_batch()
    posted = client.post("/v1/contributions", json=batch, headers=admin)
    assert posted.status_code == 200
    assert posted.get_json() == {"created": 5, "updated": 0}

    employer = client.get(f"/v1/contributions?payer=employer:{samples.NPP}", headers=admin)
    assert employer.status_code == 200
    assert employer.get_json() == batch["items"][:4]
    participant = client.get(f"/v1/contributions?payer=participant:{samples.KPJ_BPU}", headers=admin)
    assert participant.get_json() == batch["items"][4:]
    other = client.get(f"/v1/contributions?payer=employer:{samples.OTHER_NPP}", headers=admin)
    assert other.status_code == 200
    assert other.get_json() == []


def test_contributions_repost_updates(app: Flask, client: FlaskClient, admin: dict[str, str], seeded: None) -> None:
    client.post("/v1/contributions", json=samples.contributions_batch(), headers=admin)
    paid_late = samples.contribution(period="2024-04", paid_on="2024-06-03")
    may = samples.contribution(period="2024-05")
    posted = client.post("/v1/contributions", json={"items": [paid_late, may]}, headers=admin)
    assert posted.get_json() == {"created": 1, "updated": 1}
    assert _count(app, Contribution) == 6
    listed = client.get(f"/v1/contributions?payer=employer:{samples.NPP}", headers=admin).get_json()
    assert [c["period"] for c in listed] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    assert listed[3] == paid_late

    again = client.post("/v1/contributions", json={"items": [paid_late, may]}, headers=admin)
    assert again.get_json() == {"created": 0, "updated": 2}
    assert _count(app, Contribution) == 6


def test_contributions_listed_oldest_first(client: FlaskClient, admin: dict[str, str], seeded: None) -> None:
    items = [samples.contribution(period=p) for p in ("2023-12", "2023-02", "2023-11")]
    client.post("/v1/contributions", json={"items": items}, headers=admin)
    listed = client.get(f"/v1/contributions?payer=employer:{samples.NPP}", headers=admin).get_json()
    assert [c["period"] for c in listed] == ["2023-02", "2023-11", "2023-12"]


@pytest.mark.parametrize("path", [f"/v1/employers/{samples.NPP}", f"/v1/participants/{samples.KPJ_PU}",
                                  f"/v1/projects/{samples.PROJECT}"])
def test_get_unknown_record_is_404(client: FlaskClient, admin: dict[str, str], path: str) -> None:
    response = client.get(path, headers=admin)
    assert response.status_code == 404
    assert response.get_json()["code"] == 404
    assert response.get_json()["status"] == "Not Found"
