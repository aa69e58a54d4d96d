"""A stored decision in sentences an officer can check, in Indonesian or English, from its trace.

Each rule that fired becomes one sentence: the provision and its citation, the facts its condition read with
their values, the dated parameters it used, the reason it gave and the arithmetic of what it granted. Nothing is
evaluated again: the sentences come from the record the decision log holds.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from adjudication import wording
from adjudication.labels import document_text, fact_label, parameter_label, show, show_parameter

from . import language
from .models import DecisionRecord

_OUTCOME = {"approved": ("Klaim disetujui.", "The claim is approved."),
            "rejected": ("Klaim ditolak.", "The claim is rejected."),
            "referred": ("Klaim dirujuk kepada petugas untuk diperiksa.", "The claim is referred to a person.")}
_TEXT = {
    "id": {"pays_bpjs": "BPJS Ketenagakerjaan membayar {total}.",
           "pays_employer": "Pemberi kerja membayar {total} terlebih dahulu dan BPJS Ketenagakerjaan menggantinya.",
           "provisional": "Bila rujukan selesai, manfaatnya sementara dihitung {total}.",
           "employer_owes": "Selain itu pemberi kerja wajib membayar sendiri {total}.",
           "claimable": "Klaim dapat diajukan kembali mulai {day}.",
           "law": "Ketentuan yang berlaku dipilih menurut tanggal peristiwa, {day}.",
           "applies": "{rule} ({citation}) berlaku", "because": "karena {facts}", "with": "dengan {parameters}",
           "unknown": "tidak diketahui", "since": "berlaku sejak {day}; {reference}",
           "missing": "Dokumen yang masih diperlukan: {documents}."},
    "en": {"pays_bpjs": "BPJS Ketenagakerjaan pays {total}.",
           "pays_employer": "The employer pays {total} first and BPJS Ketenagakerjaan reimburses it.",
           "provisional": "Once the referral is cleared, the benefits come provisionally to {total}.",
           "employer_owes": "Besides, the employer owes {total} of its own.",
           "claimable": "The claim can be filed again from {day}.",
           "law": "The provisions in force were chosen by the date of the event, {day}.",
           "applies": "{rule} ({citation}) applies", "because": "because {facts}", "with": "with {parameters}",
           "unknown": "unknown", "since": "in force from {day}; {reference}",
           "missing": "Documents still needed: {documents}."},
}


def _day(value: str, lang: str) -> str:
    return wording.date(dt.date.fromisoformat(value), lang)


def _summary(result: dict[str, Any], lang: str) -> str:
    text = _TEXT[lang]
    parts = [_OUTCOME[result["outcome"]][0 if lang == "id" else 1]]
    if result["outcome"] == "approved" and result.get("total_amount"):
        key = "pays_employer" if result.get("liability") == "employer" else "pays_bpjs"
        parts.append(text[key].format(total=wording.rupiah(result["total_amount"], lang)))
    if result["outcome"] == "approved" and result.get("employer_total"):
        parts.append(text["employer_owes"].format(total=wording.rupiah(result["employer_total"], lang)))
    if result.get("provisional_total"):
        parts.append(text["provisional"].format(total=wording.rupiah(result["provisional_total"], lang)))
    if result.get("claimable_from"):
        parts.append(text["claimable"].format(day=_day(result["claimable_from"], lang)))
    parts.append(text["law"].format(day=_day(result["as_of"], lang)))
    return " ".join(parts)


def _step(entry: dict[str, Any], result: dict[str, Any], lang: str) -> str:
    text = _TEXT[lang]
    sentence = text["applies"].format(rule=entry["rule_id"], citation=entry["citation"])
    facts = [f"{fact_label(name, lang)} {show(name, value, lang) if value is not None else text['unknown']}"
             for name, value in (entry.get("facts") or {}).items()]
    if facts:
        sentence += " " + text["because"].format(facts="; ".join(facts))
    parameters = [f"{parameter_label(name, lang)} {_parameter(name, dated, lang)} ("
                  + text["since"].format(day=_day(dated["start"], lang), reference=dated["reference"]) + ")"
                  for name, dated in (entry.get("parameters") or {}).items()]
    if parameters:
        sentence += ", " + text["with"].format(parameters="; ".join(parameters))
    sentences = [sentence + "."]
    language_key = "message_id" if lang == "id" else "message_en"
    sentences += [reason.get(language_key) or reason.get("message", "") for reason in result.get("reasons", [])
                  if reason.get("rule_id") == entry["rule_id"]]
    sentences += [_basis(item, lang) for item in _items(result) if item.get("rule_id") == entry["rule_id"]]
    return " ".join(s for s in sentences if s)


def _parameter(name: str, dated: dict[str, Any], lang: str) -> str:
    """A traced parameter value (a number, exact decimal text, a date or a list) written by its unit."""
    def parsed(value: Any) -> Any:
        if isinstance(value, list):
            return tuple(parsed(v) for v in value)
        if isinstance(value, str):
            for kind in (dt.date.fromisoformat, Fraction):
                try:
                    return kind(value)
                except ValueError:
                    continue
        return value
    return show_parameter(name, parsed(dated["value"]), dated.get("unit", ""), lang)


def _items(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [*result.get("benefits", []), *result.get("provisional_benefits", [])]


def _basis(item: dict[str, Any], lang: str) -> str:
    words = item.get("basis_id") if lang == "id" else item.get("basis_en")
    return f"{item['code']}: {words or item.get('basis')}"


def explain(record: DecisionRecord) -> dict[str, Any]:
    """The decision of ``record`` in sentences, in the request's language."""
    lang = language.preferred()
    result = record.result
    fired = [e for e in record.trace or [] if e.get("event") == "rule_fired" and "facts" in e]
    if not fired:  # a record kept before the trace held each rule's facts: name the rules and their citations
        fired = [{"rule_id": r["rule_id"], "citation": r["citation"]} for r in result.get("reasons", [])]
    missing = result.get("documents_missing") or []
    return {"decision_id": record.decision_id, "language": lang, "summary": _summary(result, lang),
            "steps": [{"rule_id": e["rule_id"], "citation": e["citation"], "text": _step(e, result, lang)}
                      for e in fired],
            "benefits": [_basis(item, lang) for item in _items(result)],
            "documents": _TEXT[lang]["missing"].format(documents=", ".join(document_text(m, lang) for m in missing))
            if missing else None}
