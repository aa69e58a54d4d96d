"""What an auditor sends and reads: decision records, replays, chain checks and rulesets."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from adjudication.kinds import CASE_KINDS

from .decision_schemas import DecisionSchema
from .fields import pattern

VERSION = re.compile(r"^sha256:[0-9a-f]{64}$")
KINDS = CASE_KINDS
RULESET_CHOICE = ("original", "current", "sha256:<64 hex>")
# what _check_ruleset accepts, published so that clients (and the contract fuzzer) can build a valid choice
RULESET_PATTERN = r"^(original|current|sha256:[0-9a-f]{64})$"


class StoredDecision(fields.Nested):
    """A stored decision result passed through verbatim, documented as the SPEC Decision.

    Dumping through ``DecisionSchema`` would drop any key the schema does not list; an auditor must see the
    record exactly as it was hashed.
    """

    def __init__(self, **kwargs: Any):
        super().__init__(DecisionSchema, **kwargs)

    # marshmallow names the first argument ``value`` in Field and ``nested_obj`` in Nested: one must differ
    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return value


def _check_ruleset(value: str, allowed: tuple[str, ...]) -> None:
    # fullmatch: ``$`` alone would accept a version followed by a newline
    if value not in allowed and not VERSION.fullmatch(value):
        raise ValidationError(f"Must be {', '.join(repr(a) for a in allowed)} or a version 'sha256:<64 hex>'.")


class DecisionRecordSchema(Schema):
    """One record of the decision log: the facts as evaluated, the result, and the chain hashes."""

    decision_id = fields.String()
    seq = fields.Integer(metadata={"description": "Position in the hash chain."})
    kind = fields.String(metadata={"enum": list(KINDS)})
    subject = fields.String(metadata={"description": "What was decided: the claim id, NIB or project number."})
    ruleset_version = fields.String()
    facts = fields.Dict(keys=fields.String(), metadata={
        "description": "The facts exactly as the ruleset evaluated them (dates as ISO text)."})
    result = StoredDecision()
    decided_at = fields.String(metadata={"format": "date-time"})
    prev_hash = fields.String(metadata={"description": "Hash of the previous record (64 zeros for the first)."})
    hash = fields.String(metadata={"description": "sha256 over prev_hash and the canonical JSON of the record."})
    format = fields.Integer(metadata={"description": "Record format: 1 (facts and result only) or 2 (also inputs, "
                                                     "trace, actor, request id and service version)."})
    inputs = fields.Dict(allow_none=True, metadata={
        "description": "The raw case and registry records the facts were derived from (format 2)."})
    trace = fields.List(fields.Dict(), allow_none=True, metadata={
        "description": "The evaluation's steps: parameters in force, rules fired, amounts, outcome (format 2)."})
    actor = fields.Dict(allow_none=True, metadata={"description": "The token (id, name, role) that asked for it."})
    request_id = fields.String(allow_none=True, metadata={"description": "The request that made the decision."})
    service_version = fields.String(allow_none=True, metadata={
        "description": "Package version and engine code digest at the time of the decision."})


class DecisionListQuerySchema(Schema):
    """Which decisions to list, newest first: a kind and a window of days, one page at a time."""

    kind = fields.String(validate=validate.OneOf(KINDS))
    from_ = fields.Date(data_key="from", metadata={"description": "First day (decided_at, UTC)."})
    to = fields.Date(metadata={"description": "Last day, inclusive."})
    before = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1), metadata={
        "description": "The next page: decisions below this seq (the last seq of the page before)."})
    after = fields.Integer(validate=validate.Range(min=0, max=2**31 - 1), metadata={
        "description": "The previous page: the decisions just above this seq (the first seq of the page after)."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=1000))

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        if "from_" in data and "to" in data and data["from_"] > data["to"]:
            raise ValidationError("Must not be before 'from'.", "to")
        if "before" in data and "after" in data:
            raise ValidationError("Give 'before' or 'after', not both.", "after")


class DecisionSummarySchema(Schema):
    """A decision in a list: what was decided about whom, when, under which ruleset, by whom."""

    seq = fields.Integer(metadata={"description": "Position in the hash chain."})
    decision_id = fields.String()
    kind = fields.String(metadata={"enum": list(KINDS)})
    subject = fields.String(metadata={"description": "What was decided: the claim id, NIB or project number."})
    ruleset_version = fields.String()
    decided_at = fields.String(metadata={"format": "date-time"})
    outcome = fields.String(allow_none=True, metadata={"enum": ["approved", "rejected", "referred"]})
    total_amount = fields.Integer(allow_none=True)
    actor = fields.Dict(allow_none=True, metadata={"description": "The token (id, name, role) that asked for it."})


class ReplayRequestSchema(Schema):
    """Which ruleset to replay a decision with."""

    ruleset = fields.String(required=True, metadata={
        "description": "'original' (the decision's own version), 'current', or a stored version 'sha256:...'.",
        "pattern": RULESET_PATTERN})

    @validates("ruleset")
    def _known_form(self, value: str, **_: Any) -> None:
        _check_ruleset(value, ("original", "current"))


class DifferenceSchema(Schema):
    """One field whose value the replay changed."""

    field = fields.String(metadata={"description": "e.g. outcome, total_amount, benefits.JKK_DEATH_FUNERAL"})
    original = fields.Raw(allow_none=True)
    replayed = fields.Raw(allow_none=True)


class ReplaySchema(Schema):
    """A decision re-evaluated from its stored facts; nothing is stored."""

    decision_id = fields.String()
    ruleset_version = fields.String(metadata={"description": "The version the replay used."})
    identical = fields.Boolean()
    original = StoredDecision()
    replayed = StoredDecision()
    differences = fields.List(fields.Nested(DifferenceSchema))
    trace = fields.List(fields.Dict(), metadata={
        "description": "The replay's steps: parameters in force, rules fired with citations, benefits, outcome."})


class RulesetPairSchema(Schema):
    """Two rulesets to compare (what the auditor's page sends for ``GET /v1/rulesets/{a}/diff/{b}``)."""

    from_ = fields.String(required=True, data_key="from", metadata={"pattern": RULESET_PATTERN})
    to = fields.String(required=True, metadata={"pattern": RULESET_PATTERN})

    @validates("from_", "to")
    def _known_form(self, value: str, **_: Any) -> None:
        _check_ruleset(value, ("current",))


class BulkReplayRequestSchema(Schema):
    """A window of decisions to replay with one ruleset."""

    from_ = fields.Date(required=True, data_key="from", metadata={"description": "First day (decided_at, UTC)."})
    to = fields.Date(required=True, metadata={"description": "Last day, inclusive."})
    kind = fields.String(validate=validate.OneOf(KINDS))
    ruleset = fields.String(required=True, metadata={
        "description": "'current', a stored version 'sha256:...', or 'original' (each decision's own version).",
        "pattern": RULESET_PATTERN})

    @validates("ruleset")
    def _known_form(self, value: str, **_: Any) -> None:
        _check_ruleset(value, ("current", "original"))

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if "from_" in data and "to" in data and data["from_"] > data["to"]:
            raise ValidationError("Must not be before 'from'.", "to")


class ChangeSchema(Schema):
    """A decision the replay changed, with what changed."""

    decision_id = fields.String()
    kind = fields.String(metadata={"enum": list(KINDS)})
    differences = fields.List(fields.Nested(DifferenceSchema))
    error = fields.String(metadata={"description": "Why the stored facts could not be replayed (only if failed)."})


class BulkReplaySchema(Schema):
    """Impact of a ruleset on a window of past decisions; each decision is counted once."""

    ruleset = fields.String(metadata={"description": "The version replayed with, or 'original'."})
    checked = fields.Integer()
    identical = fields.Integer()
    changed_outcome = fields.Integer()
    changed_amount = fields.Integer(metadata={"description": "Same outcome, different benefits or total."})
    changed_other = fields.Integer(metadata={"description": "Same outcome and amounts; reasons, rules or liability."})
    failed = fields.Integer(metadata={"description": "Decisions whose facts the ruleset could not evaluate."})
    changes = fields.List(fields.Nested(ChangeSchema))


class ChainCheckSchema(Schema):
    """The result of walking the hash chain and checking the stored checkpoints against it."""

    ok = fields.Boolean()
    checked = fields.Integer(metadata={"description": "Records verified before the first broken one."})
    first_broken = fields.String(allow_none=True, metadata={"description": "decision_id of the first bad record."})
    reason = fields.String(allow_none=True, metadata={"description": "What is wrong with the first bad record or "
                                                                     "checkpoint; null when ok."})
    checkpoints = fields.Integer(metadata={"description": "Stored checkpoints whose signature is valid."})
    checkpoints_matched = fields.Integer(metadata={
        "description": "Checkpoints whose head hash is the hash of the record at their seq."})


class CheckpointQuerySchema(Schema):
    """A page of checkpoints, newest first."""

    before = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1), metadata={
        "description": "Only checkpoints below this seq (the last seq of the previous page)."})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class CheckpointSchema(Schema):
    """The service's Ed25519 signature over the decision log's head; save one to check the log against later."""

    seq = fields.Integer(metadata={"description": "The record the checkpoint signs."})
    head_hash = fields.String(metadata={"description": "That record's hash."})
    signed_at = fields.String(metadata={"format": "date-time"})
    key_id = fields.String(metadata={"description": "sha256 (hex) of the raw public key that signed."})
    algorithm = fields.String(metadata={"enum": ["Ed25519"]})
    signature = fields.String(metadata={
        "description": "Base64 Ed25519 signature over the canonical JSON (sorted keys, no spaces) of "
                       "{context: 'bpjs-adjudication/decision-log-checkpoint/1', seq, head_hash, signed_at, key_id}."})
    public_key = fields.String(metadata={"description": "The signing key, PEM (SubjectPublicKeyInfo)."})


