"""HTML pages for people, server-rendered with Jinja2: the licensing office's page ``/licensing`` and the auditor's
page ``/audit``.

No JavaScript and nothing from another origin (offices run on intranets): the stylesheet is a static file of this
package. What every page shares is set up here: the signed session cookie that keeps a signed-in token
(``signin``), the language (``i18n``: Indonesian, English by a switch), CSRF protection of every form (Flask-WTF,
per form, so the bearer-token API is untouched) and the security headers (``headers``). Each page is a blueprint
of its own.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from . import i18n, signin
from .headers import security_headers

assets = Blueprint("pages", __name__, url_prefix="/pages", static_folder="static", template_folder="templates")
assets.after_request(security_headers)
# the blueprints whose POSTs are HTML forms, not JSON bodies
FORM_BLUEPRINTS = frozenset({"licensing_page", "audit_page"})


def init_app(app: Flask) -> None:
    """Session, CSRF, language and headers for the pages, and the pages themselves."""
    from .audit import blp as audit_page
    from .licensing import blp as licensing_page

    signin.init_app(app)
    i18n.init_app(app)
    app.register_blueprint(assets)
    app.register_blueprint(licensing_page)
    app.register_blueprint(audit_page)
