"""bench/engine.py's plain-Python JKK path decides like the engine (the benchmark asserts it before timing)."""

from __future__ import annotations

from typing import Any

import pytest

from adjudication import Ruleset
from bench.engine import CLAIM, JHT_CLAIM, JKM_CLAIM, check_plain

VARIANTS: list[dict[str, Any]] = [
    {},
    {"documents": ["ktp", "kpj_card", "death_certificate"]},  # the claim before its papers: referred
    {"reported_on": "2024-03-11", "contribution_overdue_months": 3},
    {"segment": "BPU", "declared_income": 3000000, "contribution_consecutive_unpaid_months": 4,
     "contribution_ever_paid": True, "contribution_active": False},
    {"segment": "BPU", "declared_income": 3000000, "contribution_consecutive_unpaid_months": 2,
     "contribution_ever_paid": True, "contribution_active": True},
    {"segment": "BPU", "declared_income": 3000000, "contribution_ever_paid": False, "contribution_active": False},
    {"employment_ended_on": "2024-03-09"},
    {"employment_ended_on": "2024-03-10"},
    {"claim_age_years": 6},
    {"incident_kind": "commute", "route_deviation": True},
    {"incident_kind": "commute", "documents": [*CLAIM["documents"], "witness_statements"]},
    {"incident_flags": ["fight"]},
    {"segment": "JAKON", "project_covered": False, "project_registered_in_time": False, "project_days_late": 9},
    {"heir_class": 1, "heirs_entitled": "spouse", "heirs_found": True},
    {"heir_class": 6, "heirs_found": False},
    {"scholarship_children_tk_sd": 1, "scholarship_children_smp": 0, "scholarship_children_sma": 1,
     "scholarship_children_university": 0},
    {"participant_registered": False},
    {"membership_start": "2024-03-11"},
    {"membership_start": "2024-03-11", "segment": "BPU", "declared_income": 3000000, "contribution_ever_paid": True,
     "contribution_active": True},
    {"programs": ["JKM"]},
    {"duplicate_of": "first"},
    {"incident_kind": "occupational_disease", "pak_years_after_employment": 4},
    {"outcome_type": "recovered"},
]


@pytest.mark.parametrize("change", VARIANTS)
def test_plain_python_agrees_with_the_engine(shipped: Ruleset, change: dict[str, Any]) -> None:
    check_plain(shipped, {**CLAIM, **change})


def test_bench_claims_decide_as_described(shipped: Ruleset) -> None:
    jkk = shipped.evaluate(CLAIM)
    assert (jkk.outcome, jkk.liability, jkk.total_amount, len(jkk.rules_fired)) == ("approved", "employer",
                                                                                    262000000, 7)
    for facts, fired in ((JKM_CLAIM, 3), (JHT_CLAIM, 3)):
        decision = shipped.evaluate(facts)
        assert (decision.outcome, len(decision.rules_fired)) == ("approved", fired)
        assert decision.total_amount > 0
