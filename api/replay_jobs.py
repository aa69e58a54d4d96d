"""Impact-analysis jobs kept in the service's database, so they survive a restart of the service or its workers.

A job is made with its window frozen (``upto_seq``) and cut into chunks of consecutive decisions. Worker processes
(``drive``) claim chunks one at a time by raising the chunk's ``attempt``, replay it, and commit its tally and
changed decisions together with its ``done_at`` marker, only while the attempt is still theirs. A chunk whose
worker died is claimed again: at once when the claimant was a process of this host that no longer exists, else
when its lease runs out. Each chunk therefore counts exactly once, and the summary, the sum of the chunks'
tallies, is the same however often workers died. The last worker to find nothing left writes the summary.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, cast

from flask import Flask
from sqlalchemy import CursorResult, func, insert, select, update
from sqlalchemy.orm import Session

from adjudication import AdjudicationError
from adjudication.impact import Change, Pruner, Tally
from adjudication.pruning import pruner as prune_unaffected

from .db import begin_write, session_scope
from .decision_log import utc_iso
from .errors import Conflict
from .models import ReplayChange, ReplayChunk, ReplayJob, utc_now
from .replay_run import ORIGINAL, Replayer, Window, last_seq, plan, rows_between, rows_of
from .rulesets import RulesetRegistry

CHUNK = 1000  # decisions per chunk: about half a second of one worker; override with REPLAY_CHUNK
LEASE = dt.timedelta(minutes=5)  # a chunk claimed by another host longer ago than this is claimed again
POLL_SECONDS = 0.5
MAX_ATTEMPTS = 3  # a chunk that failed this often (not a decision: the worker itself) fails the job
UNFINISHED = ("queued", "running")
CSV_COLUMNS = ("decision_id", "seq", "kind", "subject", "claim_type", "bucket", "outcome_before", "outcome_after",
               "total_before", "total_after", "changed_fields", "error")


def worker_name() -> str:
    """This process as a chunk's claimant: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes, which are UTC here
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def target_version(session: Session, registry: RulesetRegistry, choice: str) -> str:
    """``original``, or the version ``current`` or ``sha256:...`` names (404 unknown, 409 not compilable here)."""
    if choice == ORIGINAL:
        return ORIGINAL
    if choice == "current":
        # kept with the job's target, so a job still replays with it after the rule files change
        registry.ensure_stored(session, registry.current)
        return registry.current.version
    try:
        return registry.get(session, choice).version
    except AdjudicationError as error:
        raise Conflict(f"Ruleset {choice} cannot be compiled by this service: {error}") from error


def window_of(job: ReplayJob) -> Window:
    """The frozen window of a job."""
    return Window(job.date_from, job.date_to, job.kind, (job.shard_index, job.shard_count), job.upto_seq)


def create(session: Session, window: Window, target: str, origin: str, chunk: int = CHUNK,
           actor: dict[str, Any] | None = None) -> ReplayJob:
    """Make a job over ``window`` (frozen at the newest decision, or before) with its chunks, in the caller's
    transaction."""
    newest = last_seq(session)
    frozen = Window(window.start, window.end, window.kind, window.shard,
                    newest if window.upto_seq is None else min(window.upto_seq, newest))
    runs = plan(session, frozen, chunk)
    now = utc_now()
    job = ReplayJob(job_id=str(uuid.uuid4()), status="queued" if runs else "done", origin=origin,
                    date_from=frozen.start, date_to=frozen.end, kind=frozen.kind, ruleset=target,
                    shard_index=frozen.shard[0], shard_count=frozen.shard[1], upto_seq=frozen.upto_seq,
                    total=sum(n for _, _, n in runs), actor=actor, created_at=now)
    if not runs:  # nothing to replay: done at once
        job.summary, job.started_at, job.finished_at = {"ruleset": target, **Tally().summary()}, now, now
    session.add(job)
    session.flush()
    if runs:
        session.execute(insert(ReplayChunk), [
            {"job_id": job.job_id, "number": number, "first_seq": first, "last_seq": last, "size": n, "attempt": 0}
            for number, (first, last, n) in enumerate(runs)])
    return job


def _stale(chunk: ReplayChunk, now: dt.datetime) -> bool:
    if chunk.claimed_by is None or chunk.claimed_at is None:
        return True
    if _aware(chunk.claimed_at) + LEASE < now:
        return True
    host, _, pid = chunk.claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: does the claimant still exist on this host?
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _rows(result: Any) -> int:
    """Rows an UPDATE matched (its result is a CursorResult)."""
    return cast(CursorResult[Any], result).rowcount