class PublicKeyQuerySchema(Schema):
    """Which key: the current one, or one that signed stored checkpoints."""

    key_id = pattern(r"^[0-9a-f]{64}$", "a key id of 64 lower-case hex digits", metadata={
        "description": "A key that signed stored checkpoints (default: the key the service signs with now)."})


class PublicKeySchema(Schema):
    """A checkpoint signing key's public half."""

    key_id = fields.String(metadata={"description": "sha256 (hex) of the raw 32-byte public key."})
    algorithm = fields.String(metadata={"enum": ["Ed25519"]})
    public_key = fields.String(metadata={"description": "PEM (SubjectPublicKeyInfo), for --public-key."})
    current = fields.Boolean(metadata={"description": "Whether the service signs new checkpoints with it."})


class RulesetVersionSchema(Schema):
    """A ruleset version the service has decided with, or runs now."""

    version = fields.String()
    first_loaded_at = fields.String(allow_none=True, metadata={
        "format": "date-time", "description": "When first stored; null for a current version no decision used."})
    current = fields.Boolean()


class CitationSchema(Schema):
    """The article of law a rule implements."""

    instrument = fields.String()
    article = fields.String()
    url = fields.String(allow_none=True)
    text = fields.String()


class RuleSchema(Schema):
    """One rule: one legal provision with its citation, the dates it is in force, when it applies and what it does."""

    id = fields.String()
    program = fields.String()
    title = fields.String()
    valid_from = fields.String(metadata={"format": "date"})
    valid_to = fields.String(allow_none=True, metadata={"format": "date"})
    citation = fields.Nested(CitationSchema)
    condition = fields.String(metadata={
        "description": "When the rule applies, readable: e.g. 'claim_type = JKK and claim_age_years > parameter "
                       "jkk.claim_expiry_years'. A comparison with a fact the case lacks is not met."})
    effects = fields.List(fields.Dict())
    file = fields.String()


