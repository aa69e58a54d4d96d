"""One source for every enumeration: what the API accepts comes from the engine's fact catalogue, and every value
the API accepts decides without error (a drift between the two could only show as a 500)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from marshmallow import validate

from adjudication import Ruleset, load_ruleset
from adjudication.fact_catalogue import FACTS, INPUT_VALUES
from api import claim_schemas, fields, licensing_schemas, registry_schemas

from .test_audit import RULES_DIR

SOURCES = [
    (claim_schemas.CLAIM_TYPES, FACTS["claim_type"].values), (claim_schemas.JKK_KINDS, FACTS["incident_kind"].values),
    (claim_schemas.OUTCOME_TYPES, FACTS["outcome_type"].values), (claim_schemas.FLAGS, FACTS["incident_flags"].values),
    (claim_schemas.DISABILITY_ITEMS, FACTS["disability_item"].values),
    (claim_schemas.JKM_CAUSES, FACTS["death_cause"].values), (claim_schemas.PLACEMENTS, FACTS["placement"].values),
    (claim_schemas.JHT_REASONS, FACTS["jht_reason"].values), (claim_schemas.DOCUMENTS, FACTS["documents"].values),
    (claim_schemas.RELATIONS, INPUT_VALUES["relation"]),
    (claim_schemas.EDUCATION_LEVELS, INPUT_VALUES["education_level"]),
    (claim_schemas.TRANSPORT_MODES, INPUT_VALUES["transport_mode"]), (fields.SEGMENTS, FACTS["segment"].values),
    (claim_schemas.AID_KINDS, INPUT_VALUES["aid_kind"]),
    (fields.PAYERS, FACTS["payer"].values), (fields.SCALES, FACTS["employer_scale"].values),
    (fields.CATEGORIES, FACTS["category"].values), (fields.PROGRAMS, FACTS["programs"].values),
    (licensing_schemas.PURPOSES, FACTS["purpose"].values),
]


@pytest.fixture(scope="module")
def ruleset() -> Ruleset:
    return load_ruleset(RULES_DIR)


def test_the_api_takes_its_enumerations_from_the_catalogue() -> None:
    for api_values, catalogue_values in SOURCES:
        assert api_values is catalogue_values


def _choices(schema: type) -> list[tuple[str, tuple[str, ...]]]:
    """Every OneOf of a schema's fields, lists and nested schemas included: (field name, choices)."""
    found = []
    for name, field in schema._declared_fields.items():  # type: ignore[attr-defined]
        inner = getattr(field, "inner", None) or field
        for validator in getattr(inner, "validators", []):
            if isinstance(validator, validate.OneOf) and all(isinstance(c, str) for c in validator.choices):
                found.append((name, tuple(validator.choices)))
        nested = getattr(inner, "nested", None)
        if isinstance(nested, type):
            found += _choices(nested)
    return found


@pytest.mark.parametrize("schema", [claim_schemas.ClaimSchema, *claim_schemas.INCIDENT_SCHEMAS.values(),
                                    registry_schemas.EmployerSchema, registry_schemas.ParticipantSchema,
                                    licensing_schemas.ClearanceQuerySchema])
def test_every_choice_a_schema_offers_is_a_catalogue_enumeration(schema: type) -> None:
    known = {values for _, values in SOURCES} | {fields.FUNDING}
    for name, choices in _choices(schema):
        assert choices in known, (schema.__name__, name, choices)


PARTICIPANT = {"kpj": "11111111111", "birth_date": "1980-01-01", "segment": "PU", "category": "karyawan",
               "employer_npp": "61120001", "project_number": None, "programs": ["JKK", "JKM", "JHT", "JP"],
               "membership_start": "2010-01-01", "wage": 5_000_000, "declared_income": None, "payer": "employer",
               "employment_ended_on": None, "jht_balance": 10_000_000, "jht_partial_withdrawals": []}
EMPLOYER = {"npp": "61120001", "scale": "large", "risk_class": 2, "state_employer": False,
            "registered_on": "2010-01-01", "programs": ["JKK", "JKM", "JHT", "JP"], "region_code": "61.71"}
CLAIMS = {
    "JKK": {"claim_type": "JKK", "kpj": "11111111111", "filed_on": "2024-04-01",
            "incident": {"date": "2024-03-10", "kind": "workplace", "reported_on": "2024-03-10",
                         "outcome": {"type": "partial_disability", "disability_pct": 20, "incapacity_months": 2},
                         "costs": {"transport": [{"mode": "land", "amount": 100_000}], "medical": 0}, "flags": []},
            "heirs": [{"relation": "child", "birth_date": "2010-01-01", "education_level": "sd"}], "documents": []},
    "JKM": {"claim_type": "JKM", "kpj": "11111111111", "filed_on": "2024-04-01",
            "incident": {"date": "2024-03-10", "cause": "natural", "placement": None}, "heirs": [], "documents": []},
    "JHT": {"claim_type": "JHT", "kpj": "11111111111", "filed_on": "2024-04-01",
            "incident": {"reason": "resignation", "date": "2024-02-01"}, "heirs": [], "documents": []},
}


