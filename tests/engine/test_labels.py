"""Words an officer reads: labels for every fact and parameter, messages wholly in their language, bases in
words with Rupiah and the citation."""

from __future__ import annotations

import datetime as dt
import re
import string
from fractions import Fraction

import pytest

from adjudication import Ruleset, wording
from adjudication.conditions import referenced
from adjudication.documents import DOCUMENTS
from adjudication.fact_catalogue import FACTS
from adjudication.labels import DOCUMENT_LABELS, FACT_LABELS, PARAMETER_LABELS, VALUE_LABELS, show

# English words that must not appear in an Indonesian message (whole words, case-insensitive)
ENGLISH = {"the", "and", "of", "or", "is", "not", "claim", "paid", "with", "from", "workplace", "commute",
           "resignation", "termination", "death", "spouse", "child", "employer", "documents", "report", "natural",
           "accident", "self", "during", "before", "after", "retirement", "yes", "no"}


def test_every_fact_and_every_listed_value_has_a_label_in_both_languages() -> None:
    assert sorted(set(FACTS) - set(FACT_LABELS)) == []
    assert sorted(set(FACT_LABELS) - set(FACTS)) == []
    for name, ftype in FACTS.items():
        if ftype.kind in ("enum", "list") and ftype.values and name not in ("claim_type", "programs",
                                                                            "employer_programs_missing",
                                                                            "review_rejection"):
            assert set(ftype.values) <= set(VALUE_LABELS.get(name, {})), name
    assert set(DOCUMENTS) == set(DOCUMENT_LABELS)
    for label in [*FACT_LABELS.values(), *DOCUMENT_LABELS.values(), *PARAMETER_LABELS.values(),
                  *(v for values in VALUE_LABELS.values() for v in values.values())]:
        assert label.id.strip() and label.en.strip()


def test_every_parameter_a_rule_reads_has_a_label(shipped: Ruleset) -> None:
    read = set()
    for rule in shipped.rules:
        read |= referenced(rule.when, "param")
        read |= {p for e in rule.then if e.item is not None for p in e.item.formula.params}
    assert sorted(read - set(PARAMETER_LABELS)) == []


def _samples(name: str) -> list[object]:
    ftype = FACTS.get(name)
    if ftype is None:  # a value the decision supplies (documents_missing)
        return ["police_report|witness_statements, kpj_card"]
    if ftype.kind == "enum":
        return list(ftype.values)
    if ftype.kind == "list":
        return [list(ftype.values) or (["police_report", "heir_ktp"] if name.startswith("documents")
                                       else ["JK-2024-0001", "JK-2024-0002"])]
    if ftype.kind == "date":
        return ["2024-03-10"]
    if ftype.kind == "bool":
        return [True, False]
    if ftype.kind == "int":
        return [1_250_000]
    return ["child, spouse" if name == "heirs_entitled" else "2026-07, 2026-08"]


def test_indonesian_messages_are_wholly_indonesian_for_every_value_they_can_show(shipped: Ruleset) -> None:
    parameter = shipped.parameter_lookup(dt.date(2025, 6, 1))  # the PP 7/2025 discount is in force too
    for code in shipped.catalogue.values():
        fields = [f for _, f, _, _ in string.Formatter().parse(code.message_id) if f and "." not in f]
        cases: list[dict[str, object]] = [{}]
        for field in fields:
            cases = [{**case, field: value} for case in cases for value in _samples(field)]
        for facts in cases:
            message_id, message_en = code.render(facts, parameter)
            assert "{" not in message_id and "{" not in message_en, (code.code, facts)
            assert "_" not in message_id and "|" not in message_id, (code.code, message_id)
            words = {w.lower() for w in re.findall(r"[A-Za-z]+", message_id)}
            assert not words & ENGLISH, (code.code, message_id, words & ENGLISH)


def test_values_are_written_the_officer_s_way() -> None:
    assert wording.rupiah(5_000_000, "id") == "Rp5.000.000" and wording.rupiah(5_000_000, "en") == "Rp5,000,000"
    assert wording.rupiah(Fraction(70203628, 10), "id") == "Rp7.020.362"  # whole Rupiah, rounded down
    assert wording.date(dt.date(2024, 3, 10), "id") == "10 Maret 2024"
    assert wording.date(dt.date(2024, 3, 10), "en") == "10 March 2024"
    assert wording.percent(Fraction(21, 10000), "id") == "0,21%" and wording.percent(Fraction(1, 2), "en") == "50%"
    assert show("incapacity_months", 1, "en") == "1 month" and show("incapacity_months", 15, "id") == "15 bulan"
    assert show("heirs_entitled", "child, spouse", "id") == "anak, suami/istri"
    assert show("documents_missing", "police_report|witness_statements", "en") == \
        "police report or statements of two witnesses"
    assert show("route_deviation", True, "id") == "ya" and show("incident_kind", "commute", "en") == \
        "accident on the commute"


@pytest.mark.parametrize(("wage", "lump", "id_words", "en_words"), [
    (5_000_000, 240_000_000,
     "terbesar dari (48 x upah terlapor Rp5.000.000; santunan kematian paling sedikit Rp20.000.000) = "
     "Rp240.000.000 (PP 82/2019 Lampiran III)",
     "the greater of (48 x reported wage Rp5,000,000; minimum death benefit Rp20,000,000) = Rp240,000,000 "
     "(PP 82/2019 Lampiran III)"),
    (400_000, 20_000_000,
     "terbesar dari (48 x upah terlapor Rp400.000; santunan kematian paling sedikit Rp20.000.000) = "
     "Rp20.000.000 (PP 82/2019 Lampiran III)",
     "the greater of (48 x reported wage Rp400,000; minimum death benefit Rp20,000,000) = Rp20,000,000 "
     "(PP 82/2019 Lampiran III)"),
])
def test_a_benefit_basis_reads_in_words_with_its_numbers_and_citation(
        shipped: Ruleset, wage: int, lump: int, id_words: str, en_words: str) -> None:
    decision = shipped.evaluate({"event_date": "2024-03-10", "claim_type": "JKK", "segment": "PU",
                                 "outcome_type": "death", "wage": wage})
    item = next(b for b in decision.benefits if b.code == "JKK_DEATH_LUMP_SUM")
    assert (item.amount, item.basis_id, item.basis_en, item.citation) == (lump, id_words, en_words,
                                                                          "PP 82/2019 Lampiran III")
    funeral = next(b for b in decision.benefits if b.code == "JKK_DEATH_FUNERAL")
    assert funeral.basis_id == "biaya pemakaman Rp10.000.000 (PP 82/2019 Lampiran III)"


def test_a_percentage_fact_over_100_reads_as_the_percentage(shipped: Ruleset) -> None:
    decision = shipped.evaluate({"event_date": "2024-03-10", "claim_type": "JKK", "segment": "PU",
                                 "outcome_type": "partial_disability", "wage": 3_946_800, "disability_pct": 40,
                                 "function_loss_pct": 50})
    item = next(b for b in decision.benefits if b.code == "JKK_PARTIAL_DISABILITY")
    assert item.amount == 63_148_800
    assert item.basis_id.startswith("persentase hilangnya fungsi 50% x persentase cacat 40% x 80 x upah terlapor "
                                    "Rp3.946.800 = Rp63.148.800 (")
