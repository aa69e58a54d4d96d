"""Marshmallow dumps compiled once per schema into plain Python, for the answers on the claims hot path.

``Schema.dump`` goes through ``Field.serialize`` for every field of every nested object: an accessor that tries
``obj[key]`` and then ``getattr``, ``dump_default`` handling, then the field's ``_serialize``. A claim's answer has
~130 fields, which cost more than its canonical JSON and hash. ``FastDump`` compiles a schema's dump once into a
closure per field that reads a dict with ``dict.get`` and does, for the field types the answers use (String,
Integer, Nested, List, Dict, Function), what their ``_serialize`` does; any other field, any object that is not a
plain dict, and any schema with dump hooks go through marshmallow as before. The schema stays what the OpenAPI
document is built from.

``CROSS_CHECK`` (the test suite sets it) dumps every object both ways and fails on any difference.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields, missing

CROSS_CHECK = False

_Dumper = Callable[[Any], Any]
# a dict key that is also a dict attribute would be found by marshmallow's getattr fallback when missing
_DICT_ATTRIBUTES = frozenset(dir(dict))


def _value_dumper(field: fields.Field, attr: str) -> _Dumper:
    """value -> dumped value, as ``field._serialize`` does for a value present in the object."""
    kind = type(field)
    if kind is fields.String:
        return lambda value: value if type(value) is str or value is None else field._serialize(value, attr, None)
    if kind is fields.Integer and not field.as_string:  # type: ignore[attr-defined]
        return lambda value: value if type(value) is int or value is None else field._serialize(value, attr, None)
    if kind is fields.Nested:
        nested = field.schema  # type: ignore[attr-defined]
        many = bool(nested.many or field.many)  # type: ignore[attr-defined]
        dump = _compiled(nested)
        if many:
            return lambda value: None if value is None else [dump(item) for item in value]
        return lambda value: None if value is None else dump(value)
    if kind is fields.List:
        inner = _value_dumper(field.inner, attr)  # type: ignore[attr-defined]
        return lambda value: None if value is None else [inner(item) for item in value]
    if kind is fields.Dict and field.key_field is None and field.value_field is None:  # type: ignore[attr-defined]
        return lambda value: None if value is None else dict(value)
    return lambda value: field._serialize(value, attr, None)


def _field_dumper(field: fields.Field, attr: str) -> Callable[[dict[str, Any]], Any]:
    """dict -> the field's dumped value, or ``missing`` to leave the key out (as ``Field.serialize``)."""
    if not field._CHECK_ATTRIBUTE:  # Function and Method fields: called with the whole object, always present
        return lambda obj: field._serialize(None, attr, obj)
    value_dump = _value_dumper(field, attr)
    if field.dump_default is not missing:
        return lambda obj: field.serialize(attr, obj)
    return lambda obj: missing if (value := obj.get(attr, missing)) is missing else value_dump(value)


def _compiled(schema: Schema) -> _Dumper:
    """The compiled dump of one object for ``schema`` (many handled by the caller)."""
    cached: _Dumper | None = schema.__dict__.get("_fast_dump")
    if cached is not None:
        return cached
    fallback: _Dumper = lambda obj: Schema.dump(schema, obj, many=False)  # noqa: E731
    if schema._hooks["pre_dump"] or schema._hooks["post_dump"] or schema.dict_class is not dict or any(
            "." in (field.attribute or name) or (field.attribute or name) in _DICT_ATTRIBUTES
            for name, field in schema.dump_fields.items()):
        schema.__dict__["_fast_dump"] = fallback
        return fallback
    plan = [(field.data_key if field.data_key is not None else name, _field_dumper(field, field.attribute or name))
            for name, field in schema.dump_fields.items()]

    def dump(obj: Any) -> Any:
        if type(obj) is not dict:
            return fallback(obj)
        out = {}
        for key, field_dump in plan:
            value = field_dump(obj)
            if value is not missing:
                out[key] = value
        return out

    schema.__dict__["_fast_dump"] = dump
    return dump


class FastDump:
    """Mixin for a marshmallow ``Schema``: ``dump`` runs the compiled dump."""

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        schema: Schema = self  # type: ignore[assignment]
        many = schema.many if many is None else bool(many)
        dump = _compiled(schema)
        result = [dump(item) for item in obj] if many and obj is not None else dump(obj)
        if CROSS_CHECK:
            expected = Schema.dump(schema, obj, many=many)
            if _canonical(result) != _canonical(expected):
                raise AssertionError(f"{type(schema).__name__}: the compiled dump differs from marshmallow's:\n"
                                     f"{_canonical(result)}\n{_canonical(expected)}")
        return result


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)
