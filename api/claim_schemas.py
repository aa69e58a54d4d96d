"""Marshmallow schemas of a claim (SPEC section 4, "Claims"): the body an officer sends and what is returned."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from adjudication.fact_catalogue import FACTS, INPUT_VALUES

from .dates import today as jakarta_today
from .fields import KPJ, money, one_of, pattern, strict_bool

# every enumeration comes from the engine's fact catalogue, so a value the API accepts is one the engine accepts
CLAIM_TYPES = FACTS["claim_type"].values
JKK_KINDS = FACTS["incident_kind"].values
OUTCOME_TYPES = FACTS["outcome_type"].values
DISABILITY_ITEMS = FACTS["disability_item"].values
TRANSPORT_MODES = INPUT_VALUES["transport_mode"]
AID_KINDS = INPUT_VALUES["aid_kind"]
FLAGS = FACTS["incident_flags"].values
JKM_CAUSES = FACTS["death_cause"].values
PLACEMENTS = FACTS["placement"].values
JHT_REASONS = FACTS["jht_reason"].values
RELATIONS = INPUT_VALUES["relation"]
EDUCATION_LEVELS = INPUT_VALUES["education_level"]
DOCUMENTS = FACTS["documents"].values  # REFERENCE section 10: the names rules may require

PERCENT = validate.Range(min=0, max=100)
# a retirement age an employment contract can state: outside it the figure is a typing error, not a contract (a
# retirement claim without the figure is referred, so a person can still record an unusual one)
RETIREMENT_AGES = (40, 75)
# the rules are written for events from 1900 on (GENERAL rules' valid_from): an earlier date fired no rule at all;
# past 2099 is no claim either, and dates near year 9999 overflow the facts' date arithmetic
EARLIEST_DATE, LATEST_DATE = dt.date(1900, 1, 1), dt.date(2099, 12, 31)


def claim_date(**kwargs: Any) -> fields.Date:
    """A date of a claim, between ``EARLIEST_DATE`` and ``LATEST_DATE``."""
    return fields.Date(validate=validate.Range(min=EARLIEST_DATE, max=LATEST_DATE,
                                               error=f"Must be between {EARLIEST_DATE} and {LATEST_DATE}."),
                       **kwargs)


class TransportSchema(Schema):
    """A transport cost with its mode (caps differ by mode and regime)."""

    mode = one_of(TRANSPORT_MODES, required=True)
    amount = money(required=True)


class AidSchema(Schema):
    """An aid bought after the accident (PP 82/2019: dentures, hearing aids, glasses), each kind with its cap."""

    kind = one_of(AID_KINDS, required=True)
    amount = money(required=True)


class HomeCareSchema(Schema):
    """Home care when treatment cannot continue in hospital (PP 82/2019): its costs and how long it lasted."""

    amount = money(required=True)
    months = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=600), metadata={
        "description": "Months the home care lasted; only the months the law covers count (pro rata)."})


class CostsSchema(Schema):
    """Costs the claim asks to be reimbursed."""

    transport = fields.List(fields.Nested(TransportSchema), load_default=list)
    medical = money(load_default=0)
    home_care = fields.Nested(HomeCareSchema, load_default=None, allow_none=True)
    aids = fields.List(fields.Nested(AidSchema), load_default=list)


class OutcomeSchema(Schema):
    """What the accident led to; the fields needed depend on the type."""

    type = one_of(OUTCOME_TYPES, required=True)
    incapacity_months = fields.Integer(strict=True, validate=validate.Range(min=0, max=600), load_default=None)
    disability_pct = fields.Integer(strict=True, validate=PERCENT, load_default=None, metadata={
        "description": "The disability percentage of the doctor's statement; leave out for a disability_item the "
                       "table gives one percentage for, give it within the table's range for one it gives a "
                       "range for (scalp)."})
    disability_item = one_of(DISABILITY_ITEMS, load_default=None, allow_none=True, metadata={
        "description": "A named item of the disability table: its percentage is the table's (decision D7)."})
    left_handed = strict_bool(load_default=False, metadata={
        "description": "The participant is left-handed: the table swaps the right and the left arm."})
    function_loss_pct = fields.Integer(strict=True, validate=PERCENT, load_default=None)

    @validates_schema
    def _needed_for_type(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("type") == "temporary_incapacity" and data.get("incapacity_months") is None:
            raise ValidationError("Required when type is temporary_incapacity.", "incapacity_months")
        if data.get("type") == "partial_disability" and data.get("disability_pct") is None \
                and data.get("disability_item") is None:
            raise ValidationError("Required when type is partial_disability, unless disability_item is given.",
                                  "disability_pct")
        if data.get("disability_item") is not None and data.get("type") != "partial_disability":
            raise ValidationError("Only when type is partial_disability.", "disability_item")


class JkkIncidentSchema(Schema):
    """A work accident or occupational disease."""

    date = claim_date(required=True, metadata={"description": "Accident date (for a disease: onset)."})
    kind = one_of(JKK_KINDS, required=True)
    reported_on = claim_date(required=True, metadata={"description": "Stage-I report to BPJS."})
    route_deviation = strict_bool(load_default=False)
    suspected = strict_bool(load_default=False, metadata={
        "description": "Filed as a suspected work accident or occupational disease (dugaan KK/PAK, PP 49/2023 "
                       "Pasal 25A-25B): BPJS concludes within the days the law gives after the stage-I report and "
                       "guarantees medical care until then."})
    diagnosed_on = claim_date(load_default=None, allow_none=True)
    outcome = fields.Nested(OutcomeSchema, required=True)
    costs = fields.Nested(CostsSchema, load_default=lambda: {"transport": [], "medical": 0})
    flags = fields.List(one_of(FLAGS), load_default=list)
    actual_wage = money(load_default=None, allow_none=True, metadata={
        "description": "The actual monthly wage when the employer reported less (PDS upah): BPJS pays on the "
                       "reported wage and the employer owes the shortfall of the wage-based benefits of its own."})

    @validates_schema
    def _disease_needs_diagnosis(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("kind") == "occupational_disease" and data.get("diagnosed_on") is None:
            raise ValidationError("Required for an occupational disease: the claim window runs from it.",
                                  "diagnosed_on")


class JkmIncidentSchema(Schema):
    """A death not caused by work (JKM)."""

    date = claim_date(required=True, metadata={"description": "Date of death."})
    cause = one_of(JKM_CAUSES, required=True)
    placement = one_of(PLACEMENTS, load_default=None, allow_none=True,
                       metadata={"description": "PMI only: before, during or after placement abroad."})


class JhtIncidentSchema(Schema):
    """Why the old-age savings are claimed, and when that happened."""

    reason = one_of(JHT_REASONS, required=True)
    date = claim_date(required=True, metadata={"description": "The event: resignation certificate, termination, "
                                                               "56th birthday, death, ... (for a partial "
                                                               "withdrawal: the request date)."})
    contractual_retirement_age = fields.Integer(
        strict=True, load_default=None, allow_none=True,
        validate=validate.Range(min=RETIREMENT_AGES[0], max=RETIREMENT_AGES[1]),
        metadata={"description": "Reason retirement only: the retirement age of the employment contract, company "
                                 "regulation or collective agreement; attach it as retirement_age_document. "
                                 "Without it a retirement before the general retirement age is referred."})

    @validates_schema
    def _contractual_age_for_retirement(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("contractual_retirement_age") is not None and data.get("reason") != "retirement":
            raise ValidationError("Only for reason retirement.", "contractual_retirement_age")


INCIDENT_SCHEMAS: dict[str, type[Schema]] = {"JKK": JkkIncidentSchema, "JKM": JkmIncidentSchema,
                                             "JHT": JhtIncidentSchema}
# one instance each, reused: building a marshmallow schema deep-copies its fields, which cost more than the load
_INCIDENT_LOADERS: dict[str, Schema] = {name: schema() for name, schema in INCIDENT_SCHEMAS.items()}


class HeirSchema(Schema):
    """An heir or child named in the claim (scholarships, survivors)."""

    relation = one_of(RELATIONS, required=True)
    birth_date = claim_date(load_default=None, allow_none=True)
    married = strict_bool(load_default=False)
    working = strict_bool(load_default=False)
    education_level = one_of(EDUCATION_LEVELS, load_default="none")

    @validates_schema
    def _child_needs_birth_date(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("relation") == "child" and data.get("birth_date") is None:
            raise ValidationError("Required for a child: scholarships end at 23.", "birth_date")


class ClaimSchema(Schema):
    """A claim as the officer submits it; ``incident`` follows ``claim_type``."""

    claim_type = one_of(CLAIM_TYPES, required=True)
    kpj = pattern(KPJ, "a KPJ of 11 digits", required=True)
    filed_on = claim_date(required=True)
    incident = fields.Dict(required=True, metadata={"oneOf": [
        {"$ref": "#/components/schemas/JkkIncident"}, {"$ref": "#/components/schemas/JkmIncident"},
        {"$ref": "#/components/schemas/JhtIncident"}]})
    heirs = fields.List(fields.Nested(HeirSchema), load_default=list)
    documents = fields.List(one_of(DOCUMENTS), load_default=list)

    @post_load
    def _load_incident(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        try:
            data["incident"] = _INCIDENT_LOADERS[data["claim_type"]].load(data["incident"])
        except ValidationError as error:
            raise ValidationError({"incident": error.messages}) from error
        errors = claim_date_errors(data)
        if len(set(data["documents"])) != len(data["documents"]):
            errors["documents"] = ["Each document may appear once."]
        if errors:
            raise ValidationError(_nested(errors))
        return data


def _nested(errors: dict[str, list[str]]) -> dict[str, Any]:
    """``{"incident.date": [...]}`` as marshmallow's nested form, which the error envelope flattens again."""
    out: dict[str, Any] = {}
    for path, messages in errors.items():
        node = out
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = messages
    return out


