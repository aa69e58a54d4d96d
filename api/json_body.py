"""One strict JSON loader for every request body.

Python's ``json`` module accepts what no field of this service can hold, or answers it with an internal error: a body
nested 100,000 deep raises ``RecursionError`` (a 500), ``NaN``/``Infinity``/``1e999`` become floats no integer field
can convert, ``10**400`` overflows a BIGINT column, a lone surrogate (``"\\ud800"``) or a NUL cannot be stored in
PostgreSQL, and of two equal keys the last silently wins. ``StrictJSONProvider.loads`` refuses all of these:

- 400 (``errors.body``): not UTF-8, not JSON, or nested deeper than ``MAX_DEPTH``;
- 422 naming the field path: a duplicated key, a non-finite number, an integer beyond 64 bits, a string with a lone
  surrogate or a NUL character, an object of more than ``MAX_KEYS`` keys or a list of more than ``MAX_ITEMS``.

``load_body`` is the ``loads`` of the app's JSON provider, which is where Flask reads ``request.get_json()`` from;
the marshmallow arguments of every flask-smorest view read the body through ``request.get_json()`` too (webargs
would otherwise call ``json.loads`` itself). Answers are written as before.
Parsing stays in the view, after the role check: a caller without the right to write learns nothing from how a body
is refused.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

import flask_smorest
from flask import Flask, Request, request
from flask.json.provider import DefaultJSONProvider
from webargs import core

from . import errors

MAX_DEPTH = 32  # the deepest body of the contract, a claim's incident.costs.transport items, is 5 levels deep
INT64 = 2**63 - 1
# no object of the contract has more than a few dozen fields, nor a list more than the 10,000 items of a
# contributions batch; a 2 MB body of 100,000 keys cost seconds of validation and a 3 MB answer
MAX_KEYS = 1_000
MAX_ITEMS = 20_000
MAX_ERRORS = 20
BODY_METHODS = {"POST", "PUT", "PATCH"}


class BodyError(ValueError):
    """A body the loader refuses; ``code`` 400 or 422 and ``errors`` keyed by field path."""

    def __init__(self, code: int, errors: dict[str, list[str]], message: str | None = None) -> None:
        super().__init__(message or "; ".join(f"{path}: {' '.join(texts)}" for path, texts in errors.items()))
        self.code = code
        self.message = message
        self.errors = errors


class _DuplicateKeys(dict):  # type: ignore[type-arg]
    """An object in which some key appeared more than once (the walk reports them with their path)."""

    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    marked = _DuplicateKeys(obj)
    seen: set[str] = set()
    marked.duplicates = [key for key, _ in pairs if key in seen or seen.add(key)]  # type: ignore[func-returns-value]
    return marked


_DECODER = json.JSONDecoder(object_pairs_hook=_object)  # built once: json.loads with arguments builds one a call


def _path(path: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in path) or "body"


def _string_problem(text: str) -> str | None:
    if "\x00" in text:
        return "Must not contain the NUL character."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Must not contain a lone UTF-16 surrogate (\\ud800-\\udfff)."
    return None


def _value_problem(value: Any, strings: bool) -> str | None:
    kind = type(value)
    if kind is str:
        return _string_problem(value) if strings else None
    if kind is float and not math.isfinite(value):
        return "Must be a finite number."
    if kind is int and not -INT64 - 1 <= value <= INT64:
        return f"Must be an integer between {-INT64 - 1} and {INT64}."
    return None


def check_body(value: Any, strings: bool = True) -> None:
    """Walk a parsed body without recursion; raise ``BodyError`` for what the loader refuses.

    ``strings`` False skips the string checks: a body without a ``\\u`` escape cannot hold a surrogate or a NUL.
    """
    problems: dict[str, list[str]] = {}
    stack: list[tuple[Any, tuple[Any, ...], int]] = []
    if isinstance(value, dict | list):
        stack.append((value, (), 1))
    elif (problem := _value_problem(value, strings)) is not None:
        problems["body"] = [problem]
    while stack and len(problems) < MAX_ERRORS:
        node, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BodyError(400, {"body": [f"Nested deeper than {MAX_DEPTH} levels."]})
        if len(node) > (MAX_ITEMS if type(node) is list else MAX_KEYS):
            what = f"{MAX_ITEMS:,} items" if type(node) is list else f"{MAX_KEYS:,} keys"
            problems[_path(path)] = [f"Has more than {what}."]
            continue
        items: Iterable[tuple[Any, Any]]
        if type(node) is list:
            items = enumerate(node)
        else:
            if type(node) is _DuplicateKeys:
                for name in node.duplicates:
                    problems[_path((*path, name))] = ["Appears more than once in its object."]
            if strings:
                for name in node:
                    if (problem := _string_problem(name)) is not None:
                        problems[_path((*path, name))] = [f"Key: {problem}"]
            items = node.items()
        for key, item in items:
            kind = type(item)
            if kind is dict or kind is list or kind is _DuplicateKeys:
                stack.append((item, (*path, key), depth + 1))
            elif (problem := _value_problem(item, strings)) is not None:
                problems[_path((*path, key))] = [problem]
    if problems:
        raise BodyError(422, problems)


def load_body(data: str | bytes) -> Any:
    """Parse a request body: UTF-8 (a leading byte order mark is ignored, as RFC 8259 allows), then ``check_body``."""
    if isinstance(data, bytes | bytearray):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise BodyError(400, {"body": [f"Not valid UTF-8 at byte {error.start}."]}) from None
    else:
        text = data.removeprefix("\ufeff")
    try:
        value = _DECODER.decode(text)
    except RecursionError:
        raise BodyError(400, {"body": [f"Nested deeper than {MAX_DEPTH} levels."]}) from None
    except json.JSONDecodeError as error:
        raise BodyError(400, {"body": [f"Not valid JSON: {error.msg} at line {error.lineno} column {error.colno}."]},
                        errors.MESSAGES[400]) from None
    except ValueError:  # Python reads an integer of at most 4,300 digits
        raise BodyError(400, {"body": ["Not valid JSON: a number has too many digits."]},
                        errors.MESSAGES[400]) from None
    check_body(value, strings="\\u" in text)
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """The app's JSON provider: answers are written as before, what it reads goes through ``load_body``."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return load_body(s)


