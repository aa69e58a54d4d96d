"""claim_facts: a claim body and registry dicts become catalogue facts the shipped rules decide on."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from adjudication import Ruleset, load_ruleset
from adjudication.claim_facts import claim_facts, event_date

from .conftest import RULES_DIR

D = dt.date
PARTICIPANT = {"kpj": "12345678901", "birth_date": D(1985, 5, 1), "segment": "PU", "category": "buruh_harian",
               "programs": ["JKK", "JKM", "JHT"], "membership_start": D(2020, 1, 1), "wage": 5000000,
               "declared_income": None, "payer": "employer", "employment_ended_on": None, "jht_balance": 0,
               "jht_partial_withdrawals": []}
EMPLOYER = {"npp": "AB123456", "scale": "large", "risk_class": 2, "state_employer": False}
DEATH_DOCUMENTS = ["kpj_card", "ktp", "heir_ktp", "family_card", "death_certificate", "heir_certificate",
                   "doctor_statement", "stage1_report_form", "stage2_report_form", "attendance_record",
                   "transport_receipts", "school_statement", "birth_certificate", "student_card"]
CLAIM = {"claim_type": "JKK", "kpj": "12345678901", "filed_on": D(2024, 4, 1), "documents": DEATH_DOCUMENTS,
         "incident": {"date": D(2024, 3, 10), "kind": "workplace", "reported_on": D(2024, 3, 11),
                      "route_deviation": False, "diagnosed_on": None, "flags": [],
                      "outcome": {"type": "death"}, "costs": {"transport": [{"mode": "land", "amount": 300000},
                                                                            {"mode": "land", "amount": 200000}],
                                                              "medical": 0}},
         "heirs": [{"relation": "child", "birth_date": D(2012, 1, 1), "education_level": "sd"},
                   {"relation": "child", "birth_date": D(2008, 1, 1), "education_level": "sma"},
                   {"relation": "spouse"}]}
PAID = [{"period": f"2024-{m:02d}", "amount_due": 1, "amount_paid": 1, "paid_on": D(2024, m + 1, 10)}
        for m in (1,)] + [{"period": f"2023-{m:02d}", "amount_due": 1, "amount_paid": 1, "paid_on": D(2023, m, 28)}
                          for m in range(1, 13)]


@functools.cache
def _shipped() -> Ruleset:
    return load_ruleset(RULES_DIR)


def facts_of(claim: Mapping[str, Any], participant: Mapping[str, Any] | None = None,
             employer: Mapping[str, Any] | None = None, project: Mapping[str, Any] | None = None,
             contributions: Iterable[Any] = (), duplicate_of: str | None = None) -> dict[str, Any]:
    """claim_facts under the shipped ruleset's parameters."""
    return claim_facts(claim, participant, employer, project, contributions, _shipped().parameters, duplicate_of)


def test_example_11_pu_death_from_a_workplace_accident(shipped: Ruleset) -> None:
    facts = facts_of(CLAIM, PARTICIPANT, EMPLOYER, None, PAID)
    json.dumps(facts)  # JSON-ready for the decision log
    assert facts["event_date"] == "2024-03-10"
    assert facts["school_children"] == 2 and facts["heirs_count"] == 3
    assert facts["transport_land"] == 500000
    assert facts["contribution_overdue_months"] == 0
    assert "declared_income" not in facts  # None values are left out
    assert (facts["scholarship_children_tk_sd"], facts["scholarship_children_sma"]) == (1, 1)
    decision = shipped.evaluate(facts)
    assert (decision.outcome, decision.liability) == ("approved", "bpjs")
    assert {b.code: b.amount for b in decision.benefits} == {
        "JKK_DEATH_LUMP_SUM": 240000000, "JKK_DEATH_PERIODIC": 12000000, "JKK_DEATH_FUNERAL": 10000000,
        "JKK_TRANSPORT_LAND": 500000, "JKK_SCHOLARSHIP": 4500000}
    assert decision.documents_missing == ()
    without_papers = shipped.evaluate({**facts, "documents": ["ktp", "kpj_card"]})
    assert without_papers.outcome == "referred" and "heir_certificate" in without_papers.documents_missing
    assert shipped.evaluate(decision.facts) == decision  # replaying the stored facts gives the same decision


