"""Contribution assessments through the API: amounts by payer, due date, late fine; stored and replayable."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

EX1 = {"type": "pu_month", "period": "2024-06", "wage": 5_000_000, "risk_class": 1,
       "programs": ["JKK", "JKM", "JHT", "JP"]}


def assess(client: FlaskClient, auth: Any, body: dict[str, Any], role: str = "officer") -> Any:
    return client.post("/v1/contributions/assessments", json=body, headers=auth(role))


def amounts(answer: dict[str, Any]) -> dict[str, int]:
    return {item["code"]: item["amount"] for item in answer["items"]}


def test_example_1_employer_and_worker_shares(client: FlaskClient, auth: Any) -> None:
    response = assess(client, auth, EX1)
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert amounts(answer) == {"PU_JKK": 12_000, "PU_JKM": 15_000, "PU_JHT_EMPLOYER": 185_000,
                               "PU_JHT_WORKER": 100_000, "PU_JP_EMPLOYER": 100_000, "PU_JP_WORKER": 50_000}
    assert (answer["employer_total"], answer["worker_total"], answer["total"]) == (312_000, 150_000, 462_000)
    assert (answer["due_on"], answer["months_late"], answer["fines_total"]) == ("2024-07-15", None, 0)
    assert [r["code"] for r in answer["reasons"]] == ["CONTRIBUTION_DUE"]
    jkk = next(i for i in answer["items"] if i["code"] == "PU_JKK")
    assert (jkk["payer"], jkk["rule_id"], jkk["basis"]) == ("employer", "CONTRIBUTION.PU.JKK", "5000000 x 0.0024 x 1")


def test_the_late_fine_for_a_payment_day(client: FlaskClient, auth: Any) -> None:
    answer = assess(client, auth, {**EX1, "paid_on": "2024-08-16"}).get_json()
    assert (answer["months_late"], answer["fines_total"]) == (2, 2 * (240 + 300 + 5_700 + 3_000))
    assert [r["code"] for r in answer["reasons"]] == ["CONTRIBUTION_DUE", "CONTRIBUTION_PAID_LATE"]
    assert "2 bulan" in answer["reasons"][1]["message_id"]


def test_example_3_bpu_with_and_without_jht(client: FlaskClient, auth: Any) -> None:
    body = {"type": "bpu_month", "period": "2024-06", "declared_income": 1_000_000, "programs": ["JKK", "JKM"]}
    answer = assess(client, auth, body, "licensing").get_json()
    assert (answer["self_total"], answer["employer_total"], answer["due_on"]) == (16_800, 0, "2024-06-15")
    assert assess(client, auth, {**body, "programs": ["JKK", "JKM", "JHT"]}).get_json()["self_total"] == 36_800


def test_examples_4_and_5_construction_projects(client: FlaskClient, auth: Any) -> None:
    for value, expected in ((80_000_000, 192_000), (850_000_000, 1_525_000)):
        answer = assess(client, auth, {"type": "jakon_project", "spk_date": "2024-08-01", "contract_value": value},
                        "admin").get_json()
        assert answer["employer_total"] == expected


def test_a_migrant_workers_package(client: FlaskClient, auth: Any) -> None:
    answer = assess(client, auth, {"type": "pmi", "phase": "placement", "package_months": 24,
                                   "contract_months": 30, "paid_on": "2024-01-10"}).get_json()
    assert amounts(answer) == {"PMI_PACKAGE": 332_500, "PMI_EXTRA_MONTHS": 81_000}
    assert answer["self_total"] == 413_500


def test_a_month_whose_jp_cap_is_not_recorded_is_referred_with_the_rest_computed(client: FlaskClient,
                                                                                  auth: Any) -> None:
    answer = assess(client, auth, {**EX1, "period": "2019-06"}).get_json()
    assert answer["outcome"] == "referred"
    assert [r["code"] for r in answer["reasons"]] == ["CONTRIBUTION_DUE", "JP_WAGE_CAP_NOT_RECORDED"]
    assert set(amounts(answer)) == {"PU_JKK", "PU_JKM", "PU_JHT_EMPLOYER", "PU_JHT_WORKER"}


@pytest.mark.parametrize(("body", "field"), [
    ({**EX1, "type": "monthly"}, "type"),
    ({key: value for key, value in EX1.items() if key != "wage"}, "wage"),
    ({**EX1, "risk_class": 6}, "risk_class"),
    ({**EX1, "period": "2024-13"}, "period"),
    ({**EX1, "programs": ["JKK", "JKK"]}, "programs"),
    ({**EX1, "surprise": 1}, "surprise"),
    ({"type": "jakon_project", "spk_date": "2024-08-01", "contract_value": 1, "wage": 1}, "contract_value"),
    ({"type": "pmi", "phase": "placement"}, "package_months"),
    ({"type": "bpu_month", "period": "2024-06", "declared_income": 1, "programs": ["JP"]}, "programs.0"),
])
def test_a_bad_request_names_the_field(client: FlaskClient, auth: Any, body: dict[str, Any], field: str) -> None:
    response = assess(client, auth, body)
    assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()


def test_roles(client: FlaskClient, auth: Any) -> None:
    assert assess(client, auth, EX1, "auditor").status_code == 403
    assert assess(client, auth, EX1, "admin").status_code == 201


def test_an_assessment_is_stored_and_replays_identically(client: FlaskClient, auth: Any) -> None:
    answer = assess(client, auth, {**EX1, "paid_on": "2024-08-16"}).get_json()
    record = client.get(f"/v1/decisions/{answer['decision_id']}", headers=auth("auditor")).get_json()
    assert (record["kind"], record["subject"], record["inputs"]["wage"]) == (
        "contribution_assessment", "pu_month:2024-06", 5_000_000)
    replay = client.post(f"/v1/decisions/{answer['decision_id']}/replay", json={"ruleset": "original"},
                         headers=auth("auditor")).get_json()
    assert replay["identical"] is True
