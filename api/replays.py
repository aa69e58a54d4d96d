"""Impact analysis (role ``auditor``): replay a window of decisions with a ruleset and count what would change.

A window of at most ``REPLAY_INLINE_MAX`` decisions is answered at once (200, the summary with every change);
a larger one becomes a job (202) that the consumer's worker processes run (``api.replay_queue``), read with
``GET /v1/replays/{job}`` and ``GET /v1/replays/{job}/changes``. Nothing here touches the decision log.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from . import replay_jobs
from .audit_schemas import BulkReplayRequestSchema
from .auth import current_actor, requires_role
from .db import get_session
from .errors import NotFound
from .models import ReplayJob
from .replay_queue import submit
from .replay_run import Window, count
from .replay_schemas import ChangesPageSchema, ChangesQuerySchema, InlineReplaySchema, JobAcceptedSchema, JobSchema

blp = Blueprint("replays", __name__, url_prefix="/v1",
                description="Auditors see what a ruleset would change over a window of past decisions.")


@blp.route("/replays", methods=["POST"])
@requires_role("auditor")
@blp.arguments(BulkReplayRequestSchema())
@blp.response(200, InlineReplaySchema)
@blp.alt_response(202, schema=JobAcceptedSchema,
                  description="The window holds more than REPLAY_INLINE_MAX decisions: it runs as a job.")
def replay_window(body: dict[str, Any]) -> Any:
    """Replay every decision decided in [from, to] (UTC dates) with one ruleset; the decision log is not changed.

    Shows the impact of a new ruleset before it goes live. Each decision counts once: a changed outcome first,
    else changed benefits or total, else any other change (reasons, rules fired, liability); ``failed`` when its
    stored case cannot be evaluated. ``transitions`` counts changed outcomes, ``money`` sums total_amount per
    claim type before and after.
    """
    session, registry = get_session(), current_app.extensions["rulesets"]
    window = Window(body["from_"], body["to"], body.get("kind"))
    target = replay_jobs.target_version(session, registry, body["ruleset"])
    if count(session, window) <= current_app.config["REPLAY_INLINE_MAX"]:
        return replay_jobs.inline(session, registry, window, target)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    job_id, status = submit(app, session, window, target, current_actor())
    response = jsonify(job_id=job_id, status=status, status_url=f"/v1/replays/{job_id}")
    response.status_code = 202
    response.headers["Location"] = f"/v1/replays/{job_id}"
    return response


def find_job(session: Session, job_id: str) -> ReplayJob:
    """An impact-analysis job by its id (404 when there is none)."""
    job = session.get(ReplayJob, job_id)
    if job is None:
        raise NotFound(f"No replay job {job_id}.")
    return job


@blp.route("/replays/<job_id>", methods=["GET"])
@requires_role("auditor")
@blp.response(200, JobSchema)
def get_job(job_id: str) -> dict[str, Any]:
    """A job's progress (checked of total, rate, time left) and, once done, its summary."""
    session = get_session()
    return replay_jobs.view(session, find_job(session, job_id))


@blp.route("/replays/<job_id>/changes", methods=["GET"])
@requires_role("auditor")
@blp.arguments(ChangesQuerySchema(), location="query")
@blp.response(200, ChangesPageSchema, description="A page of changed decisions; with format=csv, every one of "
                                                  "them as text/csv (a header and one line each).")
@blp.doc(responses={"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def get_changes(query: dict[str, Any], job_id: str) -> Any:
    """The decisions a job found changed or could not replay, in chain order: a page, or all as CSV."""
    session = get_session()
    job = find_job(session, job_id)
    if query["format"] == "csv":
        text = "".join(replay_jobs.csv_lines(replay_jobs.all_changes(session, job.job_id)))
        return Response(text, mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="replay-{job.job_id}-changes.csv"'})
    total, items = replay_jobs.changes_page(session, job.job_id, query["page"], query["per_page"])
    return {"job_id": job.job_id, "total": total, "page": query["page"], "per_page": query["per_page"],
            "items": items}
