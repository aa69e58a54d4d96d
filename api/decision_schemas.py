"""How a decision is shown: the SPEC's Decision object, and the claim that carries it."""

from __future__ import annotations

from marshmallow import Schema, fields

from adjudication.kinds import CASE_KINDS

from .claim_schemas import CLAIM_TYPES


class BenefitSchema(Schema):
    """One benefit item with the arithmetic behind it."""

    code = fields.String()
    amount = fields.Integer()
    basis = fields.String()
    recurring = fields.String(metadata={"description": "'yearly' for a scholarship: amount is the first year's."})
    rule_id = fields.String(metadata={"description": "The rule that granted this item."})


class ReasonSchema(Schema):
    """One reason, with the rule that gave it and the article of law behind the rule."""

    code = fields.String()
    rule_id = fields.String()
    citation = fields.String()
    message = fields.String()
    message_id = fields.String(metadata={"description": "The message in Indonesian."})
    kind = fields.String(metadata={"enum": ["reject", "refer", "warning", "info"]})


class DecisionSchema(Schema):
    """A decision in every response that decides (SPEC section 4, "Decision")."""

    decision_id = fields.String()
    kind = fields.String(metadata={"enum": list(CASE_KINDS)})
    outcome = fields.String(metadata={"enum": ["approved", "rejected", "referred"]})
    liability = fields.String(allow_none=True, metadata={"enum": ["bpjs", "employer", None]})
    benefits = fields.List(fields.Nested(BenefitSchema))
    total_amount = fields.Integer()
    reasons = fields.List(fields.Nested(ReasonSchema))
    documents_required = fields.List(fields.String(), metadata={
        "description": "Documents this claim needs (REFERENCE section 10)."})
    documents_missing = fields.List(fields.String(), metadata={
        "description": "Required documents the claim does not have yet; any missing refers the claim."})
    ruleset_version = fields.String()
    rules_fired = fields.List(fields.String())
    as_of = fields.String(metadata={"format": "date", "description": "The event date that chose the rules in force."})
    amounts = fields.List(fields.Nested(BenefitSchema), metadata={
        "description": "Amounts the decision states whatever its outcome (a project's contribution); "
                       "present only when the rules state any."})
    decided_at = fields.String()


class ClaimResponseSchema(Schema):
    """A claim and the decision made on it."""

    claim_id = fields.String()
    claim_type = fields.String(metadata={"enum": list(CLAIM_TYPES)})
    kpj = fields.String()
    filed_on = fields.Date()
    event_date = fields.Date()
    decision = fields.Nested(DecisionSchema)


class ReasonCodeSchema(Schema):
    """One entry of the reason-code catalogue."""

    code = fields.String()
    kind = fields.String(metadata={"enum": ["reject", "refer", "warning", "info"]})
    message_id = fields.String(metadata={"description": "Indonesian message."})
    message_en = fields.String(metadata={"description": "English message."})