def claim(session: Session, job_id: str, me: str) -> tuple[ReplayChunk | None, int]:
    """Claim the first chunk nobody live works on; returns it (or None) and how many chunks are not done."""
    now = utc_now()
    open_chunks = session.scalars(select(ReplayChunk).where(ReplayChunk.job_id == job_id,
                                                            ReplayChunk.done_at.is_(None))
                                  .order_by(ReplayChunk.number)).all()
    for chunk in open_chunks:
        if not _stale(chunk, now):
            continue
        claimed = _rows(session.execute(
            update(ReplayChunk).where(ReplayChunk.job_id == job_id, ReplayChunk.number == chunk.number,
                                      ReplayChunk.attempt == chunk.attempt, ReplayChunk.done_at.is_(None))
            .values(attempt=chunk.attempt + 1, claimed_by=me, claimed_at=now)
            .execution_options(synchronize_session=False)))
        if claimed:
            session.refresh(chunk)
            return chunk, len(open_chunks)
    return None, len(open_chunks)


def _finish_chunk(session: Session, chunk: ReplayChunk, tally: Tally, changes: list[Change]) -> bool:
    """Commit a chunk's result if the claim is still ours; False when another worker took it over."""
    begin_write(session)
    marked = _rows(session.execute(
        update(ReplayChunk).where(ReplayChunk.job_id == chunk.job_id, ReplayChunk.number == chunk.number,
                                  ReplayChunk.attempt == chunk.attempt, ReplayChunk.done_at.is_(None))
        .values(done_at=utc_now(), tally=tally.to_dict(), error=None)
        .execution_options(synchronize_session=False)))
    if not marked:
        session.rollback()
        return False
    if changes:
        session.execute(insert(ReplayChange), [{"job_id": chunk.job_id, **change.to_dict(), "error": change.error}
                                               for change in changes])
    session.commit()
    return True


def _give_up_chunk(app: Flask, job_id: str, chunk: ReplayChunk, error: BaseException) -> None:
    """A worker failed on a chunk: free it for another try, or fail the job after MAX_ATTEMPTS."""
    message = f"{type(error).__name__}: {error}"[:2000]
    with session_scope(app) as session:
        begin_write(session)
        session.execute(update(ReplayChunk).where(ReplayChunk.job_id == job_id, ReplayChunk.number == chunk.number,
                                                  ReplayChunk.attempt == chunk.attempt)
                        .values(claimed_by=None, claimed_at=None, error=message))
        if chunk.attempt >= MAX_ATTEMPTS:
            session.execute(update(ReplayJob).where(ReplayJob.job_id == job_id)
                            .values(status="failed", error=f"chunk {chunk.number}: {message}",
                                    finished_at=utc_now()))


def finish(session: Session, job_id: str) -> bool:
    """Write the summary of a job whose chunks are all done (once); False while a chunk is open."""
    chunks = session.execute(select(ReplayChunk.done_at, ReplayChunk.tally).where(ReplayChunk.job_id == job_id)
                             .order_by(ReplayChunk.number)).all()
    if any(done_at is None for done_at, _ in chunks):
        return False
    job = session.get(ReplayJob, job_id)
    if job is None or job.status == "done":
        return True
    tally = Tally()
    for _, counts in chunks:
        tally.merge(counts)
    begin_write(session)
    session.execute(update(ReplayJob).where(ReplayJob.job_id == job_id, ReplayJob.status != "done")
                    .values(status="done", summary={"ruleset": job.ruleset, **tally.summary()},
                            finished_at=utc_now()))
    return True


def drive(app: Flask, job_id: str, pruner: Pruner = prune_unaffected,
          on_chunk: Callable[[int], None] | None = None) -> str:
    """Replay a job's chunks in this process until none is left to claim; the job's status when it returns.

    Several processes drive one job at once (the consumer's workers, ``flask audit replay --workers``); one that
    finds every open chunk claimed by a live worker waits for them, so the job is finished even if they die.
    """
    me = worker_name()
    replayer: Replayer | None = None
    while True:
        with session_scope(app) as session:
            begin_write(session)
            job = session.get(ReplayJob, job_id)
            if job is None:
                return "missing"
            if job.status not in UNFINISHED:
                return job.status
            chunk, still_open = claim(session, job_id, me)
            if chunk is not None and job.started_at is None:
                job.status, job.started_at = "running", utc_now()
            window, target = window_of(job), job.ruleset
        if chunk is None:
            with session_scope(app) as session:
                if still_open == 0 and finish(session, job_id):
                    continue  # the loop reads the final status
            time.sleep(POLL_SECONDS)
            continue
        replayer = replayer or Replayer(app.extensions["rulesets"], target, pruner)
        try:
            tally, changes = Tally(), list[Change]()
            with session_scope(app) as session:
                replayer.run(session, rows_between(session, window, chunk.first_seq, chunk.last_seq), tally,
                             changes)
            with session_scope(app) as session:
                finished = _finish_chunk(session, chunk, tally, changes)
        except Exception as error:
            _give_up_chunk(app, job_id, chunk, error)
            raise
        if finished and on_chunk is not None:
            on_chunk(chunk.size)


