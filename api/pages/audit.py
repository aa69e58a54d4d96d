"""The auditor's page ``/audit``: the decision log newest first, one decision with its chain check, a replay with
its own or another ruleset, the whole chain's check, and what changed between two rulesets.

Every answer is the audit API's own (``api.audit``, ``api.decision_log``), checked by its schemas, so the page
shows nothing the auditor role does not already read there; a decision's page shows its facts, not the raw case
and registry records (``inputs``: the participant's KPJ among them) they were derived from. Nothing here writes:
lists, replays and diffs are GET pages, and the only POSTs are the sign-in and the impact analysis (``impact``, a
job on the replay queue).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from .. import decision_log
from ..audit import find_decision, replay_record, ruleset_diff, ruleset_versions
from ..audit_schemas import DecisionListQuerySchema, ReplayRequestSchema, RulesetPairSchema
from ..db import get_session
from ..errors import Conflict, NotFound
from ..models import DecisionRecord
from .forms import KIND_LABELS, AuditSignInForm, DecisionFilterForm, ReplayForm, RulesetDiffForm
from .frame import Missing, frame
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .signin import sign_in_views, signed_in

ROLE = "auditor"
PER_PAGE = 50
FILTERS = ("kind", "from", "to")

blp = Blueprint("audit_page", __name__, url_prefix="/audit")
frame(blp, _l("Audit"), ".decisions", _l("Back to the decisions"), _l("There is no such page."),
      _l("Read only: the page shows the decision log as the audit API does, and a replay or an impact analysis is "
         "never stored as a decision."),
      (("audit_page.decisions", _l("Decisions")), ("audit_page.impact", _l("Impact analysis")),
       ("audit_page.rulesets", _l("Rulesets")), ("audit_page.verify", _l("Chain check"))))
sign_in_views(blp, ROLE, AuditSignInForm, ".decisions",
              _l("Paste your auditor token from the service administrator. It is kept only for this browser "
                 "session; the page only reads the decision log."))

# what each field must be, named as the form names it
FIELD_HINTS = {
    "kind": _l("Kind: choose one from the list."),
    "from": _l("From: a date written YYYY-MM-DD."),
    "to": _l("To: a date written YYYY-MM-DD, not before From."),
    "before": _l("Page: use the Newer and Older links."),
    "after": _l("Page: use the Newer and Older links."),
    "ruleset": _l("Ruleset: choose one from the list."),
    "page": _l("Page: a whole number from 1."),
}
DIFF_HINTS = {
    "from": _l("From ruleset: choose one from the list."),
    "to": _l("To ruleset: choose one from the list."),
}
OUTCOMES = {"approved": _l("Approved"), "rejected": _l("Rejected"), "referred": _l("Referred")}


@blp.context_processor
def _page_globals() -> dict[str, Any]:
    return {"kinds": KIND_LABELS, "outcomes": OUTCOMES}


@blp.app_template_filter("shown")
def shown(value: Any) -> str:
    """A stored value as the audit API's JSON writes it (text as it is, nothing as a dash)."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@blp.app_template_filter("short_version")
def short_version(version: str | None) -> str:
    """``sha256:`` and the first 8 hex digits of a ruleset version, for lists (the full one is in its title)."""
    if not version or not version.startswith("sha256:"):
        return version or "-"
    return f"{version[:15]}…"


@blp.app_template_filter("short_id")
def short_id(value: str | None) -> str:
    """A UUID's first 8 digits, for lists (the full one is in its title); anything else as it is."""
    if value and len(value) == 36 and value.count("-") == 4:
        return f"{value[:8]}…"
    return value or "-"