def test_occupational_disease_uses_the_diagnosis_date(shipped: Ruleset) -> None:
    claim = {**CLAIM, "filed_on": D(2025, 3, 1),
             "incident": {**CLAIM["incident"], "kind": "occupational_disease", "date": D(2021, 6, 1),
                          "diagnosed_on": D(2025, 2, 1), "reported_on": D(2025, 2, 2),
                          "outcome": {"type": "recovered"}}}
    participant = {**PARTICIPANT, "employment_ended_on": D(2022, 1, 1)}
    assert event_date(claim) == D(2025, 2, 1)
    facts = facts_of(claim, participant, EMPLOYER, None, PAID)
    assert facts["pak_years_after_employment"] == 4
    decision = shipped.evaluate(facts)
    assert decision.outcome == "rejected"
    # the employer's months after the worker left (2023, 2024) are not the worker's: no arrears are read from them
    assert facts["contribution_overdue_months"] == 0
    # the kind of accident is a note for a claim that may be paid: a rejection leaves it out
    assert [r.code for r in decision.reasons] == ["PAK_AFTER_EMPLOYMENT_WINDOW"]


def test_unknown_participant_and_duplicate(shipped: Ruleset) -> None:
    facts = facts_of(CLAIM, None, duplicate_of="c-1")
    assert facts["participant_registered"] is False
    decision = shipped.evaluate(facts)
    # the heirs and the kind of accident are payment notes: a rejection leaves them out
    assert [r.code for r in decision.reasons] == ["DUPLICATE_CLAIM", "NOT_A_PARTICIPANT", "EMPLOYER_OWES_EQUIVALENT"]
    assert "c-1" in decision.reasons[0].message_en and "c-1" in decision.reasons[0].message_id


def test_jkm_and_jht_facts() -> None:
    jkm = facts_of({"claim_type": "JKM", "filed_on": "2024-08-01",
                       "incident": {"date": "2024-07-20", "cause": "natural", "placement": None}},
                      {**PARTICIPANT, "segment": "BPU", "declared_income": 1000000, "wage": None}, None, None, [])
    assert (jkm["death_cause"], jkm["segment"], jkm["contribution_active"]) == ("natural", "BPU", False)
    jht = facts_of({"claim_type": "JHT", "filed_on": "2025-02-20",
                       "incident": {"reason": "resignation", "date": "2025-01-31"}}, PARTICIPANT)
    assert jht["jht_reason"] == "resignation" and jht["event_date"] == "2025-01-31"


def child(born: dt.date, level: str = "sd", **changes: object) -> dict[str, object]:
    return {"relation": "child", "birth_date": born, "education_level": level, "married": False, "working": False,
            **changes}


def test_scholarship_children_the_day_before_and_the_day_of_turning_23() -> None:
    on = D(2024, 3, 10)
    base = {**CLAIM, "incident": {**CLAIM["incident"], "date": on}}
    turning = facts_of({**base, "heirs": [child(D(2001, 3, 11), "university")]}, PARTICIPANT)
    assert (turning["school_children"], turning["scholarship_children_university"]) == (1, 1)  # still 22
    turned = facts_of({**base, "heirs": [child(D(2001, 3, 10), "university")]}, PARTICIPANT)
    assert (turned["school_children"], turned["scholarship_children_university"]) == (0, 0)  # 23 today


