"""The auditor's impact analysis on the page ``/audit/replays``: a window of decisions replayed with a ruleset.

The form makes a job exactly as ``POST /v1/replays`` makes one for a large window (``replay_queue.submit``: the
same schema, target version, chunks and queue), whatever the window's size, so every analysis has a page to come
back to: its progress while the consumer's workers run it (the page reloads itself with ``<meta
http-equiv=refresh>``, no script), then the summary, the changed decisions a page at a time and all of them as
CSV.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from .. import replay_jobs
from ..audit import ruleset_versions
from ..audit_schemas import BulkReplayRequestSchema
from ..auth import current_actor
from ..db import get_session
from ..errors import Conflict, NotFound
from ..models import ReplayJob
from ..replay_queue import submit
from ..replay_run import Window
from ..replay_schemas import ChangesQuerySchema
from ..replays import find_job
from .audit import PER_PAGE, ROLE, blp, field_errors, version_choices
from .forms import ImpactForm
from .frame import Missing, refused_form
from .i18n import gettext as _
from .signin import signed_in

REFRESH_SECONDS = 2
RECENT_JOBS = 20
BUCKETS = ("changed_outcome", "changed_amount", "changed_other", "failed")


def job_of(job_id: str) -> ReplayJob:
    """The job, or the 404 page."""
    try:
        return find_job(get_session(), job_id)
    except NotFound:
        raise Missing(_("There is no impact analysis with this id.")) from None


def _form_page(form: ImpactForm, errors: dict[str, str], status: int = 200) -> ResponseReturnValue:
    session = get_session()
    form.ruleset.choices = version_choices(ruleset_versions(session), ("current", _("The current ruleset")),
                                           ("original", _("Each decision's own ruleset (must change nothing)")))
    jobs = [replay_jobs.view(session, job) for job in replay_jobs.recent(session, RECENT_JOBS)]
    return render_template("pages/audit/impact.html", form=form, errors=errors, jobs=jobs), status


@blp.get("/replays")
@signed_in(ROLE)
def impact() -> ResponseReturnValue:
    """The impact-analysis form and the newest analyses."""
    return _form_page(ImpactForm(formdata=None, ruleset="current"), {})


@blp.post("/replays")
@signed_in(ROLE)
def impact_post() -> ResponseReturnValue:
    """Make an impact-analysis job for the window and ruleset, then follow it on its page."""
    form = ImpactForm()
    if not form.validate_on_submit():
        return refused_form()
    body: dict[str, Any] = {"from": (form.from_.data or "").strip(), "to": (form.to.data or "").strip(),
                            "ruleset": (form.ruleset.data or "").strip()}
    if (form.kind.data or "").strip():
        body["kind"] = form.kind.data.strip()
    try:
        loaded = BulkReplayRequestSchema().load(body)
    except ValidationError as error:
        return _form_page(form, field_errors(error.messages), 422)
    session = get_session()
    try:
        target = replay_jobs.target_version(session, current_app.extensions["rulesets"], loaded["ruleset"])
    except NotFound:
        return _form_page(form, {"ruleset": _("Ruleset: no ruleset %(version)s is stored.",
                                              version=loaded["ruleset"])}, 422)
    except Conflict:
        return _form_page(form, {"ruleset": _("Ruleset: this service cannot compile that ruleset.")}, 422)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    job_id, _status = submit(app, session, Window(loaded["from_"], loaded["to"], loaded.get("kind")), target,
                             current_actor())
    return redirect(url_for(".job", job_id=job_id), 303)


@blp.get("/replays/<job_id>")
@signed_in(ROLE)
def job(job_id: str) -> ResponseReturnValue:
    """A job's progress, reloading itself while it runs; once done its summary and a page of its changes."""
    session = get_session()
    found = job_of(job_id)
    view = replay_jobs.view(session, found)
    try:
        query = ChangesQuerySchema().load({"page": request.args.get("page", "1").strip() or "1"})
    except ValidationError as error:
        return render_template("pages/audit/job.html", job=view, errors=field_errors(error.messages), total=0,
                               items=[], page=1, pages=1, refresh=None, buckets=BUCKETS), 422
    total, items = replay_jobs.changes_page(session, found.job_id, query["page"], PER_PAGE)
    running = view["status"] in replay_jobs.UNFINISHED
    return render_template("pages/audit/job.html", job=view, errors={}, total=total, items=items,
                           page=query["page"], pages=max(1, -(-total // PER_PAGE)), buckets=BUCKETS,
                           refresh=REFRESH_SECONDS if running else None)


@blp.get("/replays/<job_id>/changes.csv")
@signed_in(ROLE)
def job_csv(job_id: str) -> ResponseReturnValue:
    """Every changed or failed decision of a job as CSV, the same file as ``GET /v1/replays/{job}/changes``."""
    found = job_of(job_id)
    text = "".join(replay_jobs.csv_lines(replay_jobs.all_changes(get_session(), found.job_id)))
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="replay-{found.job_id}-changes.csv"',
        "Cache-Control": "no-store"})
