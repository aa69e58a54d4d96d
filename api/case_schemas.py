"""Marshmallow schemas of a claim's way forward: papers added, a new reading of the registry, a supervisor's
review, a trial decision, the work queue and the explanation."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from adjudication.review import FINDINGS, REJECTIONS

from .claim_schemas import DOCUMENTS, claim_date, one_of
from .decision_schemas import ClaimSummarySchema, DecisionSchema

NOTE = validate.Length(min=1, max=1000)


def _unique(values: list[str]) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("Each document may appear once.")


class DocumentsSchema(Schema):
    """Papers brought in after the claim was filed; the claim is decided again with them."""

    documents = fields.List(one_of(DOCUMENTS), required=True,
                            validate=[validate.Length(min=1, max=len(DOCUMENTS)), _unique])


class RedecideSchema(Schema):
    """Read the registry again (a worker registered late, a contribution recorded) and decide again."""

    filed_on = claim_date(metadata={"description": (
        "The participant filed again on this day (e.g. after the JHT waiting period, from claimable_from); "
        "not before the claim's filing date, not after today in Asia/Jakarta. Leave out to keep the filing date.")})


class FindingsSchema(Schema):
    """What the supervisor established; each answers one referral of the claim's current decision."""

    route_deviation = one_of(FINDINGS[0].values, metadata={
        "description": "Answers COMMUTE_ROUTE_DEVIATION: the detour is reasonable (accepted) or not."})
    exclusion = one_of(FINDINGS[1].values, metadata={
        "description": "Answers EXCLUSION_SUSPECTED: the self-harm, intoxication, fight or crime is confirmed or "
                       "refuted."})
    accident_kind = one_of(FINDINGS[2].values, metadata={
        "description": "Answers ACCIDENT_KIND_TO_VERIFY: the event was in the employment relationship or not."})
    retirement_age = one_of(FINDINGS[3].values, metadata={
        "description": "Answers JHT_RETIREMENT_AGE_TO_VERIFY: the participant reached the retirement age of the "
                       "employment contract, company regulation or collective agreement (or 56), or not."})
    disability_pct = one_of(FINDINGS[4].values, metadata={
        "description": "Answers DISABILITY_PCT_OUTSIDE_TABLE: the doctor's percentage stands (accepted) or not."})
    suspected = one_of(FINDINGS[5].values, metadata={
        "description": "Answers SUSPECTED_WORK_ACCIDENT: the suspected work accident or occupational disease is one "
                       "(work_accident) or not (not_work_accident)."})
    documents_verified = fields.List(one_of(DOCUMENTS), validate=[validate.Length(min=1), _unique], metadata={
        "description": "Answers DOCUMENTS_MISSING: papers the supervisor saw and verified; they count as attached."})


class RejectionSchema(Schema):
    """A supervisor's rejection with a catalogued reason; the engine applies it with the law behind it."""

    reason = one_of(tuple(REJECTIONS), required=True, metadata={
        "description": "EVIDENCE_NOT_VALID (any claim) or NOT_A_WORK_ACCIDENT (JKK)."})
    note = fields.String(required=True, validate=NOTE, metadata={
        "description": "Why, for the record (kept with the decision, never logged)."})


class ReviewSchema(Schema):
    """A supervisor resolves a referred claim: findings the rules read, or a rejection with a reason."""

    findings = fields.Nested(FindingsSchema)
    rejection = fields.Nested(RejectionSchema)
    note = fields.String(validate=NOTE, metadata={"description": "Optional note on the findings, kept with the "
                                                                 "decision, never logged."})

    @validates_schema
    def _one_way(self, data: dict[str, Any], **_: Any) -> None:
        if ("findings" in data) == ("rejection" in data):
            raise ValidationError("Give either findings or a rejection.", "findings")
        if "findings" in data and not data["findings"]:
            raise ValidationError("Record at least one finding.", "findings")
        if "rejection" in data and "note" in data:
            raise ValidationError("A rejection carries its own note.", "note")


class EvaluationSchema(Schema):
    """A trial decision of a claim body: nothing is stored."""

    stored = fields.Boolean(metadata={"description": "Always false: no claim, no log entry."})
    claim_type = fields.String()
    kpj = fields.String()
    filed_on = fields.Date()
    event_date = fields.Date()
    duplicate_of = fields.String(allow_none=True, metadata={
        "description": "A claim already decided on the same event: filing this body would be DUPLICATE_CLAIM."})
    decision = fields.Nested(DecisionSchema)


class ClaimPageSchema(Schema):
    """One page of the work queue, newest filing first, with the total across all pages."""

    items = fields.List(fields.Nested(ClaimSummarySchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class StepSchema(Schema):
    """One rule that applied, in a sentence."""

    rule_id = fields.String()
    citation = fields.String()
    text = fields.String()


class ExplanationSchema(Schema):
    """A decision in sentences, from its stored trace, in the language of Accept-Language."""

    claim_id = fields.String()
    decision_id = fields.String()
    language = fields.String(metadata={"enum": ["id", "en"]})
    summary = fields.String()
    steps = fields.List(fields.Nested(StepSchema))
    benefits = fields.List(fields.String())
    documents = fields.String(allow_none=True)
