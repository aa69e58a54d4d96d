"""Path parameters: one segment of printable characters."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import Map, UnicodeConverter


class PathSegment(UnicodeConverter):
    """Werkzeug's default converter without control characters.

    No NPP, KPJ, project number, claim id, decision id or ruleset version holds one, and PostgreSQL cannot even
    compare a string with a NUL (the driver raised, a 500): such a path matches no route and is a 404.
    """

    def __init__(self, map: Map, minlength: int = 1, maxlength: int | None = None, length: int | None = None) -> None:
        super().__init__(map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]", 1)


def init_app(app: Flask) -> None:
    """Make ``PathSegment`` the converter of ``<name>`` and ``<string:name>``; call before any route is added."""
    app.url_map.converters.update(default=PathSegment, string=PathSegment)
