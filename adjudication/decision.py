"""The decision value and its assembly from the effects of the rules that fired, in firing order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
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
    message_en: str
    message_id: str

    def to_dict(self) -> dict[str, Any]:
        """SPEC shape plus ``kind``; the message in Indonesian and in English (the API shows ``message`` in the
        language the client asks for)."""
        return {"code": self.code, "kind": self.kind, "rule_id": self.rule_id, "citation": self.citation,
                "message_id": self.message_id, "message_en": self.message_en}


@dataclass(frozen=True)
class Item:
    """An amount in whole Rupiah (a benefit, or an amount the decision states) with its formula, values put in,
    and the same in words with the citation (``basis_id``, ``basis_en``)."""

    code: str
    amount: int
    basis: str
    rule_id: str
    recurring: str | None = None
    payer: str | None = None  # of a stated amount: employer, worker or self; of a benefit: employer (its own debt)
    basis_id: str = ""
    basis_en: str = ""
    citation: str = ""
    provisional: bool = False

    def to_dict(self) -> dict[str, Any]:
        """SPEC shape (``basis`` is the formula with the values put in; ``recurring``, ``payer`` and
        ``provisional`` only when set) plus the words, the citation and the ``rule_id`` that granted it."""
        out: dict[str, Any] = {"code": self.code, "amount": self.amount, "basis": self.basis,
                               "rule_id": self.rule_id}
        if self.basis_id:
            out.update(basis_id=self.basis_id, basis_en=self.basis_en, citation=self.citation)
        if self.recurring:
            out["recurring"] = self.recurring
        if self.payer:
            out["payer"] = self.payer
        if self.provisional:
            out["provisional"] = True
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
    provisional_benefits: tuple[Item, ...] = ()  # a referred claim: what it pays once the referral is cleared
    claimable_from: dt.date | None = None  # a rejection that lapses: the first day the claim can be filed again

    @property
    def total_amount(self) -> int:
        """Sum of the benefit amounts paid under the programme (never the provisional ones, nor what the employer
        owes of its own: ``employer_total``)."""
        return sum(b.amount for b in self.benefits if b.payer is None)

    @property
    def employer_total(self) -> int:
        """Sum of the benefits the employer owes of its own (``payer: employer``), outside ``total_amount``."""
        return sum(b.amount for b in self.benefits if b.payer == "employer")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: outcome, liability, benefits, total, reasons, documents, version, rules, as_of
        (and ``employer_total``, ``amounts``, ``provisional_benefits`` with their total, ``claimable_from`` when
        there are any)."""
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
        if any(b.payer == "employer" for b in self.benefits):
            out["employer_total"] = self.employer_total
        if self.amounts:
            out["amounts"] = [a.to_dict() for a in self.amounts]
        if self.provisional_benefits:
            out["provisional_benefits"] = [b.to_dict() for b in self.provisional_benefits]
            out["provisional_total"] = sum(b.amount for b in self.provisional_benefits if b.payer is None)
            if any(b.payer == "employer" for b in self.provisional_benefits):
                out["provisional_employer_total"] = sum(b.amount for b in self.provisional_benefits
                                                        if b.payer == "employer")
        if self.claimable_from is not None:
            out["claimable_from"] = self.claimable_from.isoformat()
        return out


@dataclass(frozen=True)
class Fired:
    """One rule that fired, with the items its actions computed (effect index, amount, basis, words in
    Indonesian and in English)."""

    rule: Rule
    items: tuple[tuple[int, int, str, str, str], ...] = ()


ENGINE_RULE_ID = "ENGINE.NO_APPLICABLE_RULE"
ENGINE_CITATION = "No provision of the claimed programme matched the case"


def _reason(code: ReasonCode, rule_id: str, citation: str, facts: Mapping[str, Any],
            parameter: ParameterLookup | None, words: bool = True) -> Reason:
    message_id, message_en = code.render(facts, parameter) if words else ("", "")
    return Reason(code.code, code.kind, rule_id, citation, message_en, message_id)


