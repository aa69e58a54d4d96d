"""Decision assembly: outcome precedence, liability, benefits only when approved, order, JSON shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from adjudication import Decision, RuleFileError, Ruleset

from .conftest import CATALOGUE, rule_yaml, small_ruleset

RULES = "".join([
    rule_yaml("T.WARN", "{fact: wage, present: true}", "[{warn: NOTE}]"),
    rule_yaml("T.PAY", "{fact: wage, present: true}",
              "[{benefit: {code: LUMP, amount: '2 * wage'}}, {benefit: {code: YEARLY, amount: '1500000', "
              "recurring: yearly}}]"),
    rule_yaml("T.EMPLOYER", "{fact: contribution_overdue_months, gt: 3}", "[{liability: employer}, {info: EMPLOYER}]"),
    rule_yaml("T.REFER", "{fact: route_deviation, is: true}", "[{refer: SEND}]"),
    rule_yaml("T.REJECT", "{fact: claim_age_years, gt: {param: test.limit}}", "[{reject: HIT}]"),
])


@pytest.fixture(scope="module")
def ruleset() -> Ruleset:
    return small_ruleset(RULES)


def decide(ruleset: Ruleset, **facts: Any) -> Decision:
    facts.setdefault("event_date", dt.date(2024, 3, 10))
    return ruleset.evaluate(facts)


def test_approved_with_benefits_and_bpjs_liability(ruleset: Ruleset) -> None:
    decision = decide(ruleset, wage=1000)
    assert decision.outcome == "approved"
    assert decision.liability == "bpjs"
    assert [(b.code, b.amount, b.recurring) for b in decision.benefits] == [("LUMP", 2000, None),
                                                                           ("YEARLY", 1500000, "yearly")]
    assert decision.total_amount == 1502000
    assert [r.code for r in decision.reasons] == ["NOTE"]
    assert decision.rules_fired == ("T.WARN", "T.PAY")


def test_employer_liability_only_when_approved(ruleset: Ruleset) -> None:
    assert decide(ruleset, wage=1000, contribution_overdue_months=4).liability == "employer"
    referred = decide(ruleset, wage=1000, contribution_overdue_months=4, route_deviation=True)
    assert referred.outcome == "referred"
    assert referred.liability is None
    assert referred.benefits == ()
    assert referred.total_amount == 0


def test_reject_beats_refer_and_reasons_keep_firing_order(ruleset: Ruleset) -> None:
    decision = decide(ruleset, wage=1000, contribution_overdue_months=4, route_deviation=True, claim_age_years=9)
    assert decision.outcome == "rejected"
    # the referral is moot once the claim is rejected: a person need not look at it
    assert [r.code for r in decision.reasons] == ["NOTE", "EMPLOYER", "HIT"]
    assert decision.rules_fired == ("T.WARN", "T.PAY", "T.EMPLOYER", "T.REFER", "T.REJECT")
    reject = decision.reasons[-1]
    assert (reject.rule_id, reject.citation, reject.kind, reject.message_en, reject.message_id) == (
        "T.REJECT", "PP 44/2015 Pasal 1", "reject", "Hit.", "Kena.")
    assert decision.provisional_benefits == () and decision.claimable_from is None


def test_a_referred_claim_shows_provisional_benefits_outside_the_total(ruleset: Ruleset) -> None:
    decision = decide(ruleset, wage=1000, route_deviation=True)
    assert decision.outcome == "referred" and decision.benefits == () and decision.total_amount == 0
    assert [(b.code, b.amount, b.provisional) for b in decision.provisional_benefits] == [
        ("LUMP", 2000, True), ("YEARLY", 1500000, True)]
    out = decision.to_dict()
    assert out["total_amount"] == 0 and out["provisional_total"] == 1502000
    assert all(b["provisional"] for b in out["provisional_benefits"])
    assert "provisional_benefits" not in decide(ruleset, wage=1000).to_dict()


def test_to_dict_matches_the_spec_shape(ruleset: Ruleset) -> None:
    out = decide(ruleset, wage=1000, event_date="2024-03-10").to_dict()
    assert list(out) == ["outcome", "liability", "benefits", "total_amount", "reasons", "documents_required",
                         "documents_missing", "ruleset_version", "rules_fired", "as_of"]
    assert (out["documents_required"], out["documents_missing"]) == ([], [])
    assert out["as_of"] == "2024-03-10"
    assert out["ruleset_version"].startswith("sha256:") and len(out["ruleset_version"]) == 71
    assert out["benefits"][0] == {"code": "LUMP", "amount": 2000, "basis": "2 x 1000", "rule_id": "T.PAY",
                                  "basis_id": "2 x upah terlapor Rp1.000 = Rp2.000 (PP 44/2015 Pasal 1)",
                                  "basis_en": "2 x reported wage Rp1,000 = Rp2,000 (PP 44/2015 Pasal 1)",
                                  "citation": "PP 44/2015 Pasal 1"}
    assert out["benefits"][1]["recurring"] == "yearly"
    assert set(out["reasons"][0]) == {"code", "kind", "rule_id", "citation", "message_id", "message_en"}


def test_decision_is_frozen_and_keeps_the_facts_as_evaluated(ruleset: Ruleset) -> None:
    decision = decide(ruleset, wage=1000, incident_flags=["fight", "crime", "fight"], route_deviation=None)
    assert dict(decision.facts) == {"event_date": "2024-03-10", "incident_flags": ["crime", "fight"],
                                    "wage": 1000}
    with pytest.raises(AttributeError):
        decision.outcome = "rejected"  # type: ignore[misc]
    with pytest.raises(TypeError):
        decision.facts["wage"] = 1  # type: ignore[index]


def test_messages_state_the_parameter_in_force_on_the_event_date(shipped: Ruleset) -> None:
    facts = {"claim_type": "JKM", "segment": "PU", "death_cause": "natural", "contribution_period_months": 30,
             "school_children": 1, "scholarship_children_tk_sd": 1, "scholarship_children_smp": 0,
             "scholarship_children_sma": 0, "scholarship_children_university": 0}
    old = shipped.evaluate({**facts, "event_date": "2019-12-01"})
    new = shipped.evaluate({**facts, "event_date": "2019-12-02"})
    [old_reason] = [r for r in old.reasons if r.code == "JKM_SCHOLARSHIP_PERIOD_NOT_MET"]
    [new_reason] = [r for r in new.reasons if r.code == "JKM_SCHOLARSHIP_PERIOD_NOT_MET"]
    assert "(60 bulan)" in old_reason.message_id and "(60 months)" in old_reason.message_en
    assert "(36 bulan)" in new_reason.message_id


def test_a_placeholder_naming_no_fact_or_parameter_is_refused() -> None:
    catalogue = CATALOGUE + "ODD:\n  kind: reject\n  id: Batas {limit.nope} hari.\n  en: Limit {limit.nope} days.\n"
    with pytest.raises(RuleFileError, match=r"ODD.id: placeholder \{limit.nope\} is not a known fact or parameter"):
        small_ruleset(rule_yaml("T.X", "{fact: wage, gt: 1}"), catalogue=catalogue)


def test_a_benefit_the_employer_owes_of_its_own_stays_outside_the_total() -> None:
    ruleset = small_ruleset(rule_yaml("T.OWN", "{fact: wage, present: true}",
                                      "[{benefit: {code: LUMP, amount: '2 * wage'}}, "
                                      "{benefit: {code: SHORT, amount: '3', payer: employer}}]"))
    decision = decide(ruleset, wage=1000)
    assert [(b.code, b.amount, b.payer) for b in decision.benefits] == [("LUMP", 2000, None), ("SHORT", 3, "employer")]
    out = decision.to_dict()
    assert (out["total_amount"], out["employer_total"], out["liability"]) == (2000, 3, "bpjs")
    assert out["benefits"][1]["payer"] == "employer" and "payer" not in out["benefits"][0]
    referred = decide(small_ruleset(rule_yaml("T.OWN", "{fact: wage, present: true}",
                                              "[{benefit: {code: SHORT, amount: '3', payer: employer}}, "
                                              "{refer: SEND}]")), wage=1000).to_dict()
    assert (referred["provisional_total"], referred["provisional_employer_total"]) == (0, 3)
    assert "employer_total" not in decide(small_ruleset(RULES), wage=1000).to_dict()


@pytest.mark.parametrize("payer", ["worker", "self", "bpjs"])
def test_a_benefit_is_owed_by_the_employer_or_by_no_one_named(payer: str) -> None:
    with pytest.raises(RuleFileError, match="a benefit's payer is employer"):
        small_ruleset(rule_yaml("T.OWN", "{fact: wage, present: true}",
                                f"[{{benefit: {{code: SHORT, amount: '3', payer: {payer}}}}}]"))
