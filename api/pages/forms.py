"""The pages' forms. Flask-WTF gives each a CSRF token tied to the session; the fields are checked by the API's
own marshmallow schemas (``licensing_schemas``), so the page accepts exactly what the API accepts."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

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