def test_scholarship_takes_the_two_eldest_eligible_children() -> None:
    heirs = [child(D(2015, 1, 1), "sd"), child(D(2004, 1, 1), "university", married=True),
             child(D(2006, 1, 1), "university", working=True), child(D(2020, 1, 1), "none"),
             child(D(2009, 1, 1), "sma"), child(D(2011, 1, 1), "smp"), {"relation": "spouse"}]
    facts = facts_of({**CLAIM, "heirs": heirs}, PARTICIPANT)
    assert facts["school_children"] == 3  # SD, SMA, SMP; married, working and not-at-school excluded
    assert [facts[f"scholarship_children_{level}"] for level in ("tk_sd", "smp", "sma", "university")] == [0, 1, 1, 0]


@pytest.mark.parametrize(("relations", "heir_class", "entitled"), [
    (["parent", "spouse", "child"], 1, "child, spouse"),
    (["sibling", "grandparent", "parent"], 2, "grandparent, parent"),
    (["sibling", "parent_in_law"], 3, "sibling"),
    (["parent_in_law", "will_beneficiary"], 4, "parent_in_law"),
    (["will_beneficiary"], 5, "will_beneficiary"),
    ([], 6, None),
])
def test_heirs_in_the_legal_order(relations: list[str], heir_class: int, entitled: str | None) -> None:
    heirs = [{"relation": r, "birth_date": D(1990, 1, 1)} for r in relations]
    facts = facts_of({**CLAIM, "heirs": heirs}, PARTICIPANT)
    assert facts["heir_class"] == heir_class
    assert facts.get("heirs_entitled") == entitled


@pytest.mark.parametrize(("filed", "months"), [(D(2025, 2, 20), 0), (D(2025, 2, 27), 0), (D(2025, 2, 28), 1),
                                               (D(2025, 3, 1), 1), (D(2025, 3, 31), 2)])
def test_example_36_months_from_the_resignation_to_the_filing(filed: dt.date, months: int) -> None:
    facts = facts_of({"claim_type": "JHT", "filed_on": filed,
                         "incident": {"reason": "resignation", "date": D(2025, 1, 31)}}, PARTICIPANT)
    assert facts["months_event_to_filing"] == months


def bpu_months(paid: int) -> list[dict[str, object]]:
    """BPU contributions paid for ``paid`` months from January 2022, each on the 10th of its month."""
    rows = []
    for i in range(paid):
        year, month = 2022 + i // 12, i % 12 + 1
        rows.append({"period": f"{year}-{month:02d}", "amount_due": 16800, "amount_paid": 16800,
                     "paid_on": D(year, month, 10)})
    return rows


def test_contribution_period_counts_paid_months_for_bpu_and_membership_for_pu() -> None:
    bpu = {**PARTICIPANT, "segment": "BPU", "membership_start": D(2022, 1, 1), "declared_income": 1000000}
    jkm = {"claim_type": "JKM", "filed_on": D(2025, 1, 5), "incident": {"date": D(2024, 12, 20), "cause": "natural"}}
    assert facts_of(jkm, bpu, None, None, bpu_months(35))["contribution_period_months"] == 35
    assert facts_of(jkm, bpu, None, None, bpu_months(36))["contribution_period_months"] == 36
    pu = facts_of(jkm, {**PARTICIPANT, "membership_start": D(2021, 12, 20)}, EMPLOYER, None, PAID)
    # 36 months of membership; the employer paid 2023-01 .. 2024-01: 2024-02 .. 2024-11 (due by 15 Dec) unpaid
    assert pu["contribution_period_months"] == 36 - 10
    jakon = facts_of(jkm, {**PARTICIPANT, "segment": "JAKON", "membership_start": D(2022, 12, 20)})
    assert jakon["contribution_period_months"] == 24