class DatedValueSchema(Schema):
    """One value of a parameter, in force from ``start``."""

    start = fields.String(metadata={"format": "date"})
    value = fields.Raw(allow_none=True, metadata={
        "description": "Integer, a fraction as text ('3/10'), a date, or a list of numbers or names."})
    reference = fields.String()


class ParameterSchema(Schema):
    """A dated amount, rate or limit the rules use."""

    name = fields.String()
    description = fields.String()
    unit = fields.String()
    values = fields.List(fields.Nested(DatedValueSchema))
    file = fields.String()


class RulesetSchema(Schema):
    """A ruleset version with every rule and parameter."""

    version = fields.String()
    current = fields.Boolean()
    rules = fields.List(fields.Nested(RuleSchema))
    parameters = fields.List(fields.Nested(ParameterSchema))


class FieldChangeSchema(Schema):
    """One field that differs between two versions."""

    field = fields.String(metadata={"description": "e.g. title, valid_to, citation, condition, effects, value"})
    old = fields.Raw(allow_none=True)
    new = fields.Raw(allow_none=True)


class RuleChangeSchema(Schema):
    """A rule version (id, valid_from) in both rulesets that differs."""

    id = fields.String()
    valid_from = fields.String(metadata={"format": "date"})
    changes = fields.List(fields.Nested(FieldChangeSchema))


class RuleDiffSchema(Schema):
    """Rule versions, each identified by (id, valid_from), added, removed or changed."""

    added = fields.List(fields.Nested(RuleSchema))
    removed = fields.List(fields.Nested(RuleSchema))
    changed = fields.List(fields.Nested(RuleChangeSchema))


class DatedValueChangeSchema(Schema):
    """A dated value whose start is in both versions and whose value or reference differs."""

    start = fields.String(metadata={"format": "date"})
    changes = fields.List(fields.Nested(FieldChangeSchema))


class ParameterChangeSchema(Schema):
    """A parameter in both versions whose dated values (or description or unit) differ."""

    name = fields.String()
    added = fields.List(fields.Nested(DatedValueSchema))
    removed = fields.List(fields.Nested(DatedValueSchema))
    changed = fields.List(fields.Nested(DatedValueChangeSchema))
    changes = fields.List(fields.Nested(FieldChangeSchema), metadata={"description": "description or unit"})


class ParameterDiffSchema(Schema):
    """Parameters added, removed or changed."""

    added = fields.List(fields.Nested(ParameterSchema))
    removed = fields.List(fields.Nested(ParameterSchema))
    changed = fields.List(fields.Nested(ParameterChangeSchema))


class RulesetDiffSchema(Schema):
    """What changed from ruleset ``from`` to ruleset ``to``."""

    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    identical = fields.Boolean(metadata={"description": "No rule or parameter differs."})
    rules = fields.Nested(RuleDiffSchema)
    parameters = fields.Nested(ParameterDiffSchema)
