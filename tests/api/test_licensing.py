"""Licensing API: project coverage and membership clearance, stored as decisions and replayable."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from api.db import session_scope
from api.models import DecisionRecord

from . import samples

NIB = "9120001234567"
CONTRACTOR = "61715001"
PROJECT = "JK-2024-0041"


def put(client: FlaskClient, auth: Any, url: str, body: dict[str, Any]) -> None:
    response = client.put(url, json=body, headers=auth("admin"))
    assert response.status_code == 200, response.get_json()


def store_contractor(client: FlaskClient, auth: Any, **changes: Any) -> None:
    """A medium contractor in Pontianak with every programme its scale needs, registered in 2023."""
    put(client, auth, f"/v1/employers/{CONTRACTOR}",
        samples.employer(nib=NIB, region_code="61.71", registered_on="2023-01-01", **changes))


def pay_months(client: FlaskClient, auth: Any, npp: str, months: list[str], unpaid: tuple[str, ...] = ()) -> None:
    """Contribution months of employer ``npp``, each paid on the 10th of the next month unless listed unpaid."""
    items = []
    for period in months:
        year, month = int(period[:4]), int(period[5:])
        paid_on = dt.date(year + month // 12, month % 12 + 1, 10).isoformat()
        items.append({"payer": f"employer:{npp}", "period": period, "amount_due": 1_250_000,
                      "amount_paid": 0 if period in unpaid else 1_250_000,
                      "paid_on": None if period in unpaid else paid_on})
    response = client.post("/v1/contributions", json={"items": items}, headers=auth("admin"))
    assert response.status_code == 200, response.get_json()


def project_body(**changes: Any) -> dict[str, Any]:
    """EXAMPLES 41 with EXAMPLES 4's contract: SPK 1 Aug 2024, Rp80 M, first termin paid 5 Aug."""
    body = {"contractor_npp": CONTRACTOR, "owner_name": "Dinas PUPR Kota Pontianak", "spk_number": "SPK/041/2024",
            "spk_date": "2024-08-01", "contract_value": 80_000_000, "funding": "APBD", "region_code": "61.71.03",
            "start_date": "2024-08-05", "end_date": "2024-12-31", "registered_on": "2024-08-02",
            "payments": [{"termin": 1, "amount": 96_000, "paid_on": "2024-08-05"}]}
    return {**body, **changes}


def coverage(client: FlaskClient, auth: Any, number: str = PROJECT, as_of: str = "2024-08-10") -> Any:
    return client.get(f"/v1/projects/{number}/coverage?as_of={as_of}", headers=auth("licensing"))


def clearance(client: FlaskClient, auth: Any, nib: str = NIB, as_of: str = "2024-12-20",
              region: str = "61.71", purpose: str = "permit_renewal") -> Any:
    return client.get(f"/v1/clearances?nib={nib}&purpose={purpose}&region_code={region}&as_of={as_of}",
                      headers=auth("licensing"))


def codes(answer: dict[str, Any]) -> list[str]:
    return [r["code"] for r in answer["reasons"]]


def decisions(app: Flask) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(DecisionRecord)) or 0


