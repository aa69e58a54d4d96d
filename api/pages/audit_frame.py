"""The auditor's page ``/audit``: its blueprint, frame, sign-in, template filters and the helpers its two view
modules share (``audit``: the decision log, replays, rulesets; ``impact``: impact-analysis jobs)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint

from .forms import KIND_LABELS, AuditSignInForm
from .frame import frame
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .signin import sign_in_views

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


def version_choices(versions: list[dict[str, Any]], *first: tuple[str, str]) -> list[tuple[str, str]]:
    """``first``, then every ruleset version, the current one marked, as select choices."""
    return [*first, *((v["version"], _("%(version)s (current)", version=v["version"]) if v["current"] else v["version"])
                       for v in versions)]
