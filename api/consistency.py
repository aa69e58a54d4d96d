"""Is a database whole? What an operator checks before serving from it again: after a crash, a full disk, a restore.

``check`` answers with every problem it finds:

* nothing half-written: every claim's decision is in the log, and every claim decision has its claim;
* the chain head is the last record: its seq is the highest and the number of records, its hash that record's;
* no checkpoint signs a seq beyond the head;
* the hash chain and its checkpoints verify (``decision_log.verify``);
* the newest decisions, replayed with the ruleset each was made under, come back identical;
* on SQLite, ``PRAGMA quick_check`` finds the file sound.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from adjudication import AdjudicationError
from adjudication.chain import GENESIS
from adjudication.replay import differences, replay

from . import decision_log
from .errors import NotFound
from .models import ChainHead, Checkpoint, Claim, DecisionRecord
from .rulesets import RulesetRegistry


def half_written(session: Session) -> dict[str, int]:
    """Counts of what must be zero when a decision and what it decides commit together."""
    claims_without_decision = session.scalar(
        select(func.count()).select_from(Claim).outerjoin(DecisionRecord, DecisionRecord.decision_id ==
                                                          Claim.decision_id).where(DecisionRecord.seq.is_(None)))
    decisions_without_claim = session.scalar(
        select(func.count()).select_from(DecisionRecord).outerjoin(Claim, Claim.claim_id == DecisionRecord.subject)
        .where(DecisionRecord.kind == "claim", Claim.claim_id.is_(None)))
    return {"claims_without_decision": claims_without_decision or 0,
            "claim_decisions_without_claim": decisions_without_claim or 0}


def chain_head(session: Session) -> dict[str, Any]:
    """The head row against the records: ``{ok, head_seq, last_seq, records, head_hash_matches}``."""
    head = session.get(ChainHead, 1)
    records, last = session.execute(select(func.count(), func.max(DecisionRecord.seq))).one()
    last_hash = session.scalar(select(DecisionRecord.hash).where(DecisionRecord.seq == last)) if last else GENESIS
    head_seq = head.seq if head is not None else 0
    head_hash = head.hash if head is not None else GENESIS
    beyond = session.scalar(select(func.count()).select_from(Checkpoint).where(Checkpoint.seq > head_seq)) or 0
    ok = head_seq == (last or 0) == records and head_hash == last_hash and not beyond
    return {"ok": ok, "head_seq": head_seq, "last_seq": last or 0, "records": records,
            "head_hash_matches": head_hash == last_hash, "checkpoints_beyond_head": beyond}


def replays(session: Session, rulesets: RulesetRegistry, count: int) -> dict[str, Any]:
    """Replay the newest ``count`` decisions with their own rulesets: ``{replayed, identical, differing}``."""
    newest = session.scalars(select(DecisionRecord).order_by(DecisionRecord.seq.desc()).limit(count)).all()
    differing = []
    for record in newest:
        try:
            again = replay(rulesets.get(session, record.ruleset_version), record.kind, record.facts, record.inputs)
            changed = differences(record.result, again.to_dict())
        except (AdjudicationError, NotFound) as error:
            changed = [{"field": "*", "error": str(error)}]
        if changed:
            differing.append(record.decision_id)
    return {"replayed": len(newest), "identical": len(newest) - len(differing), "differing": differing}


def check(session: Session, rulesets: RulesetRegistry, replay_count: int = 20) -> dict[str, Any]:
    """Every check above; ``ok`` only when each passes."""
    written = half_written(session)
    head = chain_head(session)
    chain = decision_log.verify(session)
    replayed = replays(session, rulesets, replay_count)
    report: dict[str, Any] = {"half_written": written, "chain_head": head, "chain": chain, "replays": replayed}
    ok = not any(written.values()) and head["ok"] and chain["ok"] and not replayed["differing"]
    if session.get_bind().dialect.name == "sqlite":
        report["sqlite_quick_check"] = session.execute(text("PRAGMA quick_check")).scalar()
        ok = ok and report["sqlite_quick_check"] == "ok"
    report["ok"] = ok
    return report
