"""Values as an officer reads them, in Indonesian (``id``) or English (``en``).

Money is whole Rupiah with the language's thousands separator (``Rp5.000.000`` / ``Rp5,000,000``), dates are
written out with the month's name from Babel's CLDR data (``10 Maret 2024`` / ``10 March 2024``), rates are
percentages. The month names are read once; everything else is plain string work, because decisions are worded
on the claims hot path.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

from babel.dates import get_month_names

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
_THOUSANDS = {"id": ".", "en": ","}
_DECIMAL = {"id": ",", "en": "."}
_MONTHS = {lang: dict(get_month_names("wide", locale=lang)) for lang in LANGUAGES}
_YES_NO = {"id": ("ya", "tidak"), "en": ("yes", "no")}


def grouped(value: int, lang: str) -> str:
    """A whole number with the language's thousands separator: ``5.000.000`` / ``5,000,000``."""
    return f"{value:,}".replace(",", _THOUSANDS[lang])


def number(value: int | Fraction, lang: str) -> str:
    """A number as written in ``lang``: grouped when whole, else exact decimals (``0,5``) or a fraction."""
    if isinstance(value, int) or value.denominator == 1:
        return grouped(int(value), lang)
    from .benefits import format_number  # the exact decimal text of a rate (0.0024 stays 0.0024)

    return format_number(value).replace(".", _DECIMAL[lang])


def rupiah(value: int | Fraction, lang: str) -> str:
    """Whole Rupiah, rounded down: ``Rp5.000.000`` (id), ``Rp5,000,000`` (en)."""
    return "Rp" + grouped(math.floor(value), lang)


def percent(value: int | Fraction, lang: str) -> str:
    """A rate (a fraction of 1) as a percentage: ``0.5`` is ``50%``, ``0.0021`` is ``0,21%`` in Indonesian."""
    return number(Fraction(value) * 100, lang) + "%"


def date(value: dt.date, lang: str) -> str:
    """``10 Maret 2024`` (id), ``10 March 2024`` (en)."""
    return f"{value.day} {_MONTHS[lang][value.month]} {value.year}"


def yes_no(value: bool, lang: str) -> str:
    """``ya``/``tidak`` or ``yes``/``no``."""
    return _YES_NO[lang][0 if value else 1]
