"""The legal review of the rules (issue 11), end to end through POST /v1/claims: the JHT retirement age of the
contract, the named items of the disability table, the benefit items of PP 82/2019, a suspected work accident, and
an under-reported wage whose shortfall the employer owes."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from .test_examples import KPJ, NPP, Registry, amounts, codes

JHT_PAPERS = ("kpj_card", "ktp", "bank_book")


@pytest.fixture
def registry(client: FlaskClient, auth: Any) -> Registry:
    """A large, current employer paying for its workers from July 2015 to October 2026 (as in test_examples)."""
    reg = Registry(client, auth)
    reg.employer()
    reg.paid_months(f"employer:{NPP}", "2015-07", "2026-10")
    return reg


def reason(decision: dict[str, Any], code: str) -> dict[str, Any]:
    return next(r for r in decision["reasons"] if r["code"] == code)


def test_item_7_a_retirement_below_56_is_referred_then_decided_on_the_contractual_age(
        registry: Registry, client: FlaskClient, auth: Any) -> None:
    # born 1 March 1969: 55 on each retirement date of 2024 below
    registry.participant(birth_date="1969-03-01", jht_balance=20_000_000, employment_ended_on="2024-03-01")
    unproven = registry.claim("JHT", "2024-03-15", {"reason": "retirement", "date": "2024-03-01"},
                              documents=JHT_PAPERS)
    assert unproven["outcome"] == "referred" and "JHT_RETIREMENT_AGE_TO_VERIFY" in codes(unproven)
    assert reason(unproven, "JHT_RETIREMENT_AGE_TO_VERIFY")["citation"] == "Permenaker 4/2022 Pasal 6"
    assert [(b["code"], b["amount"]) for b in unproven["provisional_benefits"]] == [("JHT_BALANCE", 20_000_000)]
    # a contractual age stated without its document is still for a person to check
    undocumented = registry.claim("JHT", "2024-03-15", {"reason": "retirement", "date": "2024-03-02",
                                                        "contractual_retirement_age": 55}, documents=JHT_PAPERS)
    assert undocumented["outcome"] == "referred" and "JHT_RETIREMENT_AGE_TO_VERIFY" in codes(undocumented)
    # with the contract's retirement age and the document: decided on that age
    contract = registry.claim("JHT", "2024-03-15", {"reason": "retirement", "date": "2024-03-03",
                                                    "contractual_retirement_age": 55},
                              documents=(*JHT_PAPERS, "retirement_age_document"))
    assert contract["outcome"] == "approved" and amounts(contract) == {"JHT_BALANCE": 20_000_000}
    assert "JHT_CONTRACTUAL_RETIREMENT_AGE" in codes(contract)
    assert "55" in reason(contract, "JHT_CONTRACTUAL_RETIREMENT_AGE")["message_en"]
    later = registry.claim("JHT", "2024-03-15", {"reason": "retirement", "date": "2024-03-04",
                                                 "contractual_retirement_age": 57},
                           documents=(*JHT_PAPERS, "retirement_age_document"))
    assert later["outcome"] == "rejected" and codes(later) == ["JHT_BELOW_RETIREMENT_AGE"]
    assert "57" in later["reasons"][0]["message_en"] and "56" in later["reasons"][0]["message_en"]


def test_item_7_a_supervisor_records_whether_the_retirement_age_was_reached(
        registry: Registry, client: FlaskClient, auth: Any) -> None:
    registry.participant(birth_date="1969-03-01", jht_balance=20_000_000)
    filed = client.post("/v1/claims", headers={**auth("officer"), "Idempotency-Key": "retirement-review-1"}, json={
        "claim_type": "JHT", "kpj": KPJ, "filed_on": "2024-03-15",
        "incident": {"reason": "retirement", "date": "2024-03-01"}, "documents": list(JHT_PAPERS)}).get_json()
    assert filed["status"] == "referred"
    reviewed = client.post(f"/v1/claims/{filed['claim_id']}/reviews", headers=auth("supervisor"),
                           json={"findings": {"retirement_age": "reached"},
                                 "note": "Peraturan perusahaan Pasal 40: usia pensiun 55 tahun."})
    assert reviewed.status_code == 200, reviewed.get_json()
    decision = reviewed.get_json()["decision"]
    assert decision["outcome"] == "approved" and "RETIREMENT_AGE_CONFIRMED" in codes(decision)
    assert decision["total_amount"] == 20_000_000


def test_item_7_a_contractual_age_is_a_retirement_s_and_within_its_range(client: FlaskClient, auth: Any) -> None:
    for incident, message in (({"reason": "retirement", "date": "2024-03-01", "contractual_retirement_age": 30},
                               "greater than or equal to 40 and less than or equal to 75"),
                              ({"reason": "resignation", "date": "2024-03-01", "contractual_retirement_age": 55},
                               "Only for reason retirement")):
        response = client.post("/v1/claims/evaluate", headers=auth("officer"), json={
            "claim_type": "JHT", "kpj": KPJ, "filed_on": "2024-03-15", "incident": incident})
        assert response.status_code == 422, response.get_json()
        errors = response.get_json()["errors"]
        assert message in " ".join(errors["incident.contractual_retirement_age"]), errors


def accident(date: str, outcome: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"date": date, "kind": "workplace", "reported_on": date, "outcome": outcome, **extra}


def test_item_8_a_named_item_of_the_disability_table_pays_on_the_table_s_percentage(
        registry: Registry, client: FlaskClient, auth: Any) -> None:
    registry.participant()  # reported wage 5,000,000
    eyes = registry.claim("JKK", "2024-04-10", accident("2024-03-10", {"type": "partial_disability",
                                                                       "disability_item": "both_eyes"}))
    assert eyes["outcome"] == "approved" and amounts(eyes) == {"JKK_PARTIAL_DISABILITY": 280_000_000}
    table = reason(eyes, "DISABILITY_TABLE_ITEM")
    assert table["citation"] == "PP 44/2015 Lampiran, tabel persentase cacat" and "70%" in table["message_en"]
    # a left-handed worker's right arm is the table's left-arm percentage
    arm = registry.claim("JKK", "2024-04-10", accident("2024-03-11", {
        "type": "partial_disability", "disability_item": "right_arm_from_shoulder", "left_handed": True}))
    assert amounts(arm) == {"JKK_PARTIAL_DISABILITY": 140_000_000}
    # a raw percentage stays accepted with the doctor's statement
    raw = registry.claim("JKK", "2024-04-10", accident("2024-03-12", {"type": "partial_disability",
                                                                      "disability_pct": 25}))
    assert raw["outcome"] == "approved" and amounts(raw) == {"JKK_PARTIAL_DISABILITY": 100_000_000}
    assert "DISABILITY_TABLE_ITEM" not in codes(raw) and "doctor_statement" in raw["documents_required"]


def test_item_8_a_doctor_s_percentage_outside_the_table_is_referred_and_a_supervisor_weighs_it(
        registry: Registry, client: FlaskClient, auth: Any) -> None:
    registry.participant()
    body = {"claim_type": "JKK", "kpj": KPJ, "filed_on": "2024-04-10", "documents": [
        "kpj_card", "ktp", "doctor_statement", "stage1_report_form", "stage2_report_form", "attendance_record"],
        "incident": accident("2024-03-10", {"type": "partial_disability", "disability_item": "scalp",
                                            "disability_pct": 35})}
    filed = client.post("/v1/claims", json=body, headers={**auth("officer"), "Idempotency-Key": "scalp-35-percent"})
    claim = filed.get_json()
    assert claim["status"] == "referred" and "DISABILITY_PCT_OUTSIDE_TABLE" in codes(claim["decision"])
    assert "10% to 30%" in reason(claim["decision"], "DISABILITY_PCT_OUTSIDE_TABLE")["message_en"]
    reviewed = client.post(f"/v1/claims/{claim['claim_id']}/reviews", headers=auth("supervisor"),
                           json={"findings": {"disability_pct": "accepted"}})
    assert reviewed.status_code == 200, reviewed.get_json()
    decision = reviewed.get_json()["decision"]
    assert decision["outcome"] == "approved" and amounts(decision) == {"JKK_PARTIAL_DISABILITY": 140_000_000}


def test_item_8_the_outcome_needs_a_percentage_or_an_item(client: FlaskClient, auth: Any) -> None:
    for outcome, field, message in (
            ({"type": "partial_disability"}, "incident.outcome.disability_pct", "unless disability_item is given"),
            ({"type": "recovered", "disability_item": "one_eye"}, "incident.outcome.disability_item",
             "Only when type is partial_disability"),
            ({"type": "partial_disability", "disability_item": "three_eyes"}, "incident.outcome.disability_item",
             "both_eyes")):
        response = client.post("/v1/claims/evaluate", headers=auth("officer"), json={
            "claim_type": "JKK", "kpj": KPJ, "filed_on": "2024-04-10", "incident": accident("2024-03-10", outcome)})
        assert response.status_code == 422, response.get_json()
        assert message in " ".join(response.get_json()["errors"][field]), response.get_json()


def test_item_9_home_care_and_aids_are_paid_from_the_incident_s_costs_up_to_their_caps(
        registry: Registry, client: FlaskClient, auth: Any) -> None:
    registry.participant()
    costs = {"medical": 3_000_000, "home_care": {"amount": 26_000_000, "months": 13},
             "aids": [{"kind": "dentures", "amount": 6_000_000}, {"kind": "hearing_aid", "amount": 1_000_000},
                      {"kind": "glasses", "amount": 700_000}, {"kind": "glasses", "amount": 500_000}]}
    decision = registry.claim("JKK", "2024-06-10", accident("2024-03-10", {"type": "partial_disability",
                                                                           "disability_pct": 10}, costs=costs))
    assert decision["outcome"] == "approved"
    # home care: 26 M over 13 months counts 24 M for the first 12, capped at 20 M; each aid up to its cap
    assert amounts(decision) == {"JKK_PARTIAL_DISABILITY": 40_000_000, "JKK_HOME_CARE": 20_000_000,
                                 "JKK_DENTURES": 5_000_000, "JKK_HEARING_AID": 1_000_000, "JKK_GLASSES": 1_000_000,
                                 "JKK_MEDICAL": 3_000_000}
    assert {"HOME_CARE_BEYOND_LIMIT", "RETURN_TO_WORK_PROGRAMME"} <= set(codes(decision))
    home_care = next(b for b in decision["benefits"] if b["code"] == "JKK_HOME_CARE")
    assert home_care["citation"] == "PP 82/2019 tabel manfaat JKK" and "20.000.000" in home_care["basis_id"]
    assert "medical_receipts" in decision["documents_required"]
    # before PP 82/2019 these are no items of their own: the decision says so and pays the rest
    before = registry.claim("JKK", "2019-12-20", accident("2019-12-01", {"type": "recovered"}, costs=costs))
    assert before["outcome"] == "approved" and amounts(before) == {"JKK_MEDICAL": 3_000_000}
    assert "PP82_ITEMS_NOT_IN_FORCE" in codes(before) and "RETURN_TO_WORK_PROGRAMME" not in codes(before)


def test_item_9_home_care_states_how_long_it_lasted(client: FlaskClient, auth: Any) -> None:
    response = client.post("/v1/claims/evaluate", headers=auth("officer"), json={
        "claim_type": "JKK", "kpj": KPJ, "filed_on": "2024-04-10",
        "incident": accident("2024-03-10", {"type": "recovered"},
                             costs={"home_care": {"amount": 1_000_000, "months": 0},
                                    "aids": [{"kind": "wheelchair", "amount": 1}]})})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "greater than or equal to 1" in " ".join(errors["incident.costs.home_care.months"]), errors
    assert "glasses" in " ".join(errors["incident.costs.aids.0.kind"]), errors


def test_item_10_a_suspected_work_accident_is_referred_with_its_due_date_and_the_care_guarantee(
        registry: Registry, client: FlaskClient, auth: Any) -> None:
    registry.participant()
    incident = accident("2024-03-10", {"type": "temporary_incapacity", "incapacity_months": 1}, suspected=True,
                        reported_on="2024-03-11", costs={"medical": 2_500_000})
    body = {"claim_type": "JKK", "kpj": KPJ, "filed_on": "2024-03-20", "incident": incident, "documents": [
        "kpj_card", "ktp", "doctor_statement", "stage1_report_form", "stage2_report_form", "attendance_record",
        "medical_receipts"]}
    filed = client.post("/v1/claims", json=body, headers={**auth("officer"), "Idempotency-Key": "suspected-kk-1"})
    claim = filed.get_json()
    assert claim["status"] == "referred", claim
    assert codes(claim["decision"])[-2:] == ["SUSPECTED_WORK_ACCIDENT", "SUSPECTED_MEDICAL_GUARANTEE"]
    due = reason(claim["decision"], "SUSPECTED_WORK_ACCIDENT")
    assert due["citation"] == "PP 49/2023 Pasal 25A dan Pasal 25B"
    assert "10 April 2024" in due["message_en"] and "30 days" in due["message_en"]
    assert "guarantees" in reason(claim["decision"], "SUSPECTED_MEDICAL_GUARANTEE")["message_en"]
    concluded = client.post(f"/v1/claims/{claim['claim_id']}/reviews", headers=auth("supervisor"),
                            json={"findings": {"suspected": "work_accident"}})
    assert concluded.status_code == 200, concluded.get_json()
    decision = concluded.get_json()["decision"]
    assert decision["outcome"] == "approved" and "SUSPECTED_CONFIRMED" in codes(decision)
    assert amounts(decision) == {"JKK_STMB": 5_000_000, "JKK_MEDICAL": 2_500_000}
    # before PP 49/2023 the flag has no effect: the claim is decided on the kind of event it states
    before = registry.claim("JKK", "2023-10-20", accident("2023-10-05", {"type": "recovered"}, suspected=True))
    assert before["outcome"] == "approved" and not [c for c in codes(before) if c.startswith("SUSPECTED")]


def test_item_11_an_under_reported_wage_leaves_the_shortfall_to_the_employer(
        registry: Registry, client: FlaskClient, auth: Any) -> None:
    registry.participant()  # reported wage 5,000,000
    decision = registry.claim("JKK", "2024-06-10", accident(
        "2024-03-10", {"type": "temporary_incapacity", "incapacity_months": 15}, actual_wage=7_000_000))
    assert decision["outcome"] == "approved" and decision["liability"] == "bpjs"
    # BPJS pays 12 x 100 % + 3 x 50 % of the reported wage; the employer owes the same months of the 2,000,000 it
    # did not report, as an item of its own outside the total
    by_code = {b["code"]: b for b in decision["benefits"]}
    assert by_code["JKK_STMB"]["amount"] == 67_500_000 and "payer" not in by_code["JKK_STMB"]
    shortfall = by_code["JKK_STMB_WAGE_SHORTFALL"]
    assert (shortfall["amount"], shortfall["payer"]) == (27_000_000, "employer")
    assert "upah sebenarnya Rp7.000.000" in shortfall["basis_id"]
    assert "upah terlapor Rp5.000.000" in shortfall["basis_id"]
    assert decision["total_amount"] == 67_500_000 and decision["employer_total"] == 27_000_000
    under = reason(decision, "WAGE_UNDER_REPORTED")
    assert under["rule_id"] == "JKK.WAGE_UNDER_REPORTED" and "Rp7,000,000" in under["message_en"]
    claim_id = client.get(f"/v1/claims?kpj={KPJ}", headers=auth("officer")).get_json()["items"][0]["claim_id"]
    explained = client.get(f"/v1/claims/{claim_id}/explanation",
                           headers={**auth("officer"), "Accept-Language": "en"}).get_json()
    assert "the employer owes Rp27,000,000 of its own" in explained["summary"]
    # no actual wage stated, or none above the reported one: nothing for the employer
    plain = registry.claim("JKK", "2024-06-10", accident(
        "2024-03-11", {"type": "temporary_incapacity", "incapacity_months": 15}, actual_wage=5_000_000))
    assert amounts(plain) == {"JKK_STMB": 67_500_000} and "employer_total" not in plain


def test_item_11_the_employer_owes_the_death_lump_sum_the_actual_wage_would_have_paid(
        registry: Registry) -> None:
    registry.participant(wage=300_000)
    decision = registry.claim("JKK", "2024-04-01", accident("2024-03-10", {"type": "death"}, actual_wage=500_000),
                              heirs=[{"relation": "spouse", "birth_date": "1982-03-03"}])
    assert decision["outcome"] == "approved" and decision["total_amount"] == 42_000_000
    assert decision["employer_total"] == 4_000_000  # 48 x 500,000 = 24,000,000 less the 20,000,000 floor paid


def test_item_11_the_registry_may_hold_the_actual_wage(registry: Registry, client: FlaskClient, auth: Any) -> None:
    registry.participant(actual_wage=6_000_000)  # an inspection found 6,000,000 where 5,000,000 is reported
    stored = client.get(f"/v1/participants/{KPJ}", headers=auth("admin")).get_json()
    assert (stored["wage"], stored["actual_wage"]) == (5_000_000, 6_000_000)
    decision = registry.claim("JKK", "2024-06-10", accident(
        "2024-03-10", {"type": "partial_disability", "disability_pct": 10}))
    # 10 % x 80 x 5,000,000 from BPJS, 10 % x 80 x 1,000,000 from the employer
    assert amounts(decision) == {"JKK_PARTIAL_DISABILITY": 40_000_000,
                                 "JKK_PARTIAL_DISABILITY_WAGE_SHORTFALL": 8_000_000}
    assert decision["employer_total"] == 8_000_000 and "WAGE_UNDER_REPORTED" in codes(decision)
    # the claim's own statement comes first
    stated = registry.claim("JKK", "2024-06-10", accident(
        "2024-03-11", {"type": "partial_disability", "disability_pct": 10}, actual_wage=7_000_000))
    assert stated["employer_total"] == 16_000_000
    base = {"nik": "6171010101800001", "name": "Contoh Peserta", "birth_date": "1980-01-01", "category": "karyawan",
            "programs": ["JKK", "JKM"], "membership_start": "2015-07-01", "payer": "employer"}
    for changes, message in (({"segment": "PU", "employer_npp": NPP, "wage": 5_000_000, "actual_wage": 5_000_000},
                              "Must be above wage (5000000)"),
                             ({"segment": "BPU", "declared_income": 2_000_000, "actual_wage": 3_000_000,
                               "payer": "self"}, "Not used for segment BPU")):
        refused = client.put(f"/v1/participants/{KPJ}", json={**base, **changes}, headers=auth("admin"))
        assert refused.status_code == 422 and message in " ".join(refused.get_json()["errors"]["actual_wage"])
