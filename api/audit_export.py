"""The export an auditor verifies offline: a window of the decision log as JSON lines, with its checkpoints.

Lines, in this order: one ``header`` (format, window, the records' seq range and count), the ``checkpoint``
lines covering the window (from the one that pins the record before it to the last inside it), then every
``record`` of the window in sequence order. The window is by ``decided_at`` (UTC dates); it is exported as the
unbroken seq range from its first record to its last, so that every link in it can be checked.
``adjudication.verify`` reads this format.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adjudication.verify import EXPORT_FORMAT

from . import checkpoints, decision_log
from .models import DecisionRecord
from .version import service_version


def _line(item: dict[str, Any]) -> str:
    return json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def seq_range(session: Session, start: dt.date | None, end: dt.date | None) -> tuple[int, int] | None:
    """The first and last seq decided in [start, end] (UTC dates, each end open when None), or None."""
    where = []
    if start is not None:
        where.append(DecisionRecord.decided_at >= dt.datetime.combine(start, dt.time(), dt.UTC))
    if end is not None:
        where.append(DecisionRecord.decided_at <= dt.datetime.combine(end, dt.time.max, dt.UTC))
    first, last = session.execute(select(func.min(DecisionRecord.seq), func.max(DecisionRecord.seq))
                                  .where(*where)).one()
    return (first, last) if first is not None else None


def export(session: Session, out: TextIO, start: dt.date | None = None, end: dt.date | None = None
           ) -> dict[str, Any]:
    """Write the window's header, checkpoints and records to ``out``; returns the header."""
    span = seq_range(session, start, end)
    signed = checkpoints.between(session, span[0] - 1, span[1]) if span is not None else []
    header = {"type": "header", "format": EXPORT_FORMAT, "exported_at": checkpoints.utc_iso(dt.datetime.now(dt.UTC)),
              "from": start.isoformat() if start else None, "to": end.isoformat() if end else None,
              "first_seq": span[0] if span else None, "last_seq": span[1] if span else None,
              "records": span[1] - span[0] + 1 if span else 0, "checkpoints": len(signed),
              "service_version": service_version()}
    out.write(_line(header))
    for checkpoint in signed:
        out.write(_line({"type": "checkpoint", **checkpoint}))
    if span is not None:
        for record in decision_log.walk(session, after=span[0] - 1):
            if record.seq > span[1]:
                break
            out.write(_line({"type": "record", **decision_log.record_content(record)}))
    return header