def assemble(fired: Sequence[Fired], catalogue: Mapping[str, ReasonCode], version: str, as_of: dt.date,
             facts: Mapping[str, Any], parameter: ParameterLookup | None = None, words: bool = True) -> Decision:
    """Outcome, liability, benefits, reasons and documents from the fired rules (SPEC section 4).

    Documents: every ``require`` of a fired rule is listed in ``documents_required``. When the case says which
    documents it has (the ``documents`` fact), the unmet ones are ``documents_missing`` and the claim is referred
    with one ``DOCUMENTS_MISSING`` reason naming them all (at the first rule that lacks any), unless the claim is
    rejected anyway: a rejection gives no referral reason at all (a person need not chase papers or look at a
    detour for a claim that fails on the law).

    Reasons: a code is given once (the first rule that gives it), and a reason whose catalogue entry does not
    list the outcome is left out (``outcomes``: a note on how benefits are paid contradicts a rejection). A
    referred claim shows the benefits it would pay as ``provisional_benefits``, outside the total. A rejection
    whose every reason lapses on a date fact (``until``) says when the claim can be filed again.

    Without ``words`` the reasons' messages are left empty (see ``Ruleset.evaluate``).
    """
    reasons: list[tuple[Reason, bool]] = []  # (reason, is a documents referral)
    given: set[str] = set()
    benefits: list[Item] = []
    amounts: list[Item] = []
    kinds: set[str] = set()
    employer_liable = False
    required: list[Requirement] = []
    unmet: list[Requirement] = []
    documents = facts.get("documents")
    documents_rule: tuple[int, str, str] | None = None  # (reason position, rule id, citation)
    for item in fired:
        rule = item.rule
        rule_required: list[Requirement] = []
        for effect in rule.then:
            if effect.kind == "require":
                rule_required.extend(effect.documents)
                continue
            kinds.add(effect.kind)
            if effect.code is not None:
                if effect.code not in given:
                    given.add(effect.code)
                    reasons.append((_reason(catalogue[effect.code], rule.id, str(rule.citation), facts,
                                            parameter, words), False))
            elif effect.liability == "employer":
                employer_liable = True
        required.extend(rule_required)
        lacking = missing(rule_required, documents) if documents is not None else []
        if lacking:
            unmet.extend(r for r in lacking if r not in unmet)
            if documents_rule is None:  # the one documents reason stands where the first gap is found
                documents_rule = (len(reasons), rule.id, str(rule.citation))
        for effect_index, amount, basis, basis_id, basis_en in item.items:
            effect = rule.then[effect_index]
            assert effect.item is not None  # the action only records item effects
            (benefits if effect.kind == "benefit" else amounts).append(
                Item(effect.item.code, amount, basis, rule.id, effect.item.recurring, effect.item.payer, basis_id,
                     basis_en, str(rule.citation)))
    if documents_rule is not None and DOCUMENTS_MISSING not in given:
        position, rule_id, citation = documents_rule
        listed = {"documents_missing": ", ".join(requirement_text(r) for r in unmet)}
        reasons.insert(position, (_reason(catalogue[DOCUMENTS_MISSING], rule_id, citation, {**facts, **listed},
                                          parameter, words), True))
    if "reject" in kinds:
        # a referral asks a person to look: moot once the law rejects the claim (papers included)
        outcome = "rejected"
        reasons = [(r, documents_reason) for r, documents_reason in reasons if r.kind != "refer"]
    elif "refer" in kinds or unmet:
        outcome = "referred"
    elif (program := case_program(facts)) and not any(item.rule.program == program for item in fired):
        # nothing in the programme's law spoke to this case: a person decides, never a silent approval
        outcome = "referred"
        reasons.append((_reason(catalogue[NO_APPLICABLE_RULE], ENGINE_RULE_ID, ENGINE_CITATION, facts, parameter,
                                words), False))
    else:
        outcome = "approved"
    shown = tuple(r for r, _ in reasons if outcome in catalogue[r.code].outcomes)
    approved = outcome == "approved"
    # who pays first is a claim's question; a licensing check or an assessment has no payer of benefits
    claim = facts.get("case_kind", "claim") == "claim"
    return Decision(
        outcome=outcome,
        liability=("employer" if employer_liable else "bpjs") if approved and claim else None,
        benefits=tuple(benefits) if approved else (),
        reasons=shown,
        rules_fired=tuple(item.rule.id for item in fired),
        ruleset_version=version,
        as_of=as_of,
        facts=MappingProxyType(dict(facts)),
        documents_required=tuple(normalise(required)),
        documents_missing=tuple(normalise(unmet)),
        amounts=tuple(amounts),
        provisional_benefits=tuple(replace(b, provisional=True) for b in benefits) if outcome == "referred" else (),
        claimable_from=_claimable_from(shown, catalogue, facts) if outcome == "rejected" else None,
    )


def _claimable_from(reasons: Sequence[Reason], catalogue: Mapping[str, ReasonCode],
                    facts: Mapping[str, Any]) -> dt.date | None:
    """The day a rejection lapses: only when every reject reason names a date fact the case has (the latest)."""
    days = []
    for reason in reasons:
        if reason.kind != "reject":
            continue
        until = catalogue[reason.code].until
        value = facts.get(until) if until else None
        if value is None:
            return None
        days.append(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
    return max(days) if days else None


def case_program(facts: Mapping[str, Any]) -> str | None:
    """The programme whose rules must speak to a case: a claim's type, or the programme of the case's kind."""
    if facts.get("claim_type"):
        return str(facts["claim_type"])
    return KIND_PROGRAMS.get(str(facts.get("case_kind")))
