"""The app's endpoints as the URL map lists them, for tests that must cover endpoints added later by themselves."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Rule, UUIDConverter

from api import create_app
from api.auth import ROLES

from . import samples

# the endpoints anyone may call: the health check for load balancers, and Flask's static files
OPEN = {("/health", "GET"), ("/static/<path:filename>", "GET")}
BODY_METHODS = {"POST", "PUT", "PATCH"}
# plausible values of path parameters by name; anything else gets a generic value
PATH_VALUES = {
    "npp": samples.NPP,
    "kpj": samples.KPJ_PU,
    "project_number": samples.PROJECT,
    "nib": "9120001234567",
}


def endpoints(app: Flask) -> list[tuple[Rule, str]]:
    """Every (rule, method) of the app, HEAD and OPTIONS aside."""
    found = []
    for rule in app.url_map.iter_rules():
        found += [(rule, method) for method in sorted(rule.methods or ()) if method not in ("HEAD", "OPTIONS")]
    return sorted(found, key=lambda pair: (pair[0].rule, pair[1]))


def _view(app: Flask, rule: Rule) -> Any:
    return app.view_functions[rule.endpoint]


def is_open(app: Flask, rule: Rule, method: str) -> bool:
    """Anyone may call it: ``OPEN``, a page's static files, or a page view marked public (its sign-in form)."""
    return (rule.rule, method) in OPEN or rule.endpoint.endswith(".static") or \
        getattr(_view(app, rule), "public", False)


def guarded(app: Flask) -> list[tuple[Rule, str]]:
    """The endpoints that need a bearer token: all but the open ones and the pages (signed in by a session)."""
    return [(rule, method) for rule, method in endpoints(app) if not is_open(app, rule, method)
            and not getattr(_view(app, rule), "session_auth", False)]


def pages(app: Flask) -> list[tuple[Rule, str]]:
    """The page views that need a signed-in session."""
    return [(rule, method) for rule, method in endpoints(app) if getattr(_view(app, rule), "session_auth", False)]


def allowed_roles(app: Flask, rule: Rule, method: str) -> tuple[str, ...] | None:
    """The roles ``requires_role`` lets call the endpoint (on a function view or a MethodView's method)."""
    view = app.view_functions[rule.endpoint]
    roles = getattr(view, "allowed_roles", None)
    if roles is None and hasattr(view, "view_class"):
        roles = getattr(getattr(view.view_class, method.lower(), None), "allowed_roles", None)
    return roles


def unchecked_endpoints(app: Flask) -> list[str]:
    """Endpoints outside ``OPEN`` that do not check a role, or name a role that does not exist."""
    problems = []
    for rule, method in [*guarded(app), *pages(app)]:
        roles = allowed_roles(app, rule, method)
        if not roles or not set(roles) <= set(ROLES):
            problems.append(f"{method} {rule.rule}: roles {roles}")
    return problems


def _value(rule: Rule, name: str) -> Any:
    converter = getattr(rule, "_converters", {}).get(name)
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    return PATH_VALUES.get(name, "1")


def url(app: Flask, rule: Rule, method: str) -> str:
    """A URL of the rule with plausible path values."""
    values = {name: _value(rule, name) for name in rule.arguments}
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, values, method=method)


def raw_url(rule: Rule, value: str) -> str:
    """The rule with every path parameter replaced by ``value`` as it is, percent signs and all."""
    return re.sub(r"<[^<>]+>", value, rule.rule)


def pairs_for_ids(select: Any = guarded) -> list[tuple[str, str]]:
    """(rule, method) pairs for test ids, from an app on a throwaway database."""
    app = create_app({"DATABASE_URL": "sqlite://", "TESTING": True})
    pairs = [(rule.rule, method) for rule, method in select(app)]
    app.extensions["db_engine"].dispose()
    return pairs


def find(app: Flask, path: str, method: str) -> Rule:
    """The rule of a (path, method) pair from ``pairs_for_ids``."""
    return next(rule for rule, m in endpoints(app) if rule.rule == path and m == method)
