"""claim_facts: a claim body and registry dicts become catalogue facts the shipped rules decide on."""

from __future__ import annotations

import datetime as dt
import json

from adjudication import Ruleset
from adjudication.claim_facts import claim_facts, event_date

D = dt.date
PARTICIPANT = {"kpj": "12345678901", "birth_date": D(1985, 5, 1), "segment": "PU", "category": "buruh",
               "programs": ["JKK", "JKM", "JHT"], "membership_start": D(2020, 1, 1), "wage": 5000000,
               "declared_income": None, "payer": "employer", "employment_ended_on": None, "jht_balance": 0,
               "jht_partial_withdrawals": []}
EMPLOYER = {"npp": "AB123456", "scale": "large", "risk_class": 2, "state_employer": False}
CLAIM = {"claim_type": "JKK", "kpj": "12345678901", "filed_on": D(2024, 4, 1), "documents": ["ktp", "kpj_card"],
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


def test_example_11_pu_death_from_a_workplace_accident(shipped: Ruleset) -> None:
    facts = claim_facts(CLAIM, PARTICIPANT, EMPLOYER, None, PAID)
    json.dumps(facts)  # JSON-ready for the decision log
    assert facts["event_date"] == "2024-03-10"
    assert facts["school_children"] == 2 and facts["heirs_count"] == 3
    assert facts["transport_land"] == 500000
    assert facts["contribution_overdue_months"] == 0
    assert "declared_income" not in facts  # None values are left out
    decision = shipped.evaluate(facts)
    assert (decision.outcome, decision.liability, decision.total_amount) == ("approved", "bpjs", 262000000)
    assert shipped.evaluate(decision.facts) == decision  # replaying the stored facts gives the same decision


def test_occupational_disease_uses_the_diagnosis_date(shipped: Ruleset) -> None:
    claim = {**CLAIM, "filed_on": D(2025, 3, 1),
             "incident": {**CLAIM["incident"], "kind": "occupational_disease", "date": D(2021, 6, 1),
                          "diagnosed_on": D(2025, 2, 1), "reported_on": D(2025, 2, 2),
                          "outcome": {"type": "recovered"}}}
    participant = {**PARTICIPANT, "employment_ended_on": D(2022, 1, 1)}
    assert event_date(claim) == D(2025, 2, 1)
    facts = claim_facts(claim, participant, EMPLOYER, None, PAID)
    assert facts["pak_years_after_employment"] == 4
    decision = shipped.evaluate(facts)
    assert decision.outcome == "rejected"
    # the employer paid nothing after January 2024: also in arrears by the diagnosis
    assert [r.code for r in decision.reasons] == ["EMPLOYER_ARREARS", "PAK_AFTER_EMPLOYMENT_WINDOW"]


def test_unknown_participant_and_duplicate(shipped: Ruleset) -> None:
    facts = claim_facts(CLAIM, None, duplicate_of="c-1")
    assert facts["participant_registered"] is False
    decision = shipped.evaluate(facts)
    assert [r.code for r in decision.reasons] == ["DUPLICATE_CLAIM", "NOT_A_PARTICIPANT"]
    assert "c-1" in decision.reasons[0].message


def test_jkm_and_jht_facts() -> None:
    jkm = claim_facts({"claim_type": "JKM", "filed_on": "2024-08-01",
                       "incident": {"date": "2024-07-20", "cause": "natural", "placement": None}},
                      {**PARTICIPANT, "segment": "BPU", "declared_income": 1000000, "wage": None}, None, None, [])
    assert (jkm["death_cause"], jkm["segment"], jkm["contribution_active"]) == ("natural", "BPU", False)
    jht = claim_facts({"claim_type": "JHT", "filed_on": "2025-02-20",
                       "incident": {"reason": "resignation", "date": "2025-01-31"}}, PARTICIPANT)
    assert jht["jht_reason"] == "resignation" and jht["event_date"] == "2025-01-31"
