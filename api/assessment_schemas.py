"""A contribution assessment request (by ``type``) and its answer."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from adjudication.fact_catalogue import FACTS

from .claim_schemas import claim_date
from .decision_schemas import ReasonSchema
from .fields import PROGRAMS, money, month, one_of, strict_bool

TYPES = FACTS["assessment_type"].values
INDUSTRIES = FACTS["industry"].values
PMI_PHASES = FACTS["pmi_phase"].values


def _period(**kwargs: Any) -> fields.String:
    """A contribution month ``YYYY-MM`` from 1900-01 to 2099-12 (the claims' date range)."""
    field = month(**kwargs)
    field.validators.append(validate.Range(min="1900-01", max="2099-12",
                                           error="Must be a month from 1900-01 to 2099-12."))
    return field


def _programs(choices: tuple[str, ...], **kwargs: Any) -> fields.List:
    return fields.List(one_of(choices), validate=validate.Length(min=1, error="Give at least one programme."),
                       **kwargs)


def _unique_programs(data: dict[str, Any]) -> None:
    programs = data.get("programs") or []
    if len(set(programs)) != len(programs):
        raise ValidationError("Each programme may appear once.", "programs")


class PuMonthSchema(Schema):
    """One PU month of one worker: what the employer and the worker owe, when, and the fine if paid late."""

    type = one_of(("pu_month",), required=True)
    period = _period(required=True, metadata={"example": "2024-06"})
    wage = money(required=True, metadata={"example": 5_000_000})
    risk_class = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=5),
                                metadata={"example": 1})
    programs = _programs(PROGRAMS, required=True, metadata={"example": ["JKK", "JKM", "JHT", "JP"]})
    jkp_registered = strict_bool(load_default=False)
    industry = one_of(INDUSTRIES, load_default="other", metadata={
        "description": "For the PP 7/2025 JKK discount of labour-intensive industries."})
    active_workers = fields.Integer(strict=True, validate=validate.Range(min=0, max=10_000_000), load_default=None)
    paid_on = claim_date(load_default=None, allow_none=True, metadata={
        "description": "When it was or will be paid: the late fine is reckoned to this day."})

    @validates_schema
    def _programmes(self, data: dict[str, Any], **_: Any) -> None:
        _unique_programs(data)


class BpuMonthSchema(Schema):
    """One BPU month: what the participant (or whoever pays for them) owes and when."""

    type = one_of(("bpu_month",), required=True)
    period = _period(required=True, metadata={"example": "2024-06"})
    declared_income = money(required=True, metadata={"example": 1_000_000})
    programs = _programs(("JKK", "JKM", "JHT"), required=True, metadata={"example": ["JKK", "JKM"]})
    paid_on = claim_date(load_default=None, allow_none=True)

    @validates_schema
    def _programmes(self, data: dict[str, Any], **_: Any) -> None:
        _unique_programs(data)


class PmiSchema(Schema):
    """A migrant worker's package: before placement, or during and after it (with a longer contract)."""

    type = one_of(("pmi",), required=True)
    phase = one_of(PMI_PHASES, required=True, metadata={"example": "placement"})
    package_months = fields.Integer(strict=True, validate=validate.Range(min=1, max=120), load_default=None,
                                    metadata={"description": "The package bought for the placement (months).",
                                              "example": 24})
    contract_months = fields.Integer(strict=True, validate=validate.Range(min=1, max=240), load_default=None,
                                     metadata={"description": "The placement contract's length (months)."})
    paid_on = claim_date(load_default=None, allow_none=True, metadata={
        "description": "The day it is paid, which chooses the law; default today (Asia/Jakarta)."})

    @validates_schema
    def _package(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("phase") == "placement" and data.get("package_months") is None:
            raise ValidationError("Required for a placement package.", "package_months")


class JakonProjectSchema(Schema):
    """A construction project: on its contract value (wages unknown) or on a worker's monthly wage."""

    type = one_of(("jakon_project",), required=True)
    spk_date = claim_date(required=True, metadata={"example": "2024-08-01"})
    contract_value = fields.Integer(strict=True, validate=validate.Range(min=1, max=10**15), load_default=None,
                                    metadata={"description": "Excluding VAT.", "example": 850_000_000})
    wage = money(load_default=None)

    @validates_schema
    def _one_base(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("contract_value") is None) == (data.get("wage") is None):
            raise ValidationError("Give either contract_value or wage.", "contract_value")


TYPE_SCHEMAS: dict[str, type[Schema]] = {"pu_month": PuMonthSchema, "bpu_month": BpuMonthSchema, "pmi": PmiSchema,
                                         "jakon_project": JakonProjectSchema}
_LOADERS = {name: schema() for name, schema in TYPE_SCHEMAS.items()}
# the request body as documented: one of the four shapes (the view validates by ``type``)
REQUEST_BODY = {"required": True, "content": {"application/json": {"schema": {"oneOf": [
    {"$ref": f"#/components/schemas/{schema.__name__.removesuffix('Schema')}"} for schema in TYPE_SCHEMAS.values()]}}}}


class AssessmentSchema(Schema):
    """An assessment request; the other fields follow ``type``."""

    class Meta:
        unknown = "include"

    type = one_of(TYPES, required=True)

    @post_load
    def _by_type(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return _LOADERS[data["type"]].load(data)  # type: ignore[no-any-return]


class AssessmentItemSchema(Schema):
    """One amount with who pays it, the arithmetic and the rule (with its citation among the reasons)."""

    code = fields.String()
    amount = fields.Integer()
    payer = fields.String(metadata={"enum": ["employer", "worker", "self"]})
    basis = fields.String()
    rule_id = fields.String()


class AssessmentResultSchema(Schema):
    """What is owed, by whom, by when, and the fine for the payment day given."""

    decision_id = fields.String()
    type = fields.String(metadata={"enum": list(TYPES)})
    outcome = fields.String(metadata={"enum": ["approved", "referred"], "description": (
        "approved: every amount is computed; referred: a person must assess part of it (see reasons).")})
    items = fields.List(fields.Nested(AssessmentItemSchema))
    employer_total = fields.Integer()
    worker_total = fields.Integer()
    self_total = fields.Integer(metadata={"description": "What a participant paying for themself owes (BPU, PMI)."})
    fines_total = fields.Integer()
    total = fields.Integer()
    due_on = fields.String(allow_none=True, metadata={"format": "date"})
    paid_on = fields.String(allow_none=True, metadata={"format": "date"})
    months_late = fields.Integer(allow_none=True)
    reasons = fields.List(fields.Nested(ReasonSchema))
    ruleset_version = fields.String()
    decided_at = fields.String()
    hash = fields.String()
