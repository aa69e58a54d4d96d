"""The language of a response's words: Indonesian unless the request's ``Accept-Language`` prefers English.

Stored decisions keep every text in both languages (``message_id``/``message_en``, ``basis_id``/``basis_en``);
a response shows ``message`` and ``basis`` in the chosen language and keeps both originals beside them. Records
stored before the texts were kept in both languages had ``message`` in English and ``basis`` as the formula.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request

from adjudication.wording import DEFAULT_LANGUAGE, LANGUAGES


def preferred() -> str:
    """``id`` or ``en`` by the request's ``Accept-Language`` (``id`` when it names neither, or outside a request)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    language: str | None = g.get("language")  # chosen once per request: an answer words every reason and benefit
    if language is None:
        language = g.language = request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE) \
            or DEFAULT_LANGUAGE
    return language


def message_en(reason: dict[str, Any]) -> str | None:
    """The English message of a stored reason (older records: ``message``)."""
    return reason.get("message_en", reason.get("message"))


def message(reason: dict[str, Any]) -> str | None:
    """A stored reason's message in the request's language."""
    return reason.get("message_id") if preferred() == "id" and reason.get("message_id") else message_en(reason)


def basis(item: dict[str, Any]) -> str | None:
    """A stored item's basis in words in the request's language (older records: the formula)."""
    words = item.get("basis_id") if preferred() == "id" else item.get("basis_en")
    return words or item.get("basis")
