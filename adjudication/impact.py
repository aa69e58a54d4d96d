"""Impact analysis: what replaying many stored decisions with a ruleset would change, counted so it adds up.

A ``Tally`` counts decisions by bucket, outcome transitions (``approved -> rejected``) and money (the sum of
``total_amount`` before and after, per claim type). Tallies of disjoint parts of a window (chunks, shards) merge
by addition, so a window gives the same summary however it was split, in whatever order the parts finished.

The seam for pruning: ``Pruner(before, after)`` is computed once per pair of rulesets and gives a predicate over a
stored case, or None. A decision the predicate accepts is counted identical and ``skipped`` without being
evaluated (its amounts count unchanged). ``NO_PRUNING`` evaluates everything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .replay import classify, differences
from .ruleset import Ruleset

BUCKETS = ("identical", "changed_outcome", "changed_amount", "changed_other", "failed")
CHANGED = frozenset(BUCKETS[1:])  # the buckets whose decisions are listed as changes


@dataclass(frozen=True)
class StoredCase:
    """What a pruning predicate may read of a stored decision before it is evaluated."""

    kind: str
    ruleset_version: str
    facts: Mapping[str, Any]
    rules_fired: tuple[str, ...] = ()  # of the stored result


SkipPredicate = Callable[[StoredCase], bool]
Pruner = Callable[[Ruleset, Ruleset], SkipPredicate | None]


def _never(_before: Ruleset, _after: Ruleset) -> SkipPredicate | None:
    return None


NO_PRUNING: Pruner = _never


@dataclass
class Change:
    """One decision the replay changed or could not replay: the row of the changes list and the CSV export."""

    seq: int
    decision_id: str
    kind: str
    subject: str
    claim_type: str | None
    bucket: str
    outcome_before: str | None
    outcome_after: str | None
    total_before: int | None
    total_after: int | None
    differences: list[dict[str, Any]]
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The change as stored and shown (``error`` only for a failed replay)."""
        out = {name: getattr(self, name) for name in ("seq", "decision_id", "kind", "subject", "claim_type",
                                                      "bucket", "outcome_before", "outcome_after", "total_before",
                                                      "total_after", "differences")}
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass
class Tally:
    """Counts of a set of replayed decisions; ``merge`` adds another set's counts."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("checked", *BUCKETS, "skipped"), 0))
    transitions: dict[str, int] = field(default_factory=dict)
    money: dict[str, dict[str, int]] = field(default_factory=dict)

    def _money(self, claim_type: str | None, before: Any, after: Any) -> None:
        if claim_type is None:
            return
        entry = self.money.setdefault(claim_type, {"decisions": 0, "before": 0, "after": 0})
        entry["decisions"] += 1
        entry["before"] += before or 0
        entry["after"] += after or 0

    def skipped(self, claim_type: str | None, stored: Mapping[str, Any]) -> None:
        """A decision the pruning predicate showed unaffected: identical, its amounts unchanged."""
        self.counts["checked"] += 1
        self.counts["identical"] += 1
        self.counts["skipped"] += 1
        self._money(claim_type, stored.get("total_amount"), stored.get("total_amount"))

    def replayed(self, claim_type: str | None, stored: Mapping[str, Any], replayed: Mapping[str, Any]
                 ) -> tuple[str, list[dict[str, Any]]]:
        """Count one replay; returns its bucket and differences."""
        # most replays give the stored result back word for word (the ruleset's version aside): nothing to compare
        same = replayed == stored or {**replayed, "ruleset_version": stored.get("ruleset_version")} == stored
        changed = [] if same else differences(dict(stored), dict(replayed))
        bucket = classify(changed)
        self.counts["checked"] += 1
        self.counts[bucket] += 1
        if bucket == "changed_outcome":
            key = f"{stored.get('outcome')} -> {replayed.get('outcome')}"
            self.transitions[key] = self.transitions.get(key, 0) + 1
        self._money(claim_type, stored.get("total_amount"), replayed.get("total_amount"))
        return bucket, changed

    def failed(self) -> None:
        """A decision whose stored case the ruleset could not evaluate; it counts in no money sum."""
        self.counts["checked"] += 1
        self.counts["failed"] += 1

    def merge(self, other: Tally | Mapping[str, Any]) -> Tally:
        """Add ``other`` (a Tally or its ``to_dict``) to this one; returns self."""
        data = other.to_dict() if isinstance(other, Tally) else other
        for name, value in data["counts"].items():
            self.counts[name] = self.counts.get(name, 0) + value
        for name, value in data["transitions"].items():
            self.transitions[name] = self.transitions.get(name, 0) + value
        for claim_type, entry in data["money"].items():
            mine = self.money.setdefault(claim_type, {"decisions": 0, "before": 0, "after": 0})
            for name, value in entry.items():
                mine[name] += value
        return self

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts, as a chunk stores them."""
        return {"counts": dict(self.counts), "transitions": dict(self.transitions),
                "money": {k: dict(v) for k, v in self.money.items()}}

    def summary(self) -> dict[str, Any]:
        """The summary an auditor reads: counts per bucket, transitions and money per claim type, sorted."""
        return {**self.counts,
                "transitions": dict(sorted(self.transitions.items())),
                "money": {claim_type: {**entry, "difference": entry["after"] - entry["before"]}
                          for claim_type, entry in sorted(self.money.items())}}
