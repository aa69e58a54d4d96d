"""The decision value and its assembly from the effects of the rules that fired, in firing order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .catalogue import ReasonCode
from .loader import Rule


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
class Benefit:
    """A benefit item in whole Rupiah with the formula it came from, values put in."""

    code: str
    amount: int
    basis: str
    rule_id: str
    recurring: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """SPEC shape (``recurring`` only when set) plus the ``rule_id`` that granted it."""
        out: dict[str, Any] = {"code": self.code, "amount": self.amount, "basis": self.basis,
                               "rule_id": self.rule_id}
        if self.recurring:
            out["recurring"] = self.recurring
        return out


@dataclass(frozen=True)
class Decision:
    """The outcome of one evaluation; ``to_dict`` is the SPEC Decision JSON without the API's identity."""

    outcome: str  # approved | rejected | referred
    liability: str | None  # bpjs | employer | None
    benefits: tuple[Benefit, ...]
    reasons: tuple[Reason, ...]
    rules_fired: tuple[str, ...]
    ruleset_version: str
    as_of: dt.date
    facts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def total_amount(self) -> int:
        """Sum of the benefit amounts."""
        return sum(b.amount for b in self.benefits)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: outcome, liability, benefits, total_amount, reasons, version, rules, as_of."""
        return {
            "outcome": self.outcome,
            "liability": self.liability,
            "benefits": [b.to_dict() for b in self.benefits],
            "total_amount": self.total_amount,
            "reasons": [r.to_dict() for r in self.reasons],
            "ruleset_version": self.ruleset_version,
            "rules_fired": list(self.rules_fired),
            "as_of": self.as_of.isoformat(),
        }


@dataclass(frozen=True)
class Fired:
    """One rule that fired, with the benefit items its actions computed (code, amount, basis)."""

    rule: Rule
    benefits: tuple[tuple[int, int, str], ...] = ()  # (effect index, amount, basis)


def assemble(fired: Sequence[Fired], catalogue: Mapping[str, ReasonCode], version: str, as_of: dt.date,
             facts: Mapping[str, Any]) -> Decision:
    """Outcome, liability, benefits and reasons from the fired rules, as SPEC section 4 defines them."""
    reasons: list[Reason] = []
    benefits: list[Benefit] = []
    kinds: set[str] = set()
    employer_liable = False
    for item in fired:
        rule = item.rule
        for effect in rule.then:
            kinds.add(effect.kind)
            if effect.code is not None:
                code = catalogue[effect.code]
                message_id, message_en = code.render(facts)
                reasons.append(Reason(code.code, code.kind, rule.id, str(rule.citation), message_en, message_id))
            elif effect.liability == "employer":
                employer_liable = True
        for effect_index, amount, basis in item.benefits:
            spec = rule.then[effect_index].benefit
            assert spec is not None  # the action only records benefit effects
            benefits.append(Benefit(spec.code, amount, basis, rule.id, spec.recurring))
    if "reject" in kinds:
        outcome = "rejected"
    elif "refer" in kinds:
        outcome = "referred"
    else:
        outcome = "approved"
    approved = outcome == "approved"
    return Decision(
        outcome=outcome,
        liability=("employer" if employer_liable else "bpjs") if approved else None,
        benefits=tuple(benefits) if approved else (),
        reasons=tuple(reasons),
        rules_fired=tuple(item.rule.id for item in fired),
        ruleset_version=version,
        as_of=as_of,
        facts=MappingProxyType(dict(facts)),
    )