class BodyRequest(Request):
    """A request whose refused JSON body becomes the error envelope with the loader's field paths."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if isinstance(e, BodyError):
            if e.code == 422:
                raise errors.InputError(e.message, e.errors)
            raise errors.ApiError(e.message or "The request body cannot be read.", e.errors)
        return super().on_json_loading_failed(e)


def _json_location(req: Request, schema: Any) -> Any:
    """webargs' ``json`` location read through ``request.get_json()``, that is through ``load_body``."""
    if not req.is_json or not req.get_data(cache=True):
        return core.missing  # an empty body is "missing data" (422), as webargs says
    return req.get_json()


# flask-smorest's one parser, which every view's arguments are bound to when its module is imported: changing how
# it loads the json location (not replacing it) does not depend on which module is imported first. It gets its own
# location map first; location_loader would otherwise write into the map all FlaskParsers share.
_PARSER = flask_smorest.Blueprint.ARGUMENTS_PARSER
_PARSER.__location_map__ = dict(_PARSER.__location_map__)
_PARSER.location_loader("json")(_json_location)


def init_app(app: Flask) -> None:
    """Read bodies with the strict loader, and refuse a body declared in another charset than UTF-8 (415)."""
    app.json = StrictJSONProvider(app)
    app.request_class = BodyRequest

    @app.before_request
    def _utf8_only() -> Any:
        charset = request.mimetype_params.get("charset")
        if request.method in BODY_METHODS and charset and charset.lower() not in ("utf-8", "utf8"):
            return errors.envelope(415, "The request body must be JSON in UTF-8.")
        return None
