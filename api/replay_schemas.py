"""What an auditor reads of an impact analysis: the summary, a job's progress, and the changed decisions."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .audit_schemas import KINDS, BulkReplaySchema, ChangeSchema

BUCKETS = ("changed_outcome", "changed_amount", "changed_other", "failed")
PER_PAGE_MAX = 1000


class MoneySchema(Schema):
    """The sums of ``total_amount`` over one claim type's decisions, as stored and as replayed."""

    decisions = fields.Integer(metadata={"description": "Decisions of this claim type counted (failed ones are not)."})
    before = fields.Integer(metadata={"description": "Sum of the stored totals, whole Rupiah."})
    after = fields.Integer(metadata={"description": "Sum of the replayed totals, whole Rupiah."})
    difference = fields.Integer(metadata={"description": "after - before."})


class SummaryFields(Schema):
    """Counts every impact-analysis summary has beyond the v1 ones."""

    skipped = fields.Integer(metadata={
        "description": "Decisions counted identical without evaluation: no change between the rulesets can affect "
                       "them (included in identical)."})
    transitions = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Changed outcomes by transition, e.g. {\"approved -> rejected\": 12}."})
    money = fields.Dict(keys=fields.String(), values=fields.Nested(MoneySchema), metadata={
        "description": "Per claim type: the sum of total_amount before and after the replay."})


class ReplayChangeSchema(ChangeSchema):
    """A changed decision with its outcome and total before and after."""

    seq = fields.Integer(metadata={"description": "Position in the hash chain."})
    subject = fields.String()
    claim_type = fields.String(allow_none=True)
    bucket = fields.String(metadata={"enum": list(BUCKETS)})
    outcome_before = fields.String(allow_none=True)
    outcome_after = fields.String(allow_none=True)
    total_before = fields.Integer(allow_none=True)
    total_after = fields.Integer(allow_none=True)


class InlineReplaySchema(BulkReplaySchema, SummaryFields):
    """A window small enough to answer at once: the summary and every changed decision."""

    changes = fields.List(fields.Nested(ReplayChangeSchema))


class ReplaySummarySchema(SummaryFields):
    """A finished job's summary; the changed decisions are paged at ``changes_url``."""

    ruleset = fields.String(metadata={"description": "The version replayed with, or 'original'."})
    checked = fields.Integer()
    identical = fields.Integer()
    changed_outcome = fields.Integer()
    changed_amount = fields.Integer()
    changed_other = fields.Integer()
    failed = fields.Integer()


class JobAcceptedSchema(Schema):
    """A window too large to answer at once became a job."""

    job_id = fields.String()
    status = fields.String(metadata={"enum": ["queued", "running", "done", "failed"]})
    status_url = fields.String(metadata={"description": "Where progress and then the summary are read."})


class ProgressSchema(Schema):
    """How far a job is."""

    checked = fields.Integer()
    total = fields.Integer()
    percent = fields.Float()
    rate_per_second = fields.Float(allow_none=True, metadata={"description": "Decisions per second since it began."})
    seconds_left = fields.Float(allow_none=True, metadata={"description": "At that rate; null before a rate is known."})


class JobSchema(Schema):
    """An impact-analysis job: its window, progress, and once done its summary."""

    job_id = fields.String()
    status = fields.String(metadata={"enum": ["queued", "running", "done", "failed"]})
    origin = fields.String(metadata={"enum": ["api", "cli"]})
    from_ = fields.String(data_key="from", attribute="from", metadata={"format": "date"})
    to = fields.String(metadata={"format": "date"})
    kind = fields.String(allow_none=True, metadata={"enum": list(KINDS)})
    ruleset = fields.String()
    shard = fields.String(metadata={"description": "K/N: the decisions whose seq modulo N is K-1."})
    created_at = fields.String(metadata={"format": "date-time"})
    started_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    finished_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    progress = fields.Nested(ProgressSchema)
    summary = fields.Nested(ReplaySummarySchema, allow_none=True)
    error = fields.String(allow_none=True)
    changes_url = fields.String()


class ChangesQuerySchema(Schema):
    """Which page of a job's changed decisions, or all of them as CSV."""

    # bounded: a page far beyond any job's changes gave an OFFSET the database cannot take (a 500)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=2**31 - 1))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=PER_PAGE_MAX))
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class ChangesPageSchema(Schema):
    """One page of a job's changed decisions, in chain order, with how many there are."""

    job_id = fields.String()
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    items = fields.List(fields.Nested(ReplayChangeSchema))
