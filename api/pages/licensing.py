"""The licensing office's page ``/licensing``: sign in with a licensing token, check a business by its NIB or a
construction project by its number, read the answer, print the letter.

The checks are the API's: ``check_clearances`` and ``check_coverage`` decide and store them, with the signed-in
token as the actor. A check is a POST (it writes to the decision log) answered with a redirect to the stored
decision, so the answer and its letter are plain GET pages read back from the log that a reload never decides
again.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from ..dates import today
from ..db import get_session
from ..errors import NotFound
from ..fields import PROJECT_NUMBER, FullMatch
from ..licensing import check_clearances, check_coverage, stored_answer
from ..licensing_schemas import ClearanceQuerySchema, CoverageQuerySchema
from .forms import PURPOSE_LABELS, ClearanceForm, CoverageForm, SignInForm
from .frame import frame, refused_form
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .signin import sign_in_views, signed_in

ROLE = "licensing"

blp = Blueprint("licensing_page", __name__, url_prefix="/licensing")
frame(blp, _l("Licensing check"), ".search", _l("Back to the search"),
      _l("There is no licensing decision with this id."),
      _l("Decisions are made by the rules in force and stored in a hash-chained log; no worker's personal data is "
         "shown here."))
sign_in_views(blp, ROLE, SignInForm, ".search",
              _l("Paste the licensing token your office received from the service administrator. It is kept only "
                 "for this browser session."))

# what each field must be, named as the form names it
FIELD_HINTS = {
    "nib": _l("NIB: 13 digits, for example 9120001234567."),
    "purpose": _l("Purpose: choose permit issue or permit renewal."),
    "region_code": _l("Region code: a Kemendagri code such as 61, 61.71 or 61.71.03."),
    "as_of": _l("Check date: a date written YYYY-MM-DD, from 1 July 2015 up to today (Asia/Jakarta)."),
    "project_number": _l("Project number: 4 to 32 capital letters, digits or dashes, for example JK-2024-0041."),
}
# what the licensing office does next about each reason a business or project is held up for
NEXT_STEPS = {
    "NOT_REGISTERED": _l("Ask the business to register itself and all its workers with BPJS Ketenagakerjaan "
                         "(SIPP online or a branch office), then check again."),
    "PROGRAMS_INCOMPLETE": _l("Ask the business to register its workers in the missing programmes, then check "
                              "again."),
    "CONTRIBUTION_ARREARS": _l("Ask the business to pay the overdue contributions and their fines at BPJS "
                               "Ketenagakerjaan, then check again."),
    "PROJECTS_UNREGISTERED": _l("Ask the contractor to register the listed projects and pay their first termin, "
                                "then check again."),
    "PROJECTS_UNPAID": _l("Ask the contractor to pay the listed termins, then check again."),
    "PROJECT_NOT_REGISTERED": _l("Ask the contractor to register the project and pay its first termin; its workers "
                                 "are not covered until then."),
    "PROJECT_FIRST_TERMIN_UNPAID": _l("Ask the contractor to pay the rest of the first termin; its workers are "
                                      "covered from that payment."),
    "TERMINS_OVERDUE": _l("Remind the contractor to pay the overdue termins before the project ends."),
    "LATE_PROJECT_REGISTRATION": _l("Note the late registration in the file: the contractor owes the benefits of "
                                    "any accident before the project was covered."),
}


@blp.context_processor
def _page_globals() -> dict[str, Any]:
    return {"purposes": PURPOSE_LABELS, "next_steps": NEXT_STEPS, "field_hints": FIELD_HINTS}


def _search(status: int = 200, **forms: Any) -> ResponseReturnValue:
    clearance = forms.pop("clearance", None) or ClearanceForm(formdata=None, region_code=session.get("region_code"))
    coverage = forms.pop("coverage", None) or CoverageForm(formdata=None)
    return render_template("pages/search.html", clearance=clearance, coverage=coverage, **forms), status


def _field_errors(fields: Any) -> dict[str, str]:
    # marshmallow keys its (English) errors by field; the page says, in its language, what the field must be
    return {field: str(hint) for field, hint in FIELD_HINTS.items() if field in fields}


@blp.get("")
@signed_in(ROLE)
def search() -> ResponseReturnValue:
    """The two searches: a business by NIB, a project by number."""
    return _search()


@blp.post("/clearance")
@signed_in(ROLE)
def clearance() -> ResponseReturnValue:
    """Check a business (stored as a decision), then show the answer."""
    form = ClearanceForm()
    if not form.validate_on_submit():
        return refused_form()
    query = {"nib": (form.nib.data or "").strip(), "purpose": form.purpose.data or "",
             "region_code": (form.region_code.data or "").strip()}
    if (form.as_of.data or "").strip():
        query["as_of"] = form.as_of.data.strip()
    try:
        loaded = ClearanceQuerySchema().load(query)
    except ValidationError as error:
        return _search(422, clearance=form, clearance_errors=_field_errors(error.messages))
    answer = check_clearances(get_session(), [loaded], loaded.get("as_of") or today())[0]
    session["region_code"] = loaded["region_code"]  # the office's region, offered again next time
    return redirect(url_for(".decision", decision_id=answer["decision_id"]), 303)


@blp.post("/coverage")
@signed_in(ROLE)
def coverage() -> ResponseReturnValue:
    """Check a project's coverage on a date (stored as a decision), then show the answer."""
    form = CoverageForm()
    if not form.validate_on_submit():
        return refused_form()
    number = (form.project_number.data or "").strip().upper()
    wrong: list[str] = []
    try:
        FullMatch(PROJECT_NUMBER, error="not a project number")(number)
    except ValidationError:
        wrong.append("project_number")
    as_of = (form.as_of.data or "").strip()
    try:
        loaded = CoverageQuerySchema().load({"as_of": as_of} if as_of else {})
    except ValidationError as error:
        wrong += list(error.messages)
    if wrong:
        return _search(422, coverage=form, coverage_errors=_field_errors(wrong))
    try:
        answer = check_coverage(get_session(), number, loaded.get("as_of") or today())
    except NotFound:
        unknown = _("Project number: no project %(number)s is registered with BPJS Ketenagakerjaan.", number=number)
        return _search(422, coverage=form, coverage_errors={"project_number": unknown})
    return redirect(url_for(".decision", decision_id=answer["decision_id"]), 303)


def _answer(decision_id: str) -> dict[str, Any]:
    answer = stored_answer(get_session(), decision_id)
    if answer is None:
        raise NotFound()
    return answer


@blp.get("/decisions/<decision_id>")
@signed_in(ROLE)
def decision(decision_id: str) -> ResponseReturnValue:
    """A clearance or a project's coverage as it was decided and stored."""
    answer = _answer(decision_id)
    return render_template(f"pages/{answer['kind']}.html", answer=answer)


@blp.get("/decisions/<decision_id>/letter")
@signed_in(ROLE)
def letter(decision_id: str) -> ResponseReturnValue:
    """The printable letter of a stored clearance or coverage, with what anyone needs to check it later."""
    answer = _answer(decision_id)
    return render_template("pages/letter.html", answer=answer, today=today(),
                           page_url=url_for(".decision", decision_id=decision_id, _external=True))
