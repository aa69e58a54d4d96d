"""How a decision is shown: the SPEC's Decision object, and the claim that carries it."""

from __future__ import annotations

from marshmallow import Schema, fields

from adjudication.kinds import CASE_KINDS

from . import language
from .claim_schemas import CLAIM_TYPES
from .fast_dump import FastDump


class BenefitSchema(Schema):
    """One benefit item with the arithmetic behind it, in words an officer can check."""

    code = fields.String()
    amount = fields.Integer()
    basis = fields.Function(language.basis, metadata={
        "type": "string", "description": "The basis in words with its numbers and citation, in the language of "
                                         "Accept-Language (Indonesian by default), e.g. '48 x upah terlapor "
                                         "Rp5.000.000 = Rp240.000.000 (PP 82/2019 Lampiran III)'."})
    basis_id = fields.String(metadata={"description": "The basis in Indonesian."})
    basis_en = fields.String(metadata={"description": "The basis in English."})
    formula = fields.Function(lambda item: item.get("basis"), metadata={
        "type": "string", "description": "The rule's formula with the values put in, e.g. 'max(48 x 5000000, "
                                         "20000000)'."})
    citation = fields.String(metadata={"description": "The provision of the rule that granted the item."})
    recurring = fields.String(metadata={"description": "'yearly' for a scholarship: amount is the first year's."})
    payer = fields.String(metadata={"enum": ["employer", "worker", "self"], "description": (
        "Present when someone other than the decision's liability pays the item: on a benefit, 'employer' for what "
        "the employer owes of its own (the shortfall of an under-reported wage), never in total_amount but in "
        "employer_total; on a stated amount, who pays the contribution.")})
    provisional = fields.Boolean(metadata={"description": "True for what a referred claim would pay once the "
                                                          "referral is cleared; never in total_amount."})
    rule_id = fields.String(metadata={"description": "The rule that granted this item."})


class ReasonSchema(Schema):
    """One reason, with the rule that gave it and the article of law behind the rule."""

    code = fields.String()
    rule_id = fields.String()
    citation = fields.String()
    message = fields.Function(language.message, metadata={
        "type": "string", "description": "The message in the language of Accept-Language (Indonesian by "
                                         "default)."})
    message_id = fields.String(metadata={"description": "The message in Indonesian."})
    message_en = fields.Function(language.message_en, metadata={"type": "string",
                                                                "description": "The message in English."})
    kind = fields.String(metadata={"enum": ["reject", "refer", "warning", "info"]})


class DecisionSchema(Schema):
    """A decision in every response that decides (SPEC section 4, "Decision")."""

    decision_id = fields.String(allow_none=True, metadata={
        "description": "The record in the decision log; null for a decision that was not stored (evaluate)."})
    kind = fields.String(metadata={"enum": list(CASE_KINDS)})
    outcome = fields.String(metadata={"enum": ["approved", "rejected", "referred"]})
    liability = fields.String(allow_none=True, metadata={"enum": ["bpjs", "employer", None]})
    benefits = fields.List(fields.Nested(BenefitSchema))
    total_amount = fields.Integer(metadata={
        "description": "The sum of the benefits paid under the programme (by BPJS, or first by the employer when "
                       "liability is employer); not what the employer owes of its own (employer_total)."})
    employer_total = fields.Integer(metadata={
        "description": "The sum of the benefits whose payer is the employer of its own (the shortfall of an "
                       "under-reported wage); present only then."})
    provisional_benefits = fields.List(fields.Nested(BenefitSchema), metadata={
        "description": "A referred claim: the benefits it would pay once the referral is cleared (provisional, "
                       "not in total_amount); present only then."})
    provisional_total = fields.Integer(metadata={"description": "The sum of provisional_benefits (without what "
                                                                "the employer would owe of its own)."})
    provisional_employer_total = fields.Integer(metadata={
        "description": "The sum of the provisional benefits the employer would owe of its own; present only then."})
    claimable_from = fields.String(metadata={
        "format": "date", "description": "A rejection that lapses (the JHT waiting period): the first day the "
                                         "claim can be filed again; present only then."})
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


class ActorSchema(Schema):
    """Who made a decision: the token's id and name, and its role."""

    token_id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)
    role = fields.String(allow_none=True)


TRIGGERS = ("submitted", "documents_added", "redecided", "reviewed")


class HistoryEntrySchema(Schema):
    """One decision on a claim, in the order they were made, with what triggered it and who."""

    trigger = fields.String(metadata={"enum": list(TRIGGERS), "description": (
        "submitted: POST /v1/claims; documents_added: papers added, the same registry records; redecided: the "
        "registry read again (and, if given, a new filing date); reviewed: a supervisor's findings or rejection.")})
    actor = fields.Nested(ActorSchema, allow_none=True)
    request_id = fields.String(allow_none=True, metadata={"description": "The X-Request-Id of the request."})
    filed_on = fields.String(metadata={"format": "date", "description": "The filing date this decision used."})
    documents_added = fields.List(fields.String(), metadata={"description": "documents_added: the new papers."})
    findings = fields.Dict(metadata={"description": "reviewed: the supervisor's findings recorded."})
    rejection = fields.String(metadata={"description": "reviewed: the catalogued reason a supervisor rejected with."})
    note = fields.String(metadata={"description": "reviewed: the supervisor's note."})
    hash = fields.String(metadata={"description": "The record's hash in the decision log."})
    prev_hash = fields.String(metadata={"description": "The hash of the record before it in the log."})
    decision = fields.Nested(DecisionSchema)


class ClaimSummarySchema(Schema):
    """A claim and its current decision (an item of the work queue)."""

    claim_id = fields.String()
    claim_type = fields.String(metadata={"enum": list(CLAIM_TYPES)})
    kpj = fields.String()
    filed_on = fields.Date()
    event_date = fields.Date()
    status = fields.String(metadata={"enum": ["approved", "rejected", "referred"],
                                     "description": "The outcome of the current decision."})
    duplicate_of = fields.String(allow_none=True, metadata={
        "description": "A claim rejected as DUPLICATE_CLAIM: the first claim on the same event, where the "
                       "officer goes on instead."})
    updated_at = fields.String(allow_none=True, metadata={"description": "When the current decision was made."})
    decision = fields.Nested(DecisionSchema)


class ClaimResponseSchema(FastDump, ClaimSummarySchema):
    """A claim, its current decision and every decision made on it, oldest first."""

    history = fields.List(fields.Nested(HistoryEntrySchema), metadata={
        "description": "Every decision on the claim, oldest first; the last is the current one."})


class ReasonCodeSchema(Schema):
    """One entry of the reason-code catalogue."""

    code = fields.String()
    kind = fields.String(metadata={"enum": ["reject", "refer", "warning", "info"]})
    message_id = fields.String(metadata={"description": "Indonesian message."})
    message_en = fields.String(metadata={"description": "English message."})
