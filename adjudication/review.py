"""What a supervisor may find when resolving a referred claim, and which referral each finding answers.

A review never decides by itself: its findings become facts (``review_*``, ``documents_verified``) that the
rules read, so the engine still decides and cites the law. A supervisor may also reject with one of the
catalogued ``REJECTIONS``, which is a fact too (``review_rejection``) and has a rule of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .fact_catalogue import FACTS

DOCUMENTS_MISSING = "DOCUMENTS_MISSING"


@dataclass(frozen=True)
class Finding:
    """One kind of finding: its name in a review, the fact the rules read, and the referral code it answers."""

    name: str
    fact: str
    resolves: str

    @property
    def values(self) -> tuple[str, ...]:
        """The values a supervisor may record (the fact's enum)."""
        return FACTS[self.fact].values


FINDINGS: tuple[Finding, ...] = (
    Finding("route_deviation", "review_route_deviation", "COMMUTE_ROUTE_DEVIATION"),
    Finding("exclusion", "review_exclusion", "EXCLUSION_SUSPECTED"),
    Finding("accident_kind", "review_accident_kind", "ACCIDENT_KIND_TO_VERIFY"),
    Finding("retirement_age", "review_retirement_age", "JHT_RETIREMENT_AGE_TO_VERIFY"),
    Finding("disability_pct", "review_disability_pct", "DISABILITY_PCT_OUTSIDE_TABLE"),
    Finding("suspected", "review_suspected", "SUSPECTED_WORK_ACCIDENT"),
)
# the reasons a supervisor may reject with, and the claim types each applies to (a rule per code in rules/)
REJECTIONS: Mapping[str, tuple[str, ...]] = {
    "EVIDENCE_NOT_VALID": ("JKK", "JKM", "JHT"),
    "NOT_A_WORK_ACCIDENT": ("JKK",),
}


def review_facts(review: Mapping[str, Any] | None) -> dict[str, Any]:
    """The facts of the findings recorded so far (``{route_deviation: accepted, ...}`` as stored in the inputs)."""
    if not review:
        return {}
    facts: dict[str, Any] = {f.fact: review[f.name] for f in FINDINGS if review.get(f.name) is not None}
    if review.get("rejection"):
        facts["review_rejection"] = review["rejection"]
    if review.get("documents_verified"):
        facts["documents_verified"] = sorted(set(review["documents_verified"]))
    return facts


def merge(earlier: Mapping[str, Any] | None, findings: Mapping[str, Any]) -> dict[str, Any]:
    """The review state after one more review: later findings replace earlier ones, verified papers add up."""
    merged = dict(earlier or {})
    for name, value in findings.items():
        if name == "documents_verified":
            merged[name] = sorted({*merged.get(name, []), *value})
        elif value is not None:
            merged[name] = value
    return merged