def replay(client: FlaskClient, auth: Any, decision_id: str) -> dict[str, Any]:
    response = client.post(f"/v1/decisions/{decision_id}/replay", json={"ruleset": "original"},
                           headers=auth("auditor"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def contractor(client: FlaskClient, auth: Any) -> None:
    store_contractor(client, auth)
    put(client, auth, f"/v1/projects/{PROJECT}", project_body())


# --- project coverage -----------------------------------------------------------------------------------------

@pytest.mark.usefixtures("contractor")
def test_examples_4_and_41_covered_from_the_first_termin(client: FlaskClient, auth: Any) -> None:
    answer = coverage(client, auth).get_json()
    assert answer["status"] == "covered" and codes(answer) == ["PROJECT_COVERED"]
    assert (answer["deadline"], answer["registered_in_time"], answer["days_late"], answer["covered_from"]) == (
        "2024-08-08", True, 0, "2024-08-05")
    assert answer["contribution"] | {"basis": None, "termins": None} == {
        "jkk": 168_000, "jkm": 24_000, "total": 192_000, "basis": None, "termins": None, "unpaid_due": 0}
    assert [(t["termin"], t["amount"], t["paid"], t["status"]) for t in answer["contribution"]["termins"]] == [
        (1, 96_000, 96_000, "paid"), (2, 48_000, 0, "not_due"), (3, 48_000, 0, "not_due")]
    assert answer["reasons"][0]["citation"].startswith("Perdir BPJS Ketenagakerjaan 22/PERDIR")
    before = coverage(client, auth, as_of="2024-08-03").get_json()
    assert before["status"] == "not_covered" and codes(before) == ["PROJECT_FIRST_TERMIN_UNPAID"]
    assert "Rp96,000" in before["reasons"][0]["message_en"] and "Rp96.000" in before["reasons"][0]["message_id"]


def test_example_5_contribution_by_marginal_tiers(client: FlaskClient, auth: Any) -> None:
    store_contractor(client, auth)
    put(client, auth, f"/v1/projects/{PROJECT}",
        project_body(contract_value=850_000_000, payments=[{"termin": 1, "amount": 762_500, "paid_on": "2024-08-05"}]))
    contribution = coverage(client, auth).get_json()["contribution"]
    assert (contribution["jkk"], contribution["jkm"], contribution["total"]) == (1_345_000, 180_000, 1_525_000)
    assert contribution["basis"]["jkk"] == "(0.21 % x 100,000,000 + 0.17 % x 400,000,000 + 0.13 % x 350,000,000)"


def test_registered_late_and_paid_later_is_not_covered_in_between(client: FlaskClient, auth: Any) -> None:
    store_contractor(client, auth)
    put(client, auth, f"/v1/projects/{PROJECT}", project_body(
        registered_on="2024-08-20", payments=[{"termin": 1, "amount": 96_000, "paid_on": "2024-09-02"}]))
    between = coverage(client, auth, as_of="2024-08-25").get_json()
    assert between["status"] == "not_covered"
    assert codes(between) == ["PROJECT_FIRST_TERMIN_UNPAID", "LATE_PROJECT_REGISTRATION"]
    assert (between["registered_in_time"], between["days_late"]) == (False, 12)
    after = coverage(client, auth, as_of="2024-09-02").get_json()
    assert after["status"] == "covered" and after["covered_from"] == "2024-09-02"


def test_a_partly_paid_termin_and_overdue_termins(client: FlaskClient, auth: Any) -> None:
    store_contractor(client, auth)
    put(client, auth, f"/v1/projects/{PROJECT}",
        project_body(payments=[{"termin": 1, "amount": 60_000, "paid_on": "2024-08-05"}]))
    partly = coverage(client, auth).get_json()
    assert partly["status"] == "not_covered" and partly["contribution"]["termins"][0]["status"] == "overdue"
    assert partly["contribution"]["unpaid_due"] == 36_000
    put(client, auth, f"/v1/projects/{PROJECT}", project_body())
    ended = coverage(client, auth, as_of="2025-01-15").get_json()
    assert ended["status"] == "covered" and codes(ended) == ["PROJECT_COVERED", "TERMINS_OVERDUE"]
    assert [t["status"] for t in ended["contribution"]["termins"]] == ["paid", "overdue", "overdue"]


def test_unknown_project_is_a_404_and_a_bad_as_of_a_422(client: FlaskClient, auth: Any) -> None:
    missing = client.get("/v1/projects/JK-2099-9999/coverage", headers=auth("licensing"))
    assert missing.status_code == 404 and "JK-2099-9999" in missing.get_json()["message"]
    for bad in ("2024-13-01", "yesterday", "2015-06-30", "2999-01-01"):
        response = coverage(client, auth, as_of=bad)
        assert response.status_code == 422 and list(response.get_json()["errors"]) == ["as_of"], bad


@pytest.mark.usefixtures("contractor")
def test_coverage_is_a_stored_decision_that_replays_identically(app: Flask, client: FlaskClient, auth: Any) -> None:
    answer = coverage(client, auth).get_json()
    record = client.get(f"/v1/decisions/{answer['decision_id']}", headers=auth("auditor")).get_json()
    assert (record["kind"], record["subject"], record["hash"]) == ("project_coverage", PROJECT, answer["hash"])
    assert record["inputs"]["project"]["contract_value"] == 80_000_000
    assert record["actor"]["role"] == "licensing"
    assert replay(client, auth, answer["decision_id"])["identical"] is True
    assert decisions(app) == 1


# --- clearance -----------------------------------------------------------------------------------------------

def test_an_unknown_nib_is_not_clear_never_a_404(app: Flask, client: FlaskClient, auth: Any) -> None:
    response = clearance(client, auth, nib="9999999999999")
    assert response.status_code == 200
    answer = response.get_json()
    assert (answer["status"], codes(answer), answer["employer_name"]) == ("not_clear", ["NOT_REGISTERED"], None)
    assert answer["reasons"][0]["citation"].startswith("PP 86/2013")
    assert decisions(app) == 1


@pytest.mark.parametrize("nib", ["912000123456", "91200012345678", "91200012345ab", "９１２０００１２３４５６７"])
def test_a_nib_that_is_not_13_digits_is_a_422_naming_nib(app: Flask, client: FlaskClient, auth: Any, nib: str) -> None:
    response = clearance(client, auth, nib=nib)
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["nib"]
    assert decisions(app) == 0


def test_purpose_and_region_are_required_and_checked(client: FlaskClient, auth: Any) -> None:
    response = client.get(f"/v1/clearances?nib={NIB}&purpose=permit&region_code=6", headers=auth("licensing"))
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"purpose", "region_code"}


def test_a_paid_up_employer_with_its_programmes_is_clear(client: FlaskClient, auth: Any) -> None:
    store_contractor(client, auth)
    pay_months(client, auth, CONTRACTOR, [f"2024-{m:02d}" for m in range(1, 12)])
    answer = clearance(client, auth).get_json()
    assert (answer["status"], codes(answer)) == ("clear", ["EMPLOYER_REGISTERED"])
    assert answer["employer_name"] == "PT Bangun Khatulistiwa" and answer["checked_on"] == "2024-12-20"


@pytest.mark.parametrize(("scale", "programs", "missing"), [
    ("large", ["JKK", "JKM", "JHT", "JP"], []), ("large", ["JKK", "JKM", "JHT"], ["JP"]),
    ("medium", ["JKK", "JKM", "JHT", "JP"], []), ("medium", ["JKK", "JKM"], ["JHT", "JP"]),
    ("small", ["JKK", "JKM", "JHT"], []), ("small", ["JKK", "JKM"], ["JHT"]),
    ("micro", ["JKK", "JKM"], []), ("micro", ["JKK"], ["JKM"]),
])
def test_programmes_by_scale(client: FlaskClient, auth: Any, scale: str, programs: list[str],
                             missing: list[str]) -> None:
    store_contractor(client, auth, scale=scale, programs=programs)
    pay_months(client, auth, CONTRACTOR, [f"2024-{m:02d}" for m in range(1, 12)])
    answer = clearance(client, auth).get_json()
    if missing:
        assert (answer["status"], codes(answer)) == ("not_clear", ["EMPLOYER_REGISTERED", "PROGRAMS_INCOMPLETE"])
        assert ", ".join(missing) in answer["reasons"][1]["message_en"]
    else:
        assert (answer["status"], codes(answer)) == ("clear", ["EMPLOYER_REGISTERED"])


def test_one_overdue_month_is_not_clear_and_says_what_is_owed(client: FlaskClient, auth: Any) -> None:
    store_contractor(client, auth)
    pay_months(client, auth, CONTRACTOR, [f"2024-{m:02d}" for m in range(1, 12)], unpaid=("2024-10",))
    answer = clearance(client, auth).get_json()
    assert (answer["status"], codes(answer)) == ("not_clear", ["EMPLOYER_REGISTERED", "CONTRIBUTION_ARREARS"])
    arrears = answer["reasons"][1]
    assert "2024-10" in arrears["message_en"] and "Rp1,250,000" in arrears["message_en"]
    # the fine to date: 2 % a month begun since 15 November, two months by 20 December
    assert "fine of Rp50,000" in arrears["message_en"] and "denda sampai hari ini Rp50.000" in arrears["message_id"]
    assert "Rp1.250.000" in arrears["message_id"] and "Lunasi" in arrears["message_id"]
    # on 15 November October was due that very day: not yet overdue
    assert clearance(client, auth, as_of="2024-11-15").get_json()["status"] == "clear"
    assert clearance(client, auth, as_of="2024-11-16").get_json()["status"] == "not_clear"


def test_a_contractor_with_a_late_project_unpaid_and_then_paid(client: FlaskClient, auth: Any) -> None:
    store_contractor(client, auth)
    pay_months(client, auth, CONTRACTOR, [f"2024-{m:02d}" for m in range(1, 12)])
    put(client, auth, f"/v1/projects/{PROJECT}", project_body(registered_on=None, payments=[]))
    unregistered = clearance(client, auth, as_of="2024-08-20").get_json()
    assert codes(unregistered) == ["EMPLOYER_REGISTERED", "PROJECTS_UNREGISTERED"]
    assert PROJECT in unregistered["reasons"][1]["message_en"]
    # still within its deadline (8 August) the project does not hold the clearance up
    assert clearance(client, auth, as_of="2024-08-08").get_json()["status"] == "clear"
    put(client, auth, f"/v1/projects/{PROJECT}", project_body(registered_on="2024-08-20", payments=[]))
    unpaid = clearance(client, auth, as_of="2024-08-21").get_json()
    assert codes(unpaid) == ["EMPLOYER_REGISTERED", "PROJECTS_UNPAID"]
    assert "Rp96,000" in unpaid["reasons"][1]["message_en"]
    put(client, auth, f"/v1/projects/{PROJECT}", project_body(
        registered_on="2024-08-20", payments=[{"termin": 1, "amount": 96_000, "paid_on": "2024-08-22"}]))
    assert clearance(client, auth, as_of="2024-08-22").get_json()["status"] == "clear"


def test_a_micro_employer_needs_only_jkk_and_jkm(client: FlaskClient, auth: Any) -> None:
    put(client, auth, "/v1/employers/61710019", samples.employer(
        nib="9120007777777", scale="micro", sector="retail", risk_class=1, programs=["JKK", "JKM"],
        registered_on="2024-01-01"))
    pay_months(client, auth, "61710019", [f"2024-{m:02d}" for m in range(1, 12)])
    assert clearance(client, auth, nib="9120007777777").get_json()["status"] == "clear"


@pytest.mark.usefixtures("contractor")
def test_clearance_is_a_stored_decision_that_replays_identically(client: FlaskClient, auth: Any) -> None:
    answer = clearance(client, auth).get_json()
    record = client.get(f"/v1/decisions/{answer['decision_id']}", headers=auth("auditor")).get_json()
    assert (record["kind"], record["subject"], record["result"]["outcome"]) == ("clearance", NIB, "approved")
    assert replay(client, auth, answer["decision_id"])["identical"] is True


# --- batch ---------------------------------------------------------------------------------------------------

def test_a_batch_answers_each_item_in_order_and_stores_each(app: Flask, client: FlaskClient, auth: Any) -> None:
    store_contractor(client, auth)
    pay_months(client, auth, CONTRACTOR, [f"2024-{m:02d}" for m in range(1, 12)])
    items = [{"nib": NIB, "purpose": "permit_renewal", "region_code": "61.71"},
             {"nib": "9999999999999", "purpose": "permit_issue", "region_code": "61.71"},
             {"nib": NIB, "purpose": "permit_issue", "region_code": "61.12"}]
    response = client.post("/v1/clearances/batch", json={"as_of": "2024-12-20", "items": items},
                           headers=auth("licensing"))
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert (answer["count"], answer["clear"]) == (3, 2)
    assert [(a["nib"], a["status"], a["purpose"]) for a in answer["items"]] == [
        (NIB, "clear", "permit_renewal"), ("9999999999999", "not_clear", "permit_issue"),
        (NIB, "clear", "permit_issue")]
    assert decisions(app) == 3
    assert len({a["decision_id"] for a in answer["items"]}) == 3


def test_an_invalid_item_refuses_the_whole_batch_and_stores_nothing(app: Flask, client: FlaskClient,
                                                                     auth: Any) -> None:
    items = [{"nib": NIB, "purpose": "permit_renewal", "region_code": "61.71"}] * 3
    items = [*items, {"nib": "123", "purpose": "permit_renewal", "region_code": "61.71"}]
    response = client.post("/v1/clearances/batch", json={"items": items}, headers=auth("licensing"))
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["items.3.nib"]
    too_many = [{"nib": NIB, "purpose": "permit_renewal", "region_code": "61.71"}] * 501
    response = client.post("/v1/clearances/batch", json={"items": too_many}, headers=auth("licensing"))
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["items"]
    assert decisions(app) == 0


# --- who may ask, and what they see ---------------------------------------------------------------------------

def test_only_the_licensing_role_checks(client: FlaskClient, auth: Any) -> None:
    for role in ("officer", "auditor", "admin"):
        assert clearance(client, {"licensing": auth(role)}.__getitem__).status_code == 403, role


def test_licensing_answers_carry_no_worker_data(client: FlaskClient, auth: Any) -> None:
    store_contractor(client, auth)
    put(client, auth, f"/v1/projects/{PROJECT}", project_body())
    worker = samples.participant_jakon(employer_npp=CONTRACTOR, project_number=PROJECT,
                                       nik=samples.SECRET_NIK, name=samples.SECRET_NAME, wage=samples.SECRET_WAGE)
    put(client, auth, f"/v1/participants/{samples.KPJ_JAKON}", worker)
    answers = [clearance(client, auth).get_json(), coverage(client, auth).get_json(),
               client.post("/v1/clearances/batch", json={"items": [{"nib": NIB, "purpose": "permit_issue",
                                                                    "region_code": "61.71"}]},
                           headers=auth("licensing")).get_json()]
    text = json.dumps(answers)
    for secret in (samples.SECRET_NIK, samples.SECRET_NAME, str(samples.SECRET_WAGE), samples.KPJ_JAKON):
        assert secret not in text
