"""Marshmallow schemas of the registry records (SPEC section 4, "Registry")."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .fields import (
    CATEGORIES,
    FUNDING,
    KPJ,
    MAX_RUPIAH,
    NIB,
    NIK,
    NPP,
    PAYERS,
    PROGRAMS,
    PROJECT_NUMBER,
    REGION_CODE,
    SCALES,
    SEGMENTS,
    money,
    month,
    one_of,
    pattern,
    strict_bool,
)

CONTRIBUTION_PAYER = r"^(employer:[A-Z0-9]{8}|participant:\d{11})$"


def _unique(values: list[Any]) -> bool:
    return len(values) == len(set(values))


class EmployerSchema(Schema):
    """An employer as the membership core system sends it."""

    npp = pattern(NPP, "an NPP of 8 capital letters or digits", dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    nib = pattern(NIB, "an NIB of 13 digits", required=True)
    region_code = pattern(REGION_CODE, "a Kemendagri region code such as 61, 61.12 or 61.12.05", required=True)
    scale = one_of(SCALES, required=True)
    sector = fields.String(required=True, validate=validate.Length(min=1, max=60))
    risk_class = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=5))
    state_employer = strict_bool(required=True)
    registered_on = fields.Date(required=True)
    programs = fields.List(
        one_of(PROGRAMS),
        load_default=list,
        metadata={"description": "Programs the employer registered its workers in (Perpres 109/2013)."},
    )

    @validates_schema
    def _programs_unique(self, data: dict[str, Any], **_: Any) -> None:
        if not _unique(data.get("programs") or []):
            raise ValidationError("Each program may appear once.", "programs")


class JhtWithdrawalSchema(Schema):
    """A past partial JHT withdrawal."""

    on = fields.Date(required=True)
    # the share that was taken, as recorded; the shares the law allows are parameters (jht.partial.*) in rules/
    pct = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=100))


class ParticipantSchema(Schema):
    """A participant; which of wage / declared_income / employer applies depends on the segment."""

    kpj = pattern(KPJ, "a KPJ of 11 digits", dump_only=True)
    nik = pattern(NIK, "a NIK of 16 digits", required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    birth_date = fields.Date(required=True)
    segment = one_of(SEGMENTS, required=True)
    category = one_of(CATEGORIES, required=True)
    employer_npp = pattern(NPP, "an NPP of 8 capital letters or digits", load_default=None, allow_none=True)
    project_number = pattern(PROJECT_NUMBER, "a project number", load_default=None, allow_none=True)
    programs = fields.List(one_of(PROGRAMS), required=True, validate=validate.Length(min=1))
    membership_start = fields.Date(required=True)
    wage = money(load_default=None, allow_none=True)
    actual_wage = money(load_default=None, allow_none=True, metadata={
        "description": "PU and JAKON: the actual monthly wage when the employer reported less (PDS upah, e.g. found "
                       "by an inspection); JKK benefits are paid on wage and the employer owes the shortfall."})
    declared_income = money(load_default=None, allow_none=True)
    payer = one_of(PAYERS, required=True)
    employment_ended_on = fields.Date(load_default=None, allow_none=True)
    jht_balance = money(load_default=0)
    jht_partial_withdrawals = fields.List(fields.Nested(JhtWithdrawalSchema), load_default=list)

    @validates_schema
    def _segment_fields(self, data: dict[str, Any], **_: Any) -> None:
        segment = data.get("segment")
        errors: dict[str, list[str]] = {}

        def need(field: str, why: str) -> None:
            if data.get(field) is None:
                errors.setdefault(field, []).append(f"Required for segment {segment}: {why}.")

        def refuse(field: str) -> None:
            if data.get(field) is not None:
                errors.setdefault(field, []).append(f"Not used for segment {segment}.")

        if segment in ("PU", "JAKON"):
            need("employer_npp", "the employer who pays the contributions")
            need("wage", "the last reported monthly wage")
            refuse("declared_income")
            actual, reported = data.get("actual_wage"), data.get("wage")
            if actual is not None and reported is not None and actual <= reported:
                errors.setdefault("actual_wage", []).append(
                    f"Must be above wage ({reported}): leave it out when the wage is reported in full.")
        else:
            refuse("actual_wage")
        if segment == "JAKON":
            need("project_number", "the construction project the worker is covered under")
        elif segment is not None:
            refuse("project_number")
        if segment == "BPU":
            need("declared_income", "the income the participant declared")
            refuse("wage")
        if not _unique(data.get("programs") or []):
            errors.setdefault("programs", []).append("Each program may appear once.")
        if len(data.get("jht_partial_withdrawals") or []) > 1:
            errors.setdefault("jht_partial_withdrawals", []).append(
                "A partial JHT withdrawal is allowed once (PP 46/2015 Pasal 22)."
            )
        born, start = data.get("birth_date"), data.get("membership_start")
        if born and start and start < born:
            errors.setdefault("membership_start", []).append("Cannot be before birth_date.")
        if errors:
            raise ValidationError(errors)


class ContributionSchema(Schema):
    """One month's contribution of one payer."""

    payer = pattern(CONTRIBUTION_PAYER, "employer:<npp> or participant:<kpj>", required=True)
    period = month(required=True)
    amount_due = money(required=True)
    amount_paid = money(required=True)
    paid_on = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _paid_on_matches_amount(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("amount_paid") and data.get("paid_on") is None:
            raise ValidationError("Required when amount_paid is above 0.", "paid_on")
        if data.get("amount_paid") == 0 and data.get("paid_on") is not None:
            raise ValidationError("Must be null when amount_paid is 0.", "paid_on")


class ContributionBatchSchema(Schema):
    """A batch of contributions, stored all or nothing."""

    items = fields.List(fields.Nested(ContributionSchema), required=True,
                        validate=validate.Length(min=1, max=10_000))

    @validates_schema
    def _one_row_per_month(self, data: dict[str, Any], **_: Any) -> None:
        seen: dict[tuple[str, str], int] = {}
        for index, item in enumerate(data.get("items") or []):
            key = (item["payer"], item["period"])
            if key in seen:
                raise ValidationError({"items": {index: {"period": [f"Same payer and period as item {seen[key]}."]}}})
            seen[key] = index


class ContributionBatchResultSchema(Schema):
    """What a stored batch changed."""

    created = fields.Integer()
    updated = fields.Integer()


class ContributionQuerySchema(Schema):
    """Filter of the contributions listing."""

    payer = pattern(CONTRIBUTION_PAYER, "employer:<npp> or participant:<kpj>", required=True)


class ProjectPaymentSchema(Schema):
    """A termin payment of a project's contribution."""

    termin = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=12))
    amount = money(required=True)
    paid_on = fields.Date(required=True)