def between(low: dt.date, low_name: str, high: dt.date, high_name: str) -> str:
    """The message of a date outside its accepted range, naming both ends."""
    return f"Must be between {low} ({low_name}) and {high} ({high_name})."


def claim_date_errors(claim: dict[str, Any], today: dt.date | None = None) -> dict[str, list[str]]:
    """Dates that make sense, by field path: filed_on not after today in Asia/Jakarta, the incident not after
    filed_on, a stage-I report and a diagnosis between the incident and filed_on. The law in force is still
    chosen by the event date; today only bounds what can have happened."""
    today = today or jakarta_today()
    errors: dict[str, list[str]] = {}
    filed, incident = claim["filed_on"], claim["incident"]
    if filed > today:
        errors["filed_on"] = [between(EARLIEST_DATE, "earliest date", today, "today in Asia/Jakarta")]
        return errors
    if incident["date"] > filed:
        errors["incident.date"] = [between(EARLIEST_DATE, "earliest date", filed, "filed_on")]
        return errors
    for name in ("reported_on", "diagnosed_on"):
        value = incident.get(name) if claim["claim_type"] == "JKK" else None
        if value is not None and not incident["date"] <= value <= filed:
            errors[f"incident.{name}"] = [between(incident["date"], "incident.date", filed, "filed_on")]
    return errors


class IdempotencyHeaderSchema(Schema):
    """The client's key that makes a retried POST return the first answer instead of a second claim."""

    class Meta:
        unknown = "exclude"

    idempotency_key = fields.String(data_key="Idempotency-Key", required=True,
                                    validate=validate.Length(min=8, max=200))


OUTCOMES = ("approved", "rejected", "referred")
MAX_PER_PAGE = 100


class ClaimQuerySchema(Schema):
    """The work queue: claims by status, filing date and participant, newest filing first, a page at a time."""

    status = one_of(OUTCOMES, metadata={"description": "The outcome of the claim's current decision."})
    from_ = claim_date(data_key="from", metadata={"description": "Filed on or after this day."})
    to = claim_date(metadata={"description": "Filed on or before this day."})
    kpj = pattern(KPJ, "a KPJ of 11 digits")
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))

    @validates_schema
    def _window(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError(f"Must be on or after from ({data['from_']}).", "to")
