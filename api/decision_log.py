"""The append-only decision log: each record's hash covers its content and the previous record's hash.

What a hash covers is ``adjudication.chain`` (shared with the offline verifier). Records are appended in the
caller's transaction, so a decision commits or rolls back with what it decides; so do the signed checkpoints an
append writes when one is due (``api.checkpoints``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from adjudication.chain import CURRENT_FORMAT, GENESIS, canonical_json, hashed_content, record_hash
from adjudication.verify import ChainCheck

from . import durable_commit
from .checkpoints import CHECKPOINTER, Checkpointer, between, utc_iso
from .models import ChainHead, DecisionRecord
from .version import service_version

__all__ = ["GENESIS", "Entry", "append", "append_many", "canonical_json", "listed", "record_content", "record_hash",
           "utc_iso", "verify", "walk"]


def record_content(record: DecisionRecord) -> dict[str, Any]:
    """A stored record as the plain mapping its hash is taken over (and an export writes)."""
    return {"decision_id": record.decision_id, "seq": record.seq, "kind": record.kind, "subject": record.subject,
            "ruleset_version": record.ruleset_version, "facts": record.facts, "result": record.result,
            "decided_at": utc_iso(record.decided_at), "format": record.format, "inputs": record.inputs,
            "trace": record.trace, "actor": record.actor, "request_id": record.request_id,
            "service_version": record.service_version, "prev_hash": record.prev_hash, "hash": record.hash}


@dataclass
class Entry:
    """One decision to append: what was decided about whom, from what, under which ruleset, by whom."""

    kind: str
    subject: str
    ruleset_version: str
    facts: dict[str, Any]
    result: dict[str, Any]
    inputs: dict[str, Any] | None = None
    trace: list[Any] | None = None
    actor: dict[str, Any] | None = None
    request_id: str | None = None
    decided_at: dt.datetime | None = field(default=None)


# statements built once: on the claims hot path the per-call statement construction cost more than the SQL
_HEAD = cast(Table, ChainHead.__table__)
_ADVANCE = (update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq + bindparam("count"))
            .returning(_HEAD.c.seq, _HEAD.c.hash))
_SET_HASH = update(_HEAD).where(_HEAD.c.id == 1).values(hash=bindparam("new_hash"))
_START = insert(_HEAD).values(id=1, seq=bindparam("seq"), hash=GENESIS)
_INSERT = insert(cast(Table, DecisionRecord.__table__))
_COLUMNS = tuple(c.key for c in DecisionRecord.__table__.columns)


def _advance_head(session: Session, count: int) -> tuple[int, str]:
    """Claim the next ``count`` sequence numbers; returns the first with the previous record's hash."""
    # the UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) before the head is read,
    # so two concurrent appends cannot both chain onto the same predecessor
    row = session.connection().execute(_ADVANCE, {"count": count}).first()
    if row is None:  # an emptied database: start the chain
        session.connection().execute(_START, {"seq": count})
        return 1, GENESIS
    return row.seq - count + 1, row.hash


def _content_around_seq(content: dict[str, Any]) -> tuple[str, str]:
    """The canonical JSON of a record's hashed content, cut where its seq goes: ``before + str(seq) + after``.

    ``canonical_json`` of a flat mapping is its sorted ``"key":value`` pairs joined by commas, so the pairs other
    than seq are encoded once, before the chain head is locked; under the lock only the seq is written in.
    """
    pairs = [(key, f"{canonical_json(key)}:{canonical_json(value)}") for key, value in sorted(content.items())]
    at = next(index for index, (key, _) in enumerate(pairs) if key == "seq")
    before = ",".join(text for _, text in pairs[:at])
    after = ",".join(text for _, text in pairs[at + 1:])
    return "{" + before + ("," if before else "") + '"seq":', ("," if after else "") + after + "}"


def append_many(session: Session, entries: Sequence[Entry]) -> list[DecisionRecord]:
    """Append decisions in order in the caller's transaction, with one advance of the chain head.

    The returned records are not attached to the session; read one back with ``session.get`` when needed.

    On PostgreSQL the head's row lock is held from the advance to the end of the commit, and every other append in
    the service waits for it: everything that does not need the sequence number or the previous hash (the records,
    the canonical JSON their hashes cover) is built before the lock is taken, and the commit releases the lock
    before its WAL flush (``api.durable_commit``).
    """
    if not entries:
        return []
    now = dt.datetime.now(dt.UTC)
    version = service_version()
    records, texts = [], []
    for entry in entries:
        # facts, result and inputs are JSON-ready already (ISO dates, string keys), so the hash taken here is the
        # hash of what is read back
        record = DecisionRecord(
            decision_id=str(uuid.uuid4()), seq=0, kind=entry.kind, subject=entry.subject,
            ruleset_version=entry.ruleset_version, facts=entry.facts, result=entry.result,
            decided_at=entry.decided_at or now, format=CURRENT_FORMAT, inputs=entry.inputs,
            trace=entry.trace, actor=entry.actor, request_id=entry.request_id, service_version=version)
        records.append(record)
        texts.append(_content_around_seq(hashed_content(record_content(record))))
    durable_commit.before_lock(session)
    seq, prev_hash = _advance_head(session, len(entries))
    for offset, (record, (before, after)) in enumerate(zip(records, texts, strict=True)):
        record.seq = seq + offset
        record.prev_hash = prev_hash
        record.hash = hashlib.sha256(f"{prev_hash}{before}{record.seq}{after}".encode()).hexdigest()
        prev_hash = record.hash
    session.connection().execute(_SET_HASH, {"new_hash": prev_hash})
    # a Core insert: the unit of work costs more than the rest of the append on the claims hot path
    session.connection().execute(_INSERT, [{name: getattr(r, name) for name in _COLUMNS} for r in records])
    checkpointer: Checkpointer | None = session.info.get(CHECKPOINTER)
    if checkpointer is not None and checkpointer.due(seq, records[-1].seq):
        checkpointer.sign(session, [(r.seq, r.hash) for r in records])
    return records


