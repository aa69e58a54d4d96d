"""The ``require`` effect: documents a rule needs, any-of groups, the checklist and the referral it causes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from adjudication import Decision, RuleFileError, Ruleset
from adjudication.documents import missing, normalise, satisfied

from .conftest import CATALOGUE, rule_yaml, small_ruleset

WITH_DOCUMENTS_CODE = CATALOGUE + """
DOCUMENTS_MISSING:
  kind: refer
  id: 'Dokumen: {documents_missing}.'
  en: 'Documents still needed: {documents_missing}.'
"""
RULES = "".join([
    rule_yaml("T.CORE", "{fact: wage, present: true}", "[{require: [kpj_card, ktp]}]"),
    rule_yaml("T.COMMUTE", "{fact: route_deviation, present: true}",
              "[{require: [{any_of: [police_report, witness_statements]}, ktp]}]"),
    rule_yaml("T.REJECT", "{fact: claim_age_years, gt: 5}", "[{reject: HIT}]"),
])


@pytest.fixture(scope="module")
def ruleset() -> Ruleset:
    return small_ruleset(RULES, catalogue=WITH_DOCUMENTS_CODE)


def decide(ruleset: Ruleset, **facts: Any) -> Decision:
    facts.setdefault("event_date", dt.date(2024, 3, 10))
    return ruleset.evaluate(facts)


def test_complete_documents_approve(ruleset: Ruleset) -> None:
    decision = decide(ruleset, wage=1, route_deviation=False, documents=["ktp", "kpj_card", "witness_statements"])
    assert decision.outcome == "approved"
    assert decision.documents_required == ("kpj_card", "ktp", "police_report|witness_statements")
    assert decision.documents_missing == ()
    assert decision.reasons == ()


def test_missing_documents_refer_with_one_reason_naming_them_all(ruleset: Ruleset) -> None:
    decision = decide(ruleset, wage=1, route_deviation=False, documents=["ktp"])
    assert decision.outcome == "referred"
    assert decision.documents_missing == ("kpj_card", "police_report|witness_statements")
    assert [(r.code, r.rule_id, r.kind) for r in decision.reasons] == [("DOCUMENTS_MISSING", "T.CORE", "refer")]
    assert decision.reasons[0].message_en == ("Documents still needed: membership card (KPJ), police report or "
                                              "statements of two witnesses.")
    assert decision.reasons[0].message_id.endswith("kartu peserta (KPJ), laporan polisi atau keterangan dua orang "
                                                   "saksi.")
    assert decision.to_dict()["documents_missing"] == ["kpj_card", "police_report|witness_statements"]


def test_unknown_documents_list_requirements_only(ruleset: Ruleset) -> None:
    decision = decide(ruleset, wage=1)
    assert (decision.outcome, decision.documents_required, decision.documents_missing) == (
        "approved", ("kpj_card", "ktp"), ())


def test_rejection_drops_the_documents_referral(ruleset: Ruleset) -> None:
    decision = decide(ruleset, wage=1, claim_age_years=9, documents=[])
    assert decision.outcome == "rejected"
    assert [r.code for r in decision.reasons] == ["HIT"]
    assert decision.documents_missing == ("kpj_card", "ktp")


@pytest.mark.parametrize(("then", "message"), [
    ("[{require: [passport_photo]}]", "unknown document 'passport_photo'"),
    ("[{require: []}]", "non-empty list"),
    ("[{require: [ktp, ktp]}]", "required twice"),
    ("[{require: [{any_of: [ktp]}]}]", "two or more documents"),
    ("[{require: [{one_of: [ktp, npwp]}]}]", "two or more documents"),
    ("[{require: [{any_of: [ktp, ktp]}]}]", "each document once"),
])
def test_bad_requirements_are_refused(then: str, message: str) -> None:
    with pytest.raises(RuleFileError, match=message):
        small_ruleset(rule_yaml("T.BAD", "{fact: wage, present: true}", then), catalogue=WITH_DOCUMENTS_CODE)


def test_require_needs_the_documents_missing_code() -> None:
    with pytest.raises(RuleFileError, match="DOCUMENTS_MISSING"):
        small_ruleset(rule_yaml("T.CORE", "{fact: wage, present: true}", "[{require: [ktp]}]"))


def test_describe_lists_requirements(ruleset: Ruleset) -> None:
    described = {r["id"]: r["effects"] for r in ruleset.describe()}
    assert described["T.COMMUTE"] == [{"require": ["police_report|witness_statements", "ktp"]}]


def test_helpers() -> None:
    assert satisfied(("police_report", "witness_statements"), ["witness_statements"])
    assert missing([("ktp",), ("ktp",), ("npwp",)], ["npwp"]) == [("ktp",)]
    assert normalise([("npwp",), ("ktp",), ("npwp",)]) == ["ktp", "npwp"]
