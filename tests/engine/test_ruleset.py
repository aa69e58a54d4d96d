"""Ruleset identity, storage round trip, fact validation, determinism and the tracer."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from adjudication import FactError, ListTracer, Ruleset, load_ruleset_from_files
from adjudication.ruleset import read_rules_dir

from .conftest import RULES_DIR

DEATH = {"event_date": "2024-03-10", "claim_type": "JKK", "segment": "PU", "outcome_type": "death",
         "wage": 400000, "claim_age_years": 1, "reported_on": "2024-03-10"}


def test_example_12_jkk_death_minimum(shipped: Ruleset) -> None:
    decision = shipped.evaluate(DEATH)
    assert decision.outcome == "approved"
    assert [(b.code, b.amount, b.basis) for b in decision.benefits] == [
        ("JKK_DEATH_LUMP_SUM", 20000000, "max(48 x 400000, 20000000)"),
        ("JKK_DEATH_PERIODIC", 12000000, "12000000"),
        ("JKK_DEATH_FUNERAL", 10000000, "10000000")]
    assert decision.total_amount == 42000000


def test_files_round_trip_to_the_same_version(shipped: Ruleset) -> None:
    again = load_ruleset_from_files(dict(shipped.files))
    assert again.version == shipped.version
    assert dict(again.files) == dict(shipped.files)
    assert again.evaluate(DEATH) == shipped.evaluate(DEATH)


def test_version_ignores_layout_but_not_content(shipped_files: dict[str, str]) -> None:
    base = load_ruleset_from_files(shipped_files).version
    cosmetic = dict(shipped_files)
    cosmetic["jkk/expiry.yaml"] = "# a new comment\r\n" + cosmetic["jkk/expiry.yaml"].replace("\n", "\r\n")
    assert load_ruleset_from_files(cosmetic).version == base
    changed = dict(shipped_files)
    changed["parameters/jkk.yaml"] = changed["parameters/jkk.yaml"].replace("value: 20000000", "value: 20000001")
    assert load_ruleset_from_files(changed).version != base


def test_two_versions_live_side_by_side(shipped_files: dict[str, str], shipped: Ruleset) -> None:
    changed = dict(shipped_files)
    changed["parameters/jkk.yaml"] = changed["parameters/jkk.yaml"].replace("value: 20000000", "value: 25000000")
    newer = load_ruleset_from_files(changed)
    assert newer.evaluate(DEATH).total_amount == 47000000
    assert shipped.evaluate(DEATH).total_amount == 42000000  # the old version still answers as before


def test_read_rules_dir_skips_cases() -> None:
    files = read_rules_dir(RULES_DIR)
    assert "reason_codes.yaml" in files
    assert not any(path.startswith("cases/") for path in files)


@pytest.mark.parametrize(("facts", "message"), [
    ({"claim_type": "JKK"}, "event_date"),
    ({"event_date": "2024-02-30"}, "must be a date"),
    ({"event_date": dt.datetime(2024, 1, 1, 8, 0)}, "must be a date"),
    ({"event_date": "2024-01-01", "wage": "5000000"}, "must be an integer"),
    ({"event_date": "2024-01-01", "wage": True}, "must be an integer"),
    ({"event_date": "2024-01-01", "route_deviation": 1}, "true or false"),
    ({"event_date": "2024-01-01", "segment": "XX"}, "must be one of"),
    ({"event_date": "2024-01-01", "incident_flags": ["drunk"]}, "allows only"),
    ({"event_date": "2024-01-01", "accident_date": "2024-01-01"}, "unknown fact"),
])
def test_bad_facts_are_refused(shipped: Ruleset, facts: dict[str, object], message: str) -> None:
    with pytest.raises(FactError, match=message):
        shipped.evaluate(facts)


def test_same_facts_give_the_same_decision(shipped: Ruleset) -> None:
    facts = {**DEATH, "event_date": "2019-03-01", "claim_age_years": 3, "reported_on": "2019-03-05",
             "incident_flags": ["fight"], "segment": "PU", "contribution_overdue_months": 5}
    first = shipped.evaluate(facts)
    # program order, then file path, then position in the file
    assert first.rules_fired == ("GENERAL.EMPLOYER_ARREARS", "JKK.EXCLUSION_SUSPECTED", "JKK.DEATH.BENEFIT",
                                 "JKK.DOCUMENTS.CLAIM", "JKK.DOCUMENTS.DEATH", "JKK.EXPIRY.2Y", "JKK.LATE_REPORT")
    for _ in range(50):
        assert shipped.evaluate(facts) == first


def test_tracer_records_per_fired_rule_its_facts_parameters_and_arithmetic(shipped: Ruleset) -> None:
    tracer = ListTracer()
    decision = shipped.evaluate(DEATH, tracer=tracer)
    events = [e["event"] for e in tracer.events]
    assert events[-1] == "decision" and tracer.events[-1]["total_amount"] == decision.total_amount
    fired = [e for e in tracer.events if e["event"] == "rule_fired"]
    assert [e["rule_id"] for e in fired] == list(decision.rules_fired)
    death = next(e for e in fired if e["rule_id"] == "JKK.DEATH.BENEFIT")
    assert death["citation"] == "PP 82/2019 Lampiran III" and death["valid_from"] == "2019-12-02"
    assert death["facts"] == {"claim_type": "JKK", "outcome_type": "death", "segment": "PU", "wage": 400000}
    assert death["parameters"]["jkk.death.minimum"] == {"value": 20000000, "unit": "Rupiah", "start": "2019-12-02",
                                                        "reference": "PP 82/2019 Lampiran III"}
    assert death["items"][0] == {"code": "JKK_DEATH_LUMP_SUM", "amount": 20000000,
                                 "formula": "max(48 x 400000, 20000000)"}
    # only what fired: the expiry rule read its parameter but did not fire, so the trace stays compact
    assert not any("jkk.claim_expiry_years" in e["parameters"] for e in fired)
    assert json.loads(json.dumps(tracer.events)) == tracer.events


def test_describe_and_reason_codes(shipped: Ruleset) -> None:
    rules = {r["id"] + "@" + r["valid_from"]: r for r in shipped.describe()}
    expiry = rules["JKK.EXPIRY.5Y@2019-12-02"]
    assert expiry["citation"]["text"] == "PP 82/2019 Pasal 26"
    assert expiry["valid_to"] is None
    assert {c["code"] for c in shipped.reason_codes()} >= {"CLAIM_EXPIRED", "PRE_SJSN_REGIME"}
