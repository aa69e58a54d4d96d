"""Decide cases with the current ruleset and append them to the decision log, in the caller's transaction.

Every kind of case (claims, project coverage, clearances, assessments) goes through here, so each stored
decision has the same parts: its raw inputs, the facts the ruleset derived from them, the result, the trace of
the evaluation, the ruleset version, the actor and the request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import g
from sqlalchemy.orm import Session

from adjudication import Decision, ListTracer, Ruleset

from . import decision_log
from .auth import current_actor
from .db import begin_write
from .rulesets import RulesetRegistry


@dataclass(frozen=True)
class Case:
    """One case to decide: what it is about (claim id, NIB, project number) and its raw inputs."""

    subject: str
    inputs: dict[str, Any]


@dataclass(frozen=True)
class Decided:
    """A case decided and appended: the engine's decision and the stored record."""

    decision: Decision
    record: decision_log.Stored


def evaluate(ruleset: Ruleset, kind: str, inputs: dict[str, Any]) -> tuple[Decision, list[dict[str, Any]]]:
    """Decide one case without storing it; the decision and the trace of its evaluation."""
    tracer = ListTracer()
    return ruleset.decide(kind, inputs, tracer), tracer.events


def record(session: Session, rulesets: RulesetRegistry, kind: str, cases: Sequence[Case],
           also: Callable[[list[Decided]], decision_log.Also] | None = None) -> list[Decided]:
    """Decide ``cases`` with the current ruleset and append them in order; the caller commits.

    ``also`` gives statements to run with the records' insert (one round trip on PostgreSQL), from the decisions:
    the claims endpoint's claim row.

    The writes come last and together: on SQLite the decision log's head is every writer's lock, so it is held
    from the append to the commit only, not while the cases are evaluated.
    """
    ruleset = rulesets.current
    actor, request_id = current_actor(), g.get("request_id")
    decisions, entries = [], []
    for case in cases:
        decision, trace = evaluate(ruleset, kind, case.inputs)
        decisions.append(decision)
        entries.append(decision_log.Entry(kind, case.subject, ruleset.version, dict(decision.facts),
                                          decision.to_dict(), inputs=case.inputs, trace=trace, actor=actor,
                                          request_id=request_id))
    pending = decision_log.prepare(entries)
    decided = [Decided(d, r) for d, r in zip(decisions, pending.records, strict=True)]
    rows = also(decided) if also is not None else ()
    begin_write(session)
    rulesets.ensure_stored(session, ruleset)
    decision_log.write(session, pending, rows)
    return decided


def decision_view(record: decision_log.Stored) -> dict[str, Any]:
    """The stored result with its identity: the SPEC Decision object."""
    return {**record.result, "decision_id": record.decision_id, "kind": record.kind,
            "decided_at": decision_log.utc_iso(record.decided_at)}