def _decide(ruleset: Ruleset, claim: dict[str, Any], participant: dict[str, Any] = PARTICIPANT,
            employer: dict[str, Any] = EMPLOYER) -> str:
    """Validate the body as the API does, then derive and decide it as the service does."""
    loaded = claim_schemas.ClaimSchema().load(claim)
    body = {**loaded, "filed_on": loaded["filed_on"].isoformat()}
    inputs = {"claim": body, "participant": participant, "employer": employer, "contributions": []}
    return ruleset.decide("claim", copy.deepcopy(inputs)).outcome


def _set(claim_type: str, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    claim = copy.deepcopy(CLAIMS[claim_type])
    change(claim)
    return claim


def _claim_variants() -> list[tuple[str, dict[str, Any]]]:
    variants: list[tuple[str, dict[str, Any]]] = []

    def add(label: str, claim_type: str, change: Callable[[dict[str, Any]], None]) -> None:
        variants.append((label, _set(claim_type, change)))

    for kind in claim_schemas.JKK_KINDS:
        add(f"kind={kind}", "JKK", lambda c, v=kind: c["incident"].update(kind=v, diagnosed_on="2024-03-10"))
    for outcome in claim_schemas.OUTCOME_TYPES:
        add(f"outcome={outcome}", "JKK", lambda c, v=outcome: c["incident"]["outcome"].update(type=v))
    for flag in claim_schemas.FLAGS:
        add(f"flag={flag}", "JKK", lambda c, v=flag: c["incident"].update(flags=[v]))
    for mode in claim_schemas.TRANSPORT_MODES:
        add(f"mode={mode}", "JKK", lambda c, v=mode: c["incident"]["costs"]["transport"][0].update(mode=v))
    for cause in claim_schemas.JKM_CAUSES:
        add(f"cause={cause}", "JKM", lambda c, v=cause: c["incident"].update(cause=v))
    for placement in claim_schemas.PLACEMENTS:
        add(f"placement={placement}", "JKM", lambda c, v=placement: c["incident"].update(placement=v))
    for reason in claim_schemas.JHT_REASONS:
        add(f"reason={reason}", "JHT", lambda c, v=reason: c["incident"].update(reason=v))
    for relation in claim_schemas.RELATIONS:
        add(f"relation={relation}", "JKM", lambda c, v=relation: c.update(
            heirs=[{"relation": v, "birth_date": "2010-01-01"}]))
    for level in claim_schemas.EDUCATION_LEVELS:
        add(f"education={level}", "JKK", lambda c, v=level: c["heirs"][0].update(education_level=v))
    for document in claim_schemas.DOCUMENTS:
        add(f"document={document}", "JHT", lambda c, v=document: c.update(documents=[v]))
    return variants


VARIANTS = _claim_variants()


@pytest.mark.parametrize(("label", "claim"), VARIANTS, ids=[label for label, _ in VARIANTS])
def test_every_claim_value_the_api_accepts_is_decided(ruleset: Ruleset, label: str, claim: dict[str, Any]) -> None:
    assert _decide(ruleset, claim) in ("approved", "rejected", "referred")


@pytest.mark.parametrize(("field", "values"), [("segment", fields.SEGMENTS), ("payer", fields.PAYERS),
                                               ("category", fields.CATEGORIES)])
def test_every_participant_value_the_api_accepts_is_decided(ruleset: Ruleset, field: str,
                                                            values: tuple[str, ...]) -> None:
    for value in values:
        participant = {**PARTICIPANT, field: value, "declared_income": 2_000_000}
        for claim_type in CLAIMS:
            assert _decide(ruleset, CLAIMS[claim_type], participant) in ("approved", "rejected", "referred")


def test_every_programme_and_scale_the_api_accepts_is_decided(ruleset: Ruleset) -> None:
    for program in fields.PROGRAMS:
        for scale in fields.SCALES:
            employer = {**EMPLOYER, "scale": scale, "programs": [program]}
            participant = {**PARTICIPANT, "programs": [program]}
            assert _decide(ruleset, CLAIMS["JKK"], participant, employer) in ("approved", "rejected", "referred")
            clearance = ruleset.decide("clearance", {"nib": "9120001234567", "purpose": "permit_issue",
                                                     "region_code": "61.71", "as_of": "2024-06-01",
                                                     "employers": [{**employer, "name": "x", "contributions": [],
                                                                    "projects": []}]})
            assert clearance.outcome in ("approved", "rejected")
    for purpose in licensing_schemas.PURPOSES:
        assert ruleset.decide("clearance", {"nib": "9120001234567", "purpose": purpose, "region_code": "61.71",
                                            "as_of": "2024-06-01", "employers": []}).outcome == "rejected"