def test_jakon_project_facts(shipped: Ruleset) -> None:
    jakon = {**PARTICIPANT, "segment": "JAKON", "membership_start": D(2024, 8, 2), "wage": 3500000,
             "programs": ["JKK", "JKM"]}
    project = {"spk_date": D(2024, 8, 1), "region_code": "61.71.03", "registered_on": D(2024, 8, 2),
               "contract_value": 80_000_000, "end_date": D(2024, 12, 31),
               "payments": [{"termin": 1, "amount": 96000, "paid_on": D(2024, 8, 5)}]}
    fall = {**CLAIM, "heirs": [], "incident": {**CLAIM["incident"], "date": D(2024, 8, 3),
                                               "outcome": {"type": "recovered"}}}
    before = facts_of(fall, jakon, None, project)
    assert (before["project_covered"], before["project_covered_from"], before["project_registration_deadline"],
            before["project_registered_in_time"], before["project_days_late"]) == (
        False, "2024-08-05", "2024-08-08", True, 0)
    assert "PROJECT_NOT_COVERED" in [r.code for r in shipped.evaluate(before).reasons]
    after = facts_of({**fall, "incident": {**fall["incident"], "date": D(2024, 8, 10)}}, jakon, None, project)
    assert after["project_covered"] is True and after["project_registration_deadline"] == "2024-08-08"
    assert facts_of(fall, jakon)["project_covered"] is False  # no project record


@pytest.mark.parametrize(("filed", "outcome"), [(D(2025, 2, 20), "rejected"), (D(2025, 2, 27), "rejected"),
                                                (D(2025, 2, 28), "approved"), (D(2025, 3, 1), "approved")])
def test_example_36_waiting_period_through_the_shipped_rules(shipped: Ruleset, filed: dt.date, outcome: str) -> None:
    claim = {"claim_type": "JHT", "filed_on": filed, "incident": {"reason": "resignation", "date": D(2025, 1, 31)},
             "documents": ["kpj_card", "ktp", "resignation_certificate", "bank_book"]}
    decision = shipped.evaluate(facts_of(claim, {**PARTICIPANT, "jht_balance": 30000000}, EMPLOYER, None, PAID))
    assert decision.outcome == outcome
    assert decision.total_amount == (30000000 if outcome == "approved" else 0)


@pytest.mark.parametrize(("diagnosed", "outcome"), [(D(2024, 12, 31), "approved"), (D(2025, 1, 1), "approved"),
                                                    (D(2025, 1, 2), "rejected")])
def test_pak_window_ends_on_the_third_anniversary_of_the_end_of_employment(
        shipped: Ruleset, diagnosed: dt.date, outcome: str) -> None:
    claim = {**CLAIM, "filed_on": diagnosed, "heirs": [], "documents": DEATH_DOCUMENTS,
             "incident": {**CLAIM["incident"], "kind": "occupational_disease", "date": D(2021, 6, 1),
                          "diagnosed_on": diagnosed, "reported_on": diagnosed, "outcome": {"type": "recovered"},
                          "costs": {"transport": [], "medical": 0}}}
    facts = facts_of(claim, {**PARTICIPANT, "employment_ended_on": D(2022, 1, 1)}, EMPLOYER, None, [])
    assert shipped.evaluate(facts).outcome == outcome


@pytest.mark.parametrize(("accident", "filed", "outcome"), [
    (D(2019, 12, 1), D(2021, 12, 1), "approved"), (D(2019, 12, 1), D(2021, 12, 2), "rejected"),  # 2 years
    (D(2019, 12, 2), D(2024, 12, 2), "approved"), (D(2019, 12, 2), D(2024, 12, 3), "rejected"),  # 5 years
])
def test_last_day_of_the_jkk_claim_window(shipped: Ruleset, accident: dt.date, filed: dt.date, outcome: str) -> None:
    claim = {**CLAIM, "filed_on": filed, "heirs": [], "documents": DEATH_DOCUMENTS,
             "incident": {**CLAIM["incident"], "date": accident, "reported_on": accident,
                          "outcome": {"type": "recovered"}, "costs": {"transport": [], "medical": 0}}}
    participant = {**PARTICIPANT, "membership_start": D(2015, 7, 1)}
    assert shipped.evaluate(facts_of(claim, participant, EMPLOYER, None, [])).outcome == outcome
