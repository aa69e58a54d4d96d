"""What every page blueprint shares around its own views: the frame's globals (``base.html``: the page's name, its
start page, the language switch, who is signed in) and the error pages.

Each page blueprint calls ``frame`` once with its name and start page; the frame's texts follow the page's
language like everything else.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from jinja2 import pass_context
from werkzeug.exceptions import HTTPException

from ..errors import NotFound
from .forms import SignOutForm
from .headers import security_headers
from .i18n import LANGUAGES, page_language, remember_language
from .i18n import gettext as _

log = logging.getLogger(__name__)


@pass_context
def language_url(context: Any, lang: str) -> str:
    """This page in another language (the answer to a form's post goes back to the page's start)."""
    if request.method == "GET" and request.endpoint and request.view_args is not None:
        return url_for(request.endpoint, **request.view_args, **_kept_query(), lang=lang)
    return f"{context['home_url']}?lang={lang}"


def _kept_query() -> dict[str, Any]:
    # a list's filters and page stay when the language changes
    return {name: value for name, value in request.args.items() if name != "lang"}


class Missing(Exception):
    """What a page's path names does not exist; ``message`` says what, in the page's language (a 404 page)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def refused_form() -> ResponseReturnValue:
    """A form posted without a valid CSRF token: refused, nothing done."""
    message = _("The form has expired or did not come from this page (CSRF check failed). Reload the page and "
                "try again.")
    return render_template("pages/error.html", message=message), 400


def frame(blp: Blueprint, app_name: Any, home: str, home_label: Any, not_found: Any, footer: Any,
          sections: tuple[tuple[str, Any], ...] = ()) -> None:
    """Give ``blp`` the frame's globals, language cookie, security headers and error pages.

    ``home`` is the endpoint of the page's start (``.search``), ``not_found`` what a 404 of its views says,
    ``footer`` what every page of it says at the bottom, ``sections`` (endpoint, label) the links in its header.
    """
    blp.after_request(remember_language)
    blp.after_request(security_headers)

    @blp.context_processor
    def _frame_globals() -> dict[str, Any]:
        return {"lang": page_language(), "languages": LANGUAGES, "signed_in_as": g.get("token_name"),
                "sign_out_form": SignOutForm() if g.get("token_name") else None, "app_name": app_name,
                "home_url": url_for(home), "home_label": home_label, "language_url": language_url,
                "footer": footer, "sections": sections}

    @blp.errorhandler(Missing)
    def _missing(error: Missing) -> ResponseReturnValue:
        return render_template("pages/error.html", message=error.message), 404

    @blp.errorhandler(NotFound)
    def _not_found(_error: NotFound) -> ResponseReturnValue:
        return render_template("pages/error.html", message=not_found), 404

    @blp.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> ResponseReturnValue:
        return render_template("pages/error.html", message=f"{error.code} {error.name}"), error.code or 500

    @blp.errorhandler(Exception)
    def _unexpected(_error: Exception) -> ResponseReturnValue:
        # the traceback goes to the log for operators (the route, never the path: it may carry a search term)
        log.exception("unhandled error on %s %s", request.method, request.url_rule.rule if request.url_rule else "-")
        return render_template("pages/error.html", message=_("Internal error; the request changed nothing.")), 500
