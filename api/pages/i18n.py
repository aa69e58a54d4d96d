"""The pages' language: Indonesian by default, English by a switch (``?lang=en``, remembered in a cookie).

Texts are written in English in the templates and code (``_("...")``) and translated by the gettext catalog
``translations/id/LC_MESSAGES/messages.po``. The catalog is compiled into the instance folder at start-up, when the
compiled file is missing or older than the catalog, so a fresh clone needs no build step. Money and dates are
formatted by Babel for the page's language: ``Rp5.000.000`` and ``23 November 2026`` in Indonesian,
``Rp5,000,000`` and ``23 November 2026`` in English.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, Response, g, request
from flask_babel import Babel, format_date, format_decimal
from flask_babel import gettext as _gettext
from flask_babel import lazy_gettext as _lazy_gettext

from ..dates import JAKARTA

LANGUAGES = ("id", "en")
DEFAULT = "id"
COOKIE = "lang"
CATALOGS = Path(__file__).parent / "translations"
DOMAIN = "messages"
YEAR = 365 * 24 * 3600


def gettext(text: str, **variables: Any) -> str:
    """``text`` in the page's language, with ``%(name)s`` variables filled in."""
    return str(_gettext(text, **variables))


def lazy_gettext(text: str) -> Any:
    """``text`` translated when it is shown (for module-level tables)."""
    return _lazy_gettext(text)


def compile_catalogs(target: Path) -> None:
    """Compile each ``.po`` under ``CATALOGS`` to ``target/<lang>/LC_MESSAGES/messages.mo`` when stale."""
    for po in CATALOGS.glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
        mo = target / po.relative_to(CATALOGS).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as file:
            catalog = read_po(file, locale=po.parts[-3], domain=DOMAIN)
        # written aside and renamed: workers starting together never read a half-written file
        fd, temporary = tempfile.mkstemp(dir=mo.parent, prefix=".messages.")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.replace(temporary, mo)


def page_language() -> str:
    """``?lang=`` if it names a language, else the cookie's, else Indonesian."""
    if "lang" not in g:
        asked = request.args.get("lang") or request.cookies.get(COOKIE)
        g.lang = asked if asked in LANGUAGES else DEFAULT
    return str(g.lang)


def remember_language(response: Response) -> Response:
    """Keep a language chosen with ``?lang=`` in a cookie for the next pages."""
    asked = request.args.get("lang")
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=YEAR, httponly=True, samesite="Strict", secure=request.is_secure)
    return response


def money(amount: int | None) -> str:
    """Whole Rupiah as the page's language writes it: Rp5.000.000 or Rp5,000,000."""
    if amount is None:
        return "-"
    return f"Rp{format_decimal(amount, format='#,##0')}"


def decimal(value: float | None) -> str:
    """A number as the page's language writes it, at most one decimal: ``12,5`` or ``12.5``."""
    if value is None:
        return "-"
    return str(format_decimal(value, format="#,##0.#"))


def long_date(value: str | dt.date | None) -> str:
    """A date spelled out, ``23 November 2026``, in the page's language."""
    if not value:
        return "-"
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return str(format_date(day, "d MMMM y"))


def moment(value: str | None) -> str:
    """A UTC timestamp of the decision log as Jakarta time: ``23 November 2026 14:05:09 WIB``."""
    if not value:
        return "-"
    when = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(JAKARTA)
    return f"{format_date(when.date(), 'd MMMM y')} {when:%H:%M:%S} WIB"


def init_app(app: Flask) -> None:
    """Compile the catalogs into the instance folder and select each request's language."""
    compiled = Path(app.instance_path) / "translations"
    compile_catalogs(compiled)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    Babel(app, default_locale=DEFAULT, default_timezone="Asia/Jakarta", locale_selector=page_language)
    app.jinja_env.filters.update(money=money, decimal=decimal, long_date=long_date, moment=moment)