def unfinished(session: Session, origin: str = "api") -> list[str]:
    """Jobs of ``origin`` not finished, oldest first: what a restarted consumer resumes."""
    return list(session.scalars(select(ReplayJob.job_id).where(ReplayJob.status.in_(UNFINISHED),
                                                               ReplayJob.origin == origin)
                                .order_by(ReplayJob.created_at)))


def recent(session: Session, limit: int = 20) -> list[ReplayJob]:
    """The newest jobs (of the API, the page and the CLI), newest first."""
    return list(session.scalars(select(ReplayJob).order_by(ReplayJob.created_at.desc()).limit(limit)))


def progress(session: Session, job: ReplayJob) -> dict[str, Any]:
    """Decisions checked of the total, the rate since the job started, and the time left at that rate."""
    checked = session.scalar(select(func.coalesce(func.sum(ReplayChunk.size), 0))
                             .where(ReplayChunk.job_id == job.job_id, ReplayChunk.done_at.is_not(None))) or 0
    if job.status == "done":
        checked = job.total
    rate = None
    if job.started_at is not None and checked:
        elapsed = (_aware(job.finished_at) if job.finished_at else utc_now()) - _aware(job.started_at)
        rate = round(checked / max(elapsed.total_seconds(), 1e-3), 1)
    left = 0.0 if checked >= job.total else (round((job.total - checked) / rate, 1) if rate else None)
    return {"checked": checked, "total": job.total,
            "percent": round(100 * checked / job.total, 1) if job.total else 100.0,
            "rate_per_second": rate, "seconds_left": left}


def changes_page(session: Session, job_id: str, page: int, per_page: int) -> tuple[int, list[dict[str, Any]]]:
    """The job's changed decisions on one page (chain order) and how many there are in all."""
    total = session.scalar(select(func.count()).select_from(ReplayChange).where(ReplayChange.job_id == job_id)) or 0
    rows = session.scalars(select(ReplayChange).where(ReplayChange.job_id == job_id).order_by(ReplayChange.seq)
                           .offset((page - 1) * per_page).limit(per_page))
    return total, [_change_dict(row) for row in rows]


def _change_dict(row: ReplayChange) -> dict[str, Any]:
    change = Change(row.seq, row.decision_id, row.kind, row.subject, row.claim_type, row.bucket, row.outcome_before,
                    row.outcome_after, row.total_before, row.total_after, list(row.differences), row.error)
    return change.to_dict()


def all_changes(session: Session, job_id: str, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every changed decision of a job in chain order, read in batches."""
    after = -1
    while True:
        rows = session.scalars(select(ReplayChange).where(ReplayChange.job_id == job_id, ReplayChange.seq > after)
                               .order_by(ReplayChange.seq).limit(batch)).all()
        if not rows:
            return
        yield from (_change_dict(row) for row in rows)
        after = rows[-1].seq


def csv_lines(changes: Iterator[dict[str, Any]]) -> Iterator[str]:
    """The changes as CSV text, a header and one line per decision (changed fields joined by ``;``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def line(values: list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line(list(CSV_COLUMNS))
    for change in changes:
        row = {**change, "changed_fields": ";".join(d["field"] for d in change["differences"])}
        yield line(["" if row.get(name) is None else row[name] for name in CSV_COLUMNS])


def view(session: Session, job: ReplayJob) -> dict[str, Any]:
    """A job as an auditor (the API, the page) sees it: window, status, progress, and once done the summary."""
    def iso(moment: dt.datetime | None) -> str | None:
        return utc_iso(moment) if moment is not None else None

    return {"job_id": job.job_id, "status": job.status, "origin": job.origin, "from": job.date_from.isoformat(),
            "to": job.date_to.isoformat(), "kind": job.kind, "ruleset": job.ruleset,
            "shard": f"{job.shard_index}/{job.shard_count}", "created_at": iso(job.created_at),
            "started_at": iso(job.started_at), "finished_at": iso(job.finished_at),
            "progress": progress(session, job), "summary": job.summary, "error": job.error,
            "changes_url": f"/v1/replays/{job.job_id}/changes"}


def inline(session: Session, registry: RulesetRegistry, window: Window, target: str,
           pruner: Pruner = prune_unaffected) -> dict[str, Any]:
    """Replay a window in this process without storing anything: the summary with every changed decision."""
    tally, changes = Tally(), list[Change]()
    Replayer(registry, target, pruner).run(session, rows_of(session, window), tally, changes)
    return {"ruleset": target, **tally.summary(), "changes": [change.to_dict() for change in changes]}