class ProjectSchema(Schema):
    """A construction project with its SPK, contract value and termin payments."""

    project_number = pattern(PROJECT_NUMBER, "a project number", dump_only=True)
    contractor_npp = pattern(NPP, "an NPP of 8 capital letters or digits", required=True)
    owner_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    spk_number = fields.String(required=True, validate=validate.Length(min=1, max=60))
    spk_date = fields.Date(required=True)
    contract_value = fields.Integer(strict=True, required=True, validate=validate.Range(
        min=1, max=MAX_RUPIAH, error=f"Must be a whole number of Rupiah from 1 to {MAX_RUPIAH}."))
    funding = one_of(FUNDING, required=True)
    region_code = pattern(REGION_CODE, "a Kemendagri region code such as 61, 61.12 or 61.12.05", required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    registered_on = fields.Date(load_default=None, allow_none=True)
    payments = fields.List(fields.Nested(ProjectPaymentSchema), load_default=list)

    @validates_schema
    def _dates_and_termins(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise ValidationError("Cannot be before start_date.", "end_date")
        termins = [p["termin"] for p in data.get("payments") or []]
        for index, termin in enumerate(termins):
            if termin in termins[:index]:
                raise ValidationError({"payments": {index: {"termin": ["Each termin may appear once."]}}})
        if termins and data.get("registered_on") is None:
            raise ValidationError("A project with payments must have registered_on.", "registered_on")
