"""The pages' forms. Flask-WTF gives each a CSRF token tied to the session; the fields are checked by the API's
own marshmallow schemas (``licensing_schemas``, ``audit_schemas``), so a page accepts exactly what the API
accepts."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from ..audit_schemas import KINDS
from ..licensing_schemas import PURPOSES
from .i18n import lazy_gettext as _l

PURPOSE_LABELS = {"permit_issue": _l("Permit issue"), "permit_renewal": _l("Permit renewal")}


class SignInForm(FlaskForm):
    """A licensing token, pasted once."""

    token = PasswordField(_l("Licensing token"))


class SignOutForm(FlaskForm):
    """Only the CSRF token: signing out is a POST too."""


class ClearanceForm(FlaskForm):
    """A business by its NIB, why it is checked, the office's region and the check date."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # prefixed: both search forms are on one page and each has a check date
        super().__init__(*args, prefix="clearance", **kwargs)

    nib = StringField(_l("NIB"))
    # the schema checks the choice, with the same message as the API
    purpose = SelectField(_l("Purpose"), choices=[SelectChoice(p, PURPOSE_LABELS[p]) for p in PURPOSES],
                          validate_choice=False)
    region_code = StringField(_l("Region code of the licensing office"))
    as_of = StringField(_l("Check date"))


class CoverageForm(FlaskForm):
    """A construction project by its number, and the date its coverage is checked on."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="coverage", **kwargs)

    project_number = StringField(_l("Project number"))
    as_of = StringField(_l("Check date"))


# --- the auditor's page ---------------------------------------------------------------------------------------

KIND_LABELS = {"claim": _l("Claim"), "clearance": _l("Business clearance"),
               "project_coverage": _l("Project coverage"), "contribution_assessment": _l("Contribution assessment")}


def _kinds() -> list[SelectChoice]:
    return [SelectChoice("", _l("All kinds")), *(SelectChoice(k, KIND_LABELS.get(k, k)) for k in KINDS)]


class AuditSignInForm(FlaskForm):
    """An auditor token, pasted once."""

    token = PasswordField(_l("Auditor token"))


class QueryForm(FlaskForm):
    """A form sent with GET: it reads and changes nothing, so it carries no CSRF token and shows in the address."""

    class Meta:
        csrf = False


class DecisionFilterForm(QueryForm):
    """Which decisions the list shows: a kind and a window of days."""

    kind = SelectField(_l("Kind"), choices=_kinds(), validate_choice=False)
    from_ = StringField(_l("From"), name="from")
    to = StringField(_l("To"))


class ReplayForm(QueryForm):
    """The ruleset a decision is replayed with; the view offers the stored versions."""

    ruleset = SelectField(_l("Another ruleset"), validate_choice=False)


class RulesetDiffForm(QueryForm):
    """Two rulesets to compare."""

    from_ = SelectField(_l("From ruleset"), name="from", validate_choice=False)
    to = SelectField(_l("To ruleset"), validate_choice=False)


class ImpactForm(FlaskForm):
    """An impact analysis: a window of days, optionally one kind, replayed with one ruleset (a POST: it makes a
    job)."""

    from_ = StringField(_l("From"), name="from")
    to = StringField(_l("To"))
    kind = SelectField(_l("Kind"), choices=_kinds(), validate_choice=False)
    ruleset = SelectField(_l("Replay with"), validate_choice=False)
