"""Signing in to a page with a token: kept in Flask's signed session cookie, checked again on every request.

The cookie is signed (not encrypted) with ``SECRET_KEY``, HttpOnly, SameSite=Strict, and Secure when the request
came over https. The token in it is authenticated against the database on every request, like a bearer token,
so a revoked or expired token stops working at once; a session also ends ``SESSION_HOURS`` after sign-in.
``SECRET_KEY`` comes from the environment or from ``instance/secret_key``, created on first start.
"""

from __future__ import annotations

import functools
import os
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from ..auth import authenticate_token, public
from .forms import SignOutForm
from .frame import refused_form
from .i18n import gettext as _

SESSION_HOURS = 8  # a working day
F = TypeVar("F", bound=Callable[..., Any])


def instance_secret_key(instance_path: str) -> str:
    """The key in ``instance/secret_key``; created (mode 0600) when missing. Safe when workers start together."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48))
            # link, not rename: the first worker's key wins and a second one never replaces it
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever the request itself came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def init_app(app: Flask) -> None:
    """Secret key, cookie flags and CSRF lifetime."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or instance_secret_key(app.instance_path)
    app.config.update(SESSION_COOKIE_NAME="bpjs_session", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Strict")
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", SESSION_HOURS * 3600)
    app.session_interface = PageSessionInterface()


def sign_in(token: str, role: str) -> str | None:
    """Keep ``token`` in a new session if it is valid and of ``role``; otherwise the reason it is refused."""
    found = authenticate_token(token)
    if found is None:
        return _("This token is unknown, revoked or expired.")
    if found != role:
        return _("This token belongs to the role '%(found)s'; this page accepts only tokens of the role '%(role)s'.",
                 found=found, role=role)
    # a new session on sign-in: nothing from before (a CSRF token included) carries over
    session.clear()
    session.update(token=token.strip(), since=int(time.time()))
    return None


def sign_out() -> None:
    """Forget the token and everything else the session held."""
    session.clear()


def signed_in(role: str) -> Callable[[F], F]:
    """The view needs a session whose token is still valid and of ``role``; otherwise back to the sign-in page."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token, since = session.get("token"), session.get("since", 0)
            if token is None:
                return redirect(url_for(".sign_in_page"))
            found = None
            if time.time() - since > SESSION_HOURS * 3600:
                problem = _("The session ended after %(hours)d hours; sign in again.", hours=SESSION_HOURS)
            elif (found := authenticate_token(token)) is None:
                problem = _("The token of this session is no longer valid; sign in again.")
            elif found != role:
                # one session holds one token: another page's sign-in ends it here
                problem = _("This page needs a token of the role '%(role)s'; the session held one of the role "
                            "'%(found)s' and has ended. Sign in again.", role=role, found=found)
            else:
                return view(*args, **kwargs)
            for name in ("token_id", "role", "token_name"):
                g.pop(name, None)
            sign_out()
            flash(problem, "error")
            return redirect(url_for(".sign_in_page"))

        wrapper.allowed_roles = (role,)  # type: ignore[attr-defined]
        wrapper.session_auth = True  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate



def sign_in_views(blp: Blueprint, role: str, form: type[FlaskForm], home: str, lead: Any) -> None:
    """The sign-in form (``.sign_in_page``), its post (``.sign_in_post``) and sign-out (``.sign_out_post``) of a
    page that accepts tokens of ``role``; signed in, the browser goes to ``home``. ``lead`` says which token."""

    @public
    def sign_in_page() -> ResponseReturnValue:
        """The sign-in form; someone signed in goes straight to the page."""
        if session.get("token"):
            return redirect(url_for(home))
        return render_template("pages/sign_in.html", form=form(formdata=None), lead=lead)

    @public
    def sign_in_post() -> ResponseReturnValue:
        """Keep a valid token of the page's role in the session; any other token is refused with the reason."""
        posted = form()
        if not posted.validate_on_submit():
            return refused_form()
        problem = sign_in(posted.token.data or "", role)
        if problem is not None:
            return render_template("pages/sign_in.html", form=form(formdata=None), problem=problem, lead=lead), 401
        return redirect(url_for(home), 303)

    @public
    def sign_out_post() -> ResponseReturnValue:
        """Forget the token."""
        if not SignOutForm().validate_on_submit():
            return refused_form()
        sign_out()
        flash(_("You are signed out."), "info")
        return redirect(url_for(".sign_in_page"), 303)

    blp.add_url_rule("/sign-in", view_func=sign_in_page, methods=["GET"])
    blp.add_url_rule("/sign-in", view_func=sign_in_post, methods=["POST"])
    blp.add_url_rule("/sign-out", view_func=sign_out_post, methods=["POST"])
