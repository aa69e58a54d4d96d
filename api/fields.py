"""Strict marshmallow fields shared by every schema: identifiers, months, money, booleans."""

from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate

from adjudication.fact_catalogue import FACTS

NIK = r"^\d{16}$"
KPJ = r"^\d{11}$"
NIB = r"^\d{13}$"
NPP = r"^[A-Z0-9]{8}$"
PROJECT_NUMBER = r"^[A-Z0-9-]{4,32}$"
# Kemendagri codes: province "61", regency "61.12", district "61.12.05", village "61.12.05.2001"
REGION_CODE = r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"

# the registry's enumerations are the engine's (adjudication.fact_catalogue); only a project's funding source is
# the registry's own (the engine never reads it: Jakon cover does not depend on it)
PROGRAMS = FACTS["programs"].values
SEGMENTS = FACTS["segment"].values
PAYERS = FACTS["payer"].values
SCALES = FACTS["employer_scale"].values
CATEGORIES = FACTS["category"].values
FUNDING = ("APBN", "APBD", "APBDES", "private")


class FullMatch(validate.Regexp):
    """The whole value must match, in ASCII: Python's ``\\d`` takes any script's digits, ``$`` a final newline."""

    def __init__(self, regex: str, error: str) -> None:
        super().__init__(regex, re.ASCII, error=error)
        self.full = re.compile(regex, re.ASCII)

    def __call__(self, value: str) -> str:  # type: ignore[override]
        if self.full.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


def pattern(regex: str, what: str, **kwargs: object) -> fields.String:
    """A string field that must match ``regex``; the error says what was expected."""
    return fields.String(validate=FullMatch(regex, error=f"Must be {what}."), **kwargs)  # type: ignore[arg-type]


# the largest amount of Rupiah any field takes (a quadrillion): far above any wage, contract or balance, and well
# inside the 64-bit integer columns the database stores money in
MAX_RUPIAH = 10**15


def money(**kwargs: object) -> fields.Integer:
    """Whole, non-negative Rupiah up to ``MAX_RUPIAH``; floats and numeric strings are refused."""
    return fields.Integer(strict=True, validate=validate.Range(
        min=0, max=MAX_RUPIAH, error=f"Must be a whole number of Rupiah from 0 to {MAX_RUPIAH}."),
        **kwargs)  # type: ignore[arg-type]


def one_of(choices: tuple[str, ...], **kwargs: object) -> fields.String:
    """A string restricted to an enum, listed in the error and in the OpenAPI document."""
    return fields.String(validate=validate.OneOf(choices), **kwargs)  # type: ignore[arg-type]


class StrictBoolean(fields.Boolean):
    """A Boolean that takes only JSON true/false (``1 in {True}`` holds, so truthy sets cannot refuse 1)."""

    def _deserialize(self, value: object, attr: str | None, data: object, **kwargs: object) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def strict_bool(**kwargs: object) -> fields.Boolean:
    """JSON true/false only; "yes", 1 and "true" are refused."""
    return StrictBoolean(**kwargs)  # type: ignore[arg-type]


def month(**kwargs: object) -> fields.String:
    """A calendar month ``YYYY-MM``."""
    return pattern(MONTH, "a month YYYY-MM", **kwargs)