@blp.app_template_filter("duration")
def duration(seconds: float | None) -> str:
    """Seconds as the page's language says a short while: ``45 s``, ``3 min 20 s``, ``2 h 5 min``."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes)
    if minutes:
        return _("%(minutes)d min %(seconds)d s", minutes=minutes, seconds=secs)
    return _("%(seconds)d s", seconds=secs)


def field_errors(fields: Any) -> dict[str, str]:
    """The hint of every field named in ``fields`` (marshmallow's error keys), in the page's language."""
    return {field: str(hint) for field, hint in FIELD_HINTS.items() if field in fields}


def record_of(decision_id: str) -> DecisionRecord:
    """The stored decision, or the 404 page."""
    try:
        return find_decision(get_session(), decision_id)
    except NotFound:
        raise Missing(_("There is no decision with this id.")) from None


def version_choices(versions: list[dict[str, Any]], *first: tuple[str, str]) -> list[tuple[str, str]]:
    """``first``, then every ruleset version, the current one marked, as select choices."""
    return [*first, *((v["version"], _("%(version)s (current)", version=v["version"]) if v["current"] else v["version"])
                       for v in versions)]


# --- the decision log ---------------------------------------------------------------------------------------

@blp.get("")
@signed_in(ROLE)
def decisions() -> ResponseReturnValue:
    """The decisions newest first, by kind and window of days, a page at a time."""
    form = DecisionFilterForm(formdata=request.args)
    asked = {name: value for name in (*FILTERS, "before", "after") if (value := request.args.get(name, "").strip())}
    try:
        query = DecisionListQuerySchema().load(asked)
    except ValidationError as error:
        return render_template("pages/audit/decisions.html", form=form, errors=field_errors(error.messages),
                               items=[]), 422
    before, after = query.get("before"), query.get("after")
    # one more than a page: whether there is a page beyond this one
    rows = decision_log.listed(get_session(), query.get("kind"), query.get("from_"), query.get("to"), before, after,
                               PER_PAGE + 1)
    if after is not None:
        items, newer, older = rows[-PER_PAGE:], len(rows) > PER_PAGE, True
    else:
        items, newer, older = rows[:PER_PAGE], before is not None, len(rows) > PER_PAGE
    filters: dict[str, Any] = {name: asked[name] for name in FILTERS if name in asked}
    links = {"newer": url_for(".decisions", **filters, after=items[0]["seq"]) if newer and items else None,
             "older": url_for(".decisions", **filters, before=items[-1]["seq"]) if older and items else None,
             "newest": url_for(".decisions", **filters) if before is not None or after is not None else None}
    return render_template("pages/audit/decisions.html", form=form, errors={}, items=items, links=links)


@blp.get("/decisions/<decision_id>")
@signed_in(ROLE)
def decision(decision_id: str) -> ResponseReturnValue:
    """One decision: outcome, facts, ruleset, trace, actor, hash, the chain around it, and the replay forms."""
    return _decision_page(record_of(decision_id))


def _decision_page(record: DecisionRecord, form: ReplayForm | None = None, errors: dict[str, str] | None = None,
                   status: int = 200) -> ResponseReturnValue:
    session = get_session()
    # the records on either side: its own hash, its link to the one before and the next one's link to it
    chain = decision_log.verify(session, max(record.seq - 1, 1), record.seq + 1)
    form = form or ReplayForm(formdata=None)
    form.ruleset.choices = version_choices(ruleset_versions(session), ("current", _("The current ruleset")))
    # the record as the audit API answers it (times in UTC with a Z); the page shows its facts, not its inputs
    return render_template("pages/audit/decision.html", record=decision_log.record_content(record),
                           result=record.result, chain=chain, form=form, errors=errors or {}), status


@blp.get("/decisions/<decision_id>/replay")
@signed_in(ROLE)
def replay(decision_id: str) -> ResponseReturnValue:
    """The decision decided again from its stored facts, with its own ruleset or another, and what differs."""
    record = record_of(decision_id)
    form = ReplayForm(formdata=request.args)
    choice = (request.args.get("ruleset") or "original").strip()
    try:
        ReplayRequestSchema().load({"ruleset": choice})
        answer = replay_record(get_session(), record, choice)
    except ValidationError as error:
        return _decision_page(record, form, field_errors(error.messages), 422)
    except NotFound:
        return _decision_page(record, form, {"ruleset": _("Ruleset: no ruleset %(version)s is stored.",
                                                          version=choice)}, 422)
    except Conflict as error:
        return render_template("pages/error.html", message=_("This replay cannot be made here: %(why)s",
                                                             why=error.message)), 409
    return render_template("pages/audit/replay.html", record=decision_log.record_content(record), answer=answer,
                           choice=choice)


@blp.get("/verify")
@signed_in(ROLE)
def verify() -> ResponseReturnValue:
    """The whole chain walked from the first record, and the stored checkpoints checked against it."""
    return render_template("pages/audit/verify.html", check=decision_log.verify(get_session()))


# --- rulesets ----------------------------------------------------------------------------------------------

@blp.get("/rulesets")
@signed_in(ROLE)
def rulesets() -> ResponseReturnValue:
    """Every ruleset version decisions were made under, and the form comparing two."""
    versions = ruleset_versions(get_session())
    older = [v["version"] for v in versions if not v["current"]]
    form = _diff_form(versions, RulesetDiffForm(formdata=None, from_=older[-1] if older else "current", to="current"))
    return render_template("pages/audit/rulesets.html", versions=versions, form=form, errors={})


def _diff_form(versions: list[dict[str, Any]], form: RulesetDiffForm) -> RulesetDiffForm:
    for select in (form.from_, form.to):
        select.choices = version_choices(versions, ("current", _("The current ruleset")))
    return form


@blp.get("/rulesets/diff")
@signed_in(ROLE)
def rulesets_diff() -> ResponseReturnValue:
    """Rules and dated parameters added, removed or changed from one ruleset to another."""
    session = get_session()
    versions = ruleset_versions(session)
    form = _diff_form(versions, RulesetDiffForm(formdata=request.args))
    asked = {name: request.args.get(name, "").strip() for name in ("from", "to")}
    try:
        RulesetPairSchema().load(asked)
    except ValidationError as error:
        errors = {name: str(hint) for name, hint in DIFF_HINTS.items() if name in error.messages}
        return render_template("pages/audit/rulesets.html", versions=versions, form=form, errors=errors), 422
    known = {"current", *(v["version"] for v in versions)}
    labels = {"from": form.from_.label.text, "to": form.to.label.text}
    errors = {name: _("%(field)s: no ruleset %(version)s is stored.", field=labels[name], version=value)
              for name, value in asked.items() if value not in known}
    if errors:
        return render_template("pages/audit/rulesets.html", versions=versions, form=form, errors=errors), 422
    try:
        changes = ruleset_diff(session, asked["from"], asked["to"])
    except Conflict as error:
        return render_template("pages/error.html", message=_("These rulesets cannot be compared here: %(why)s",
                                                             why=error.message)), 409
    return render_template("pages/audit/ruleset_diff.html", diff=changes, form=form, errors={})


from . import impact  # noqa: E402,F401 - the impact-analysis views of this blueprint
