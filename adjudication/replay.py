"""Comparing a replayed decision with the stored one: which decided values differ, and how to count the change.

Used by single replays and by impact analysis over many decisions. Only decided values are compared (outcome,
liability, amounts, reasons with their rules, rules fired, papers); message wording and identity are not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .decision import Decision
from .errors import MissingParameterError
from .ruleset import Ruleset
from .tracer import Tracer

# documents fields a decision carries once its rules require documents; compared only when present
DOCUMENT_FIELDS = ("documents_required", "documents_missing")


def _items(result: dict[str, Any], section: str = "benefits") -> dict[str, dict[str, Any]]:
    """Items of ``section`` (benefits, or stated amounts) keyed by code (a repeated code gets ``#2``, ``#3``); the
    basis text is not compared."""
    keyed: dict[str, dict[str, Any]] = {}
    for item in result.get(section) or []:
        key, n = item["code"], 1
        while key in keyed:
            n += 1
            key = f"{item['code']}#{n}"
        keyed[key] = {"code": item["code"], "amount": item.get("amount"), "recurring": item.get("recurring"),
                      "rule_id": item.get("rule_id")}
    return keyed


def _comparable(result: dict[str, Any]) -> dict[str, Any]:
    """The decision content a replay must reproduce: no identity, time or ruleset version, no message text."""
    content = {name: result.get(name) for name in ("outcome", "liability", "total_amount")}
    content["reasons"] = [{"code": r.get("code"), "rule_id": r.get("rule_id")} for r in result.get("reasons") or []]
    content["rules_fired"] = list(result.get("rules_fired") or [])
    return content


def differences(original: dict[str, Any], replayed: dict[str, Any]) -> list[dict[str, Any]]:
    """``[{field, original, replayed}]`` for every compared field that differs; empty when identical."""
    out = []
    before, after = _comparable(original), _comparable(replayed)
    for name in before:
        if before[name] != after[name]:
            out.append({"field": name, "original": before[name], "replayed": after[name]})
    # provisional amounts and the day a rejection lapses are compared when the stored decision has them (records
    # kept before decisions stated them replay without them)
    sections = ("benefits", "amounts", *(("provisional_benefits",) if "provisional_benefits" in original else ()))
    for section in sections:
        old, new = _items(original, section), _items(replayed, section)
        for key in [*old, *(k for k in new if k not in old)]:
            if old.get(key) != new.get(key):
                out.append({"field": f"{section}.{key}", "original": old.get(key), "replayed": new.get(key)})
    if "claimable_from" in original and original["claimable_from"] != replayed.get("claimable_from"):
        out.append({"field": "claimable_from", "original": original["claimable_from"],
                    "replayed": replayed.get("claimable_from")})
    for name in DOCUMENT_FIELDS:
        if (name in original or name in replayed) and original.get(name) != replayed.get(name):
            out.append({"field": name, "original": original.get(name), "replayed": replayed.get(name)})
    return out


def classify(changed: list[dict[str, Any]]) -> str:
    """The summary bucket of one replay: identical, changed_outcome, changed_amount or changed_other."""
    fields = {d["field"] for d in changed}
    if not fields:
        return "identical"
    if "outcome" in fields:
        return "changed_outcome"
    if "total_amount" in fields or any(f.startswith(("benefits.", "amounts.")) for f in fields):
        return "changed_amount"
    return "changed_other"


def replay(ruleset: Ruleset, kind: str, facts: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
           inputs: Mapping[str, Any] | None, tracer: Tracer | None = None, own: bool = False,
           words: bool = True) -> Decision:
    """Decide a stored case again with ``ruleset``: from its raw inputs, deriving the facts under that ruleset's
    law, or (a record kept before inputs were stored) from its stored facts (``facts`` may be a callable giving
    them, so a caller need not parse them when the inputs serve).

    ``own``: the ruleset is the one the case was decided under. If this service's derivation now reads a
    parameter that ruleset predates, the facts it derived then are evaluated instead: the original decision is
    still reproduced, from what was evaluated at the time.

    ``words=False``: messages and bases in words are left empty (``differences`` does not compare them).
    """
    stored = facts if not callable(facts) else None
    if inputs is not None:
        try:
            return ruleset.decide(kind, inputs, tracer, words)
        except MissingParameterError:
            if not own:
                raise
    return ruleset.evaluate(stored if stored is not None else facts(), tracer,  # type: ignore[operator]
                            words)
