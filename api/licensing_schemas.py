"""What a licensing office sends and reads: clearances (single and batch) and a project's coverage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

from adjudication.fact_catalogue import FACTS

from .dates import today
from .decision_schemas import ReasonSchema
from .fields import NIB, REGION_CODE, one_of, pattern

PURPOSES = FACTS["purpose"].values
MAX_BATCH = 500
EARLIEST_CHECK = dt.date(2015, 7, 1)  # no clearance or coverage rule applies before the SJSN programmes began


def iso_date(**kwargs: Any) -> fields.String:
    """A date in an answer, stored as ISO text (``YYYY-MM-DD``)."""
    metadata = {"format": "date", **kwargs.pop("metadata", {})}
    return fields.String(metadata=metadata, **kwargs)


def _check_date(value: dt.date) -> None:
    latest = today()
    if not EARLIEST_CHECK <= value <= latest:
        raise ValidationError(f"Must be between {EARLIEST_CHECK} and today ({latest}, Asia/Jakarta).")


class CheckDate(Schema):
    """An optional check date: today (Asia/Jakarta) when left out, never in the future."""

    as_of = fields.Date(metadata={"description": "The day to check (YYYY-MM-DD); default today in Asia/Jakarta."})

    @validates("as_of")
    def _as_of(self, value: dt.date, **_: Any) -> None:
        _check_date(value)


class ClearanceItemSchema(Schema):
    """One business to check: its NIB, why, and the licensing office's region (for its arrears allowance)."""

    nib = pattern(NIB, "an NIB of 13 digits", required=True, metadata={"example": "9120001234567"})
    purpose = one_of(PURPOSES, required=True, metadata={"example": "permit_renewal"})
    region_code = pattern(REGION_CODE, "a Kemendagri region code such as 61, 61.71 or 61.71.03", required=True,
                          metadata={"example": "61.71"})


class ClearanceQuerySchema(ClearanceItemSchema, CheckDate):
    """``GET /v1/clearances`` query."""


class ClearanceBatchSchema(CheckDate):
    """A batch of businesses (a month of permit renewals), answered in order."""

    items = fields.List(fields.Nested(ClearanceItemSchema), required=True,
                        validate=validate.Length(min=1, max=MAX_BATCH, error=f"Give 1 to {MAX_BATCH} items."),
                        metadata={"example": [{"nib": "9120001234567", "purpose": "permit_renewal",
                                               "region_code": "61.71"}]})


class ClearanceSchema(Schema):
    """The clearance of one business (SPEC section 4, "Licensing"); no worker's personal data."""

    decision_id = fields.String()
    nib = fields.String()
    employer_name = fields.String(allow_none=True, metadata={"description": "Null when the NIB is not registered."})
    status = fields.String(metadata={"enum": ["clear", "not_clear"]})
    purpose = fields.String(metadata={"enum": list(PURPOSES)})
    region_code = fields.String()
    checked_on = iso_date()
    reasons = fields.List(fields.Nested(ReasonSchema), metadata={
        "description": "Every condition checked that failed (what the business must do) and what was found."})
    ruleset_version = fields.String()
    decided_at = fields.String()
    hash = fields.String(metadata={"description": "The decision's hash in the log, to check the letter later."})


class ClearanceBatchResultSchema(Schema):
    """Each business's clearance, in the order asked."""

    count = fields.Integer()
    clear = fields.Integer()
    items = fields.List(fields.Nested(ClearanceSchema))


class CoverageQuerySchema(CheckDate):
    """``GET /v1/projects/{project_number}/coverage`` query."""


class TerminSchema(Schema):
    """One termin of the project's contribution at the check date."""

    termin = fields.Integer()
    amount = fields.Integer()
    due_on = iso_date(allow_none=True)
    paid = fields.Integer(metadata={"description": "Paid by the check date."})
    paid_on = iso_date(allow_none=True, metadata={"description": "The day it was paid in full."})
    status = fields.String(metadata={"enum": ["paid", "partly_paid", "overdue", "not_due"]})


class ProjectContributionSchema(Schema):
    """The project's contribution on its contract value (marginal tiers), per programme, and its termins."""

    jkk = fields.Integer()
    jkm = fields.Integer()
    total = fields.Integer()
    basis = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "The tier arithmetic per programme."})
    termins = fields.List(fields.Nested(TerminSchema))
    unpaid_due = fields.Integer(metadata={"description": "Due by the check date and not paid."})


class CoverageSchema(Schema):
    """A construction project's coverage on a date (SPEC section 4, "Licensing")."""

    decision_id = fields.String()
    project_number = fields.String()
    status = fields.String(metadata={"enum": ["covered", "not_covered"]})
    as_of = iso_date(metadata={"description": "The check date."})
    spk_date = iso_date(metadata={"description": "The SPK date, which chose the law in force."})
    contract_value = fields.Integer()
    registered_in_time = fields.Boolean()
    deadline = iso_date(allow_none=True)
    registered_on = iso_date(allow_none=True)
    days_late = fields.Integer()
    covered_from = iso_date(allow_none=True)
    contribution = fields.Nested(ProjectContributionSchema)
    reasons = fields.List(fields.Nested(ReasonSchema))
    ruleset_version = fields.String()
    decided_at = fields.String()
    hash = fields.String()
