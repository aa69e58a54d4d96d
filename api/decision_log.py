"""The append-only decision log: each record's hash covers its content and the previous record's hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterator
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from .models import ChainHead, Decision

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: the form every hash in this service is taken over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def record_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """sha256 over the previous hash and the canonical content of one record."""
    return hashlib.sha256((prev_hash + canonical_json(content)).encode()).hexdigest()


def utc_iso(moment: dt.datetime) -> str:
    """ISO-8601 in UTC with a Z; SQLite hands back naive datetimes, which are UTC here."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def hashed_content(decision: Decision) -> dict[str, Any]:
    """The fields a record's hash covers (everything but the hashes themselves)."""
    return {
        "decision_id": decision.decision_id,
        "seq": decision.seq,
        "kind": decision.kind,
        "subject": decision.subject,
        "ruleset_version": decision.ruleset_version,
        "facts": decision.facts,
        "result": decision.result,
        "decided_at": utc_iso(decision.decided_at),
    }


# statements built once: on the claims hot path the per-call statement construction cost more than the SQL
_HEAD = cast(Table, ChainHead.__table__)
_ADVANCE = (update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq + 1)
            .returning(_HEAD.c.seq, _HEAD.c.hash))
_SET_HASH = update(_HEAD).where(_HEAD.c.id == 1).values(hash=bindparam("new_hash"))
_START = insert(_HEAD).values(id=1, seq=1, hash=GENESIS)
_INSERT = insert(cast(Table, Decision.__table__))


def _advance_head(session: Session) -> tuple[int, str]:
    """Claim the next sequence number; returns it with the previous record's hash."""
    # the UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) before the head is read,
    # so two concurrent appends cannot both chain onto the same predecessor
    row = session.connection().execute(_ADVANCE).first()
    if row is None:  # an emptied database: start the chain
        session.connection().execute(_START)
        return 1, GENESIS
    return row.seq, row.hash


def append(session: Session, kind: str, subject: str, ruleset_version: str, facts: dict[str, Any],
           result: dict[str, Any], decided_at: dt.datetime | None = None) -> Decision:
    """Append a decision in the caller's transaction; it commits or rolls back with the claim.

    The returned record is not attached to the session; read it back with ``session.get`` when needed.
    """
    seq, prev_hash = _advance_head(session)
    decision = Decision(
        decision_id=str(uuid.uuid4()), seq=seq, kind=kind, subject=subject,
        # both are JSON-ready already (ISO dates, string keys), so the hash taken here is the hash of what is read back
        ruleset_version=ruleset_version, facts=facts, result=result,
        decided_at=decided_at or dt.datetime.now(dt.UTC),
        prev_hash=prev_hash,
    )
    decision.hash = record_hash(prev_hash, hashed_content(decision))
    session.connection().execute(_SET_HASH, {"new_hash": decision.hash})
    # a Core insert: the unit of work costs more than the rest of the append on the claims hot path
    session.connection().execute(_INSERT, {c.key: getattr(decision, c.key) for c in Decision.__table__.columns})
    return decision


def walk(session: Session, batch: int = 1000) -> Iterator[Decision]:
    """Every record in chain order, read in batches."""
    last = 0
    while True:
        rows = session.scalars(select(Decision).where(Decision.seq > last).order_by(Decision.seq).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify(session: Session) -> dict[str, Any]:
    """Recompute the chain: ``{ok, checked, first_broken}`` (the first record whose hash or link is wrong)."""
    prev, checked = GENESIS, 0
    for decision in walk(session):
        if decision.prev_hash != prev or record_hash(prev, hashed_content(decision)) != decision.hash:
            return {"ok": False, "checked": checked, "first_broken": decision.decision_id}
        prev, checked = decision.hash, checked + 1
    return {"ok": True, "checked": checked, "first_broken": None}
