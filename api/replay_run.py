"""Replaying stored decisions in bulk: the decisions of a window, read as plain rows, decided again and counted.

Shared by the answer of a small ``POST /v1/replays``, the jobs the consumer runs and ``flask audit replay``, so the
three give the same summary. Rows are read in large batches as plain tuples with their JSON as text: a replay from
stored inputs never parses the stored facts (only a pruning predicate or a record without inputs reads them).
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Row, Text, cast, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from adjudication import AdjudicationError, Ruleset
from adjudication.impact import NO_PRUNING, Change, Pruner, SkipPredicate, StoredCase, Tally
from adjudication.replay import replay

from .decision_log import decided_within
from .models import DecisionRecord
from .rulesets import RulesetRegistry

BATCH = 1000
ORIGINAL = "original"

_COLUMNS = (DecisionRecord.seq, DecisionRecord.decision_id, DecisionRecord.kind, DecisionRecord.subject,
            DecisionRecord.ruleset_version, cast(DecisionRecord.facts, Text).label("facts"),
            cast(DecisionRecord.result, Text).label("result"), cast(DecisionRecord.inputs, Text).label("inputs"))


@dataclass(frozen=True)
class Window:
    """Decisions decided from ``start`` to ``end`` (UTC days, inclusive), of one kind or all, in one shard of
    ``shard[1]`` (``seq`` modulo the count), up to chain position ``upto_seq`` when set."""

    start: dt.date
    end: dt.date
    kind: str | None = None
    shard: tuple[int, int] = (1, 1)
    upto_seq: int | None = None

    def where(self) -> list[ColumnElement[bool]]:
        """The SQL conditions selecting the window's decisions."""
        conditions = decided_within(self.start, self.end)
        if self.kind:
            conditions.append(DecisionRecord.kind == self.kind)
        index, count = self.shard
        if count > 1:
            conditions.append(DecisionRecord.seq % count == index - 1)
        if self.upto_seq is not None:
            conditions.append(DecisionRecord.seq <= self.upto_seq)
        return conditions


def count(session: Session, window: Window) -> int:
    """How many decisions the window holds."""
    return session.scalar(select(func.count()).select_from(DecisionRecord).where(*window.where())) or 0


def last_seq(session: Session) -> int:
    """The chain position of the newest decision (0 for an empty log)."""
    return session.scalar(select(func.max(DecisionRecord.seq))) or 0


def plan(session: Session, window: Window, size: int) -> list[tuple[int, int, int]]:
    """The window cut into runs of ``size`` decisions: ``(first_seq, last_seq, count)`` in chain order."""
    numbered = select(DecisionRecord.seq.label("seq"),
                      ((func.row_number().over(order_by=DecisionRecord.seq) - 1) // size).label("chunk")) \
        .where(*window.where()).subquery()
    query = select(func.min(numbered.c.seq), func.max(numbered.c.seq), func.count()) \
        .group_by(numbered.c.chunk).order_by(numbered.c.chunk)
    return [(first, last, n) for first, last, n in session.execute(query)]


def rows_between(session: Session, window: Window, first: int, last: int) -> Sequence[Row[Any]]:
    """The window's decisions with ``first <= seq <= last``, as plain rows (JSON columns as text)."""
    query = select(*_COLUMNS).where(DecisionRecord.seq >= first, DecisionRecord.seq <= last, *window.where()) \
        .order_by(DecisionRecord.seq)
    return typing.cast(Sequence[Row[Any]], session.connection().execute(query).all())


def rows_of(session: Session, window: Window) -> Iterator[Row[Any]]:
    """Every decision of the window in chain order, read in batches."""
    after = 0
    while True:
        rows = session.connection().execute(
            select(*_COLUMNS).where(DecisionRecord.seq > after, *window.where())
            .order_by(DecisionRecord.seq).limit(BATCH)).all()
        if not rows:
            return
        yield from typing.cast(Sequence[Row[Any]], rows)
        after = rows[-1].seq


def _claim_type(inputs: dict[str, Any] | None, facts: dict[str, Any] | None) -> str | None:
    """A claim's type from its stored body (or, for a record without inputs, its facts); None for other kinds."""
    claim = inputs.get("claim") if inputs is not None else None
    if isinstance(claim, dict):
        return claim.get("claim_type")
    return facts.get("claim_type") if facts else None


class Replayer:
    """Replays rows with one ruleset (``original``: each decision's own) and counts them into a Tally.

    Rulesets come from the process's registry (compiled once per process); a pruning predicate is computed once
    per pair of rulesets.
    """

    def __init__(self, registry: RulesetRegistry, target: str, pruner: Pruner = NO_PRUNING):
        self.registry = registry
        self.target = target
        self.pruner = pruner
        self._skips: dict[tuple[str, str], SkipPredicate | None] = {}

    def ruleset(self, session: Session, version: str) -> Ruleset:
        """The ruleset of ``version``, compiled once per process."""
        return self.registry.get(session, version)

    def _skip(self, session: Session, before: str, after: Ruleset) -> SkipPredicate | None:
        key = (before, after.version)
        if key not in self._skips:
            self._skips[key] = self.pruner(self.ruleset(session, before), after)
        return self._skips[key]

    def run(self, session: Session, rows: Sequence[Row[Any]] | Iterator[Row[Any]], tally: Tally,
            changes: list[Change]) -> None:
        """Replay ``rows`` into ``tally``; append each changed or failed decision to ``changes``."""
        for row in rows:
            # orjson parses the stored JSON into the same values as json.loads, in about a third of the time
            result = orjson.loads(row.result)
            inputs = orjson.loads(row.inputs) if row.inputs is not None else None
            facts = orjson.loads(row.facts) if inputs is None else None
            claim_type = _claim_type(inputs, facts)
            try:
                ruleset = self.ruleset(session, row.ruleset_version if self.target == ORIGINAL else self.target)
                skip = self._skip(session, row.ruleset_version, ruleset)
                if skip is not None:
                    facts = facts if facts is not None else orjson.loads(row.facts)
                    if skip(StoredCase(row.kind, row.ruleset_version, facts, tuple(result.get("rules_fired") or ()))):
                        tally.skipped(claim_type, result)
                        continue
                stored = facts if facts is not None else (lambda row=row: orjson.loads(row.facts))
                # only decided values are compared: the messages and bases in words are not written
                replayed = replay(ruleset, row.kind, stored, inputs, own=ruleset.version == row.ruleset_version,
                                  words=False).to_dict()
            except SQLAlchemyError:
                raise  # the database, not the decision: the chunk is tried again
            except Exception as error:  # noqa: BLE001 - any failure to decide one stored case is that case's
                # e.g. a ruleset version whose files lack a parameter this service's derivation reads
                tally.failed()
                message = str(error) if isinstance(error, AdjudicationError) else f"{type(error).__name__}: {error}"
                changes.append(Change(row.seq, row.decision_id, row.kind, row.subject, claim_type, "failed",
                                      result.get("outcome"), None, result.get("total_amount"), None, [],
                                      message[:2000]))
                continue
            bucket, changed = tally.replayed(claim_type, result, replayed)
            if changed:
                changes.append(Change(row.seq, row.decision_id, row.kind, row.subject, claim_type, bucket,
                                      result.get("outcome"), replayed.get("outcome"), result.get("total_amount"),
                                      replayed.get("total_amount"), changed))