def append(session: Session, entry: Entry) -> DecisionRecord:
    """Append one decision in the caller's transaction; it commits or rolls back with what it decides."""
    return append_many(session, [entry])[0]


def walk(session: Session, batch: int = 1000, after: int = 0, upto: int | None = None) -> Iterator[DecisionRecord]:
    """Every record after sequence number ``after`` (up to ``upto`` when given) in chain order, read in batches."""
    last = after
    while True:
        query = select(DecisionRecord).where(DecisionRecord.seq > last)
        if upto is not None:
            query = query.where(DecisionRecord.seq <= upto)
        rows = session.scalars(query.order_by(DecisionRecord.seq).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify(session: Session, first: int | None = None, last: int | None = None) -> dict[str, Any]:
    """Recompute the chain and check the stored checkpoints against it: ``{ok, checked, first_broken, ...}``.

    ``first_broken`` is the first record whose hash, link or checkpoint is wrong; ``checked`` the records before
    it. Someone who rewrote a record, recomputed every later hash and re-signed the checkpoints passes this
    check: a checkpoint an auditor saved earlier, given to ``python -m adjudication.verify``, does not.

    ``first`` and ``last`` check only the records from seq ``first`` to ``last``; the link into ``first`` is then
    taken on trust unless a checkpoint signed the record before it.
    """
    start = max(first or 1, 1)
    # the checkpoint at start - 1 anchors the first record's link
    chain_check = ChainCheck(between(session, start - 1 if first is not None else None, last))
    batch = 1000 if last is None else max(1, min(1000, last - start + 1))
    for record in walk(session, batch, after=start - 1, upto=last):
        chain_check.add(record_content(record))
    report = chain_check.finish()
    first_bad = report.first_bad()
    return {"ok": report.ok, "checked": report.checked,
            "first_broken": first_bad.decision_id if first_bad is not None else None,
            "reason": first_bad.text() if first_bad is not None else None,
            "checkpoints": report.checkpoints, "checkpoints_matched": report.checkpoints_matched}


_LISTED = (DecisionRecord.seq, DecisionRecord.decision_id, DecisionRecord.kind, DecisionRecord.subject,
           DecisionRecord.ruleset_version, DecisionRecord.decided_at, DecisionRecord.result, DecisionRecord.actor)


def decided_within(start: dt.date | None, end: dt.date | None) -> list[ColumnElement[bool]]:
    """The SQL conditions for decisions decided from day ``start`` to day ``end`` (UTC, inclusive; None: open)."""
    conditions = []
    if start is not None:
        conditions.append(DecisionRecord.decided_at >= dt.datetime.combine(start, dt.time(), dt.UTC))
    if end is not None:
        # the last instant of the day: the day after 9999-12-31 does not exist
        conditions.append(DecisionRecord.decided_at <= dt.datetime.combine(end, dt.time.max, dt.UTC))
    return conditions


def listed(session: Session, kind: str | None = None, start: dt.date | None = None, end: dt.date | None = None,
           before: int | None = None, after: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """One page of the decisions of ``kind`` decided from ``start`` to ``end``, newest first: those below seq
    ``before``, or (the page before) the ``limit`` oldest above seq ``after``. Each with its outcome, total and
    actor, never its facts."""
    query = select(*_LISTED).where(*decided_within(start, end))
    if kind is not None:
        query = query.where(DecisionRecord.kind == kind)
    if before is not None:
        query = query.where(DecisionRecord.seq < before)
    if after is not None:
        query = query.where(DecisionRecord.seq > after).order_by(DecisionRecord.seq)
    else:
        query = query.order_by(DecisionRecord.seq.desc())
    rows = list(session.execute(query.limit(limit)))
    if after is not None:
        rows.reverse()
    return [{"seq": row.seq, "decision_id": row.decision_id, "kind": row.kind, "subject": row.subject,
             "ruleset_version": row.ruleset_version, "decided_at": utc_iso(row.decided_at),
             "outcome": (row.result or {}).get("outcome"), "total_amount": (row.result or {}).get("total_amount"),
             "actor": row.actor} for row in rows]
