"""The decision value and its assembly from the effects of the rules that fired, in firing order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .catalogue import ParameterLookup, ReasonCode
from .documents import Requirement, missing, normalise, requirement_text
from .kinds import KIND_PROGRAMS
from .loader import DOCUMENTS_MISSING, NO_APPLICABLE_RULE, Rule


@dataclass(frozen=True)
class Reason:
    """Why: a catalogued code, the rule that gave it, its citation and the message in both languages."""

    code: str
    kind: str  # reject | refer | warning | info
    rule_id: str
    citation: str
    message: str
    message_id: str

    def to_dict(self) -> dict[str, Any]:
        """SPEC shape plus ``kind`` and the Indonesian ``message_id``."""
        return {"code": self.code, "kind": self.kind, "rule_id": self.rule_id, "citation": self.citation,
                "message": self.message, "message_id": self.message_id}


@dataclass(frozen=True)
class Item:
    """An amount in whole Rupiah (a benefit, or an amount the decision states) with its formula, values put in."""

    code: str
    amount: int
    basis: str
    rule_id: str
    recurring: str | None = None
    payer: str | None = None  # of a stated amount: employer, worker or self

    def to_dict(self) -> dict[str, Any]:
        """SPEC shape (``recurring`` and ``payer`` only when set) plus the ``rule_id`` that gave it."""
        out: dict[str, Any] = {"code": self.code, "amount": self.amount, "basis": self.basis,
                               "rule_id": self.rule_id}
        if self.recurring:
            out["recurring"] = self.recurring
        if self.payer:
            out["payer"] = self.payer
        return out


@dataclass(frozen=True)
class Decision:
    """The outcome of one evaluation; ``to_dict`` is the SPEC Decision JSON without the API's identity."""

    outcome: str  # approved | rejected | referred
    liability: str | None  # bpjs | employer | None
    benefits: tuple[Item, ...]
    reasons: tuple[Reason, ...]
    rules_fired: tuple[str, ...]
    ruleset_version: str
    as_of: dt.date
    facts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    documents_required: tuple[str, ...] = ()  # sorted; an any-of group as "a|b"
    documents_missing: tuple[str, ...] = ()  # sorted; empty when the case does not say which it has
    amounts: tuple[Item, ...] = ()  # stated whatever the outcome: contributions, termins (not benefits)

    @property
    def total_amount(self) -> int:
        """Sum of the benefit amounts."""
        return sum(b.amount for b in self.benefits)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: outcome, liability, benefits, total, reasons, documents, version, rules, as_of
        (and ``amounts`` when the rules state any)."""
        out: dict[str, Any] = {
            "outcome": self.outcome,
            "liability": self.liability,
            "benefits": [b.to_dict() for b in self.benefits],
            "total_amount": self.total_amount,
            "reasons": [r.to_dict() for r in self.reasons],
            "documents_required": list(self.documents_required),
            "documents_missing": list(self.documents_missing),
            "ruleset_version": self.ruleset_version,
            "rules_fired": list(self.rules_fired),
            "as_of": self.as_of.isoformat(),
        }
        if self.amounts:
            out["amounts"] = [a.to_dict() for a in self.amounts]
        return out


@dataclass(frozen=True)
class Fired:
    """One rule that fired, with the items its actions computed (code, amount, basis)."""

    rule: Rule
    items: tuple[tuple[int, int, str], ...] = ()  # (effect index, amount, basis)


ENGINE_RULE_ID = "ENGINE.NO_APPLICABLE_RULE"
ENGINE_CITATION = "No provision of the claimed programme matched the case"


def assemble(fired: Sequence[Fired], catalogue: Mapping[str, ReasonCode], version: str, as_of: dt.date,
             facts: Mapping[str, Any], parameter: ParameterLookup | None = None) -> Decision:
    """Outcome, liability, benefits, reasons and documents from the fired rules (SPEC section 4).

    Documents: every ``require`` of a fired rule is listed in ``documents_required``. When the case says which
    documents it has (the ``documents`` fact), the unmet ones are ``documents_missing`` and each rule with an
    unmet requirement gives a ``DOCUMENTS_MISSING`` referral naming them, unless the claim is rejected anyway
    (a person need not chase papers for a claim that fails on the law).
    """
    reasons: list[tuple[Reason, bool]] = []  # (reason, is a documents referral)
    benefits: list[Item] = []
    amounts: list[Item] = []
    kinds: set[str] = set()
    employer_liable = False
    required: list[Requirement] = []
    unmet: list[Requirement] = []
    documents = facts.get("documents")
    for item in fired:
        rule = item.rule
        rule_required: list[Requirement] = []
        for effect in rule.then:
            if effect.kind == "require":
                rule_required.extend(effect.documents)
                continue
            kinds.add(effect.kind)
            if effect.code is not None:
                code = catalogue[effect.code]
                message_id, message_en = code.render(facts, parameter)
                reasons.append((Reason(code.code, code.kind, rule.id, str(rule.citation), message_en, message_id),
                                False))
            elif effect.liability == "employer":
                employer_liable = True
        required.extend(rule_required)
        lacking = missing(rule_required, documents) if documents is not None else []
        if lacking:
            unmet.extend(lacking)
            code = catalogue[DOCUMENTS_MISSING]
            listed = {"documents_missing": ", ".join(requirement_text(r) for r in lacking)}
            message_id, message_en = code.render({**facts, **listed}, parameter)
            reasons.append((Reason(code.code, code.kind, rule.id, str(rule.citation), message_en, message_id), True))
        for effect_index, amount, basis in item.items:
            effect = rule.then[effect_index]
            assert effect.item is not None  # the action only records item effects
            (benefits if effect.kind == "benefit" else amounts).append(
                Item(effect.item.code, amount, basis, rule.id, effect.item.recurring, effect.item.payer))
    if "reject" in kinds:
        outcome = "rejected"
        reasons = [(r, documents_reason) for r, documents_reason in reasons if not documents_reason]
    elif "refer" in kinds or unmet:
        outcome = "referred"
    elif (program := case_program(facts)) and not any(item.rule.program == program for item in fired):
        # nothing in the programme's law spoke to this case: a person decides, never a silent approval
        outcome = "referred"
        code = catalogue[NO_APPLICABLE_RULE]
        message_id, message_en = code.render(facts, parameter)
        reasons.append((Reason(code.code, code.kind, ENGINE_RULE_ID, ENGINE_CITATION, message_en, message_id), False))
    else:
        outcome = "approved"
    approved = outcome == "approved"
    # who pays first is a claim's question; a licensing check or an assessment has no payer of benefits
    claim = facts.get("case_kind", "claim") == "claim"
    return Decision(
        outcome=outcome,
        liability=("employer" if employer_liable else "bpjs") if approved and claim else None,
        benefits=tuple(benefits) if approved else (),
        reasons=tuple(r for r, _ in reasons),
        rules_fired=tuple(item.rule.id for item in fired),
        ruleset_version=version,
        as_of=as_of,
        facts=MappingProxyType(dict(facts)),
        documents_required=tuple(normalise(required)),
        documents_missing=tuple(normalise(unmet)),
        amounts=tuple(amounts),
    )


def case_program(facts: Mapping[str, Any]) -> str | None:
    """The programme whose rules must speak to a case: a claim's type, or the programme of the case's kind."""
    if facts.get("claim_type"):
        return str(facts["claim_type"])
    return KIND_PROGRAMS.get(str(facts.get("case_kind")))
