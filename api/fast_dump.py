"""Marshmallow dumps compiled once per schema into plain Python, for the answers on the claims hot path.

``Schema.dump`` goes through ``Field.serialize`` for every field of every nested object: an accessor that tries
``obj[key]`` and then ``getattr``, ``dump_default`` handling, then the field's ``_serialize``. A claim's answer has
~130 fields, which cost more than its canonical JSON and hash. ``FastDump`` compiles a schema's dump once into a
generated function, one statement per field, that reads a dict with ``dict.get`` and does, for the field types the
answers use (String, Integer, Nested, List, Dict, Function), what their ``_serialize`` does; any other field type
calls the field's own ``_serialize``; an object that is not a plain dict and a schema with dump hooks go through
marshmallow as before. The schema stays what the OpenAPI document is built from.

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


def _value_expression(field: fields.Field, attr: str, name: str, env: dict[str, Any], v: str = "v") -> str:
    """Python source that dumps the value in variable ``v`` (present in the object) as ``field._serialize`` does;
    ``name`` is the field's name in ``env``, the generated function's globals."""
    env[name] = field
    kind = type(field)
    if kind is fields.String:
        return f"{v} if {v} is None or type({v}) is str else {name}._serialize({v}, {attr!r}, None)"
    if kind is fields.Integer and not field.as_string:  # type: ignore[attr-defined]
        return f"{v} if {v} is None or type({v}) is int else {name}._serialize({v}, {attr!r}, None)"
    if kind is fields.Nested:
        nested = field.schema  # type: ignore[attr-defined]
        env[f"{name}_dump"] = _compiled(nested)
        if nested.many or field.many:  # type: ignore[attr-defined]
            return f"None if {v} is None else [{name}_dump(y) for y in {v}]"
        return f"None if {v} is None else {name}_dump({v})"
    if kind is fields.List:
        item = _value_expression(field.inner, attr, f"{name}_inner", env, v="x")  # type: ignore[attr-defined]
        return f"None if {v} is None else [{item} for x in {v}]"
    if kind is fields.Dict and field.key_field is None and field.value_field is None:  # type: ignore[attr-defined]
        return f"None if {v} is None else dict({v})"
    return f"{name}._serialize({v}, {attr!r}, None)"


def _compiled(schema: Schema) -> _Dumper:
    """The compiled dump of one object for ``schema`` (many handled by the caller): a function generated from the
    schema's fields, one straight-line statement per field."""
    cached: _Dumper | None = schema.__dict__.get("_fast_dump")
    if cached is not None:
        return cached
    fallback: _Dumper = lambda obj: Schema.dump(schema, obj, many=False)  # noqa: E731
    if schema._hooks["pre_dump"] or schema._hooks["post_dump"] or schema.dict_class is not dict or any(
            "." in (field.attribute or name) or (field.attribute or name) in _DICT_ATTRIBUTES
            for name, field in schema.dump_fields.items()):
        schema.__dict__["_fast_dump"] = fallback
        return fallback
    env: dict[str, Any] = {"MISSING": missing, "fallback": fallback}
    lines = ["def dump(obj):", "    if type(obj) is not dict:", "        return fallback(obj)", "    out = {}",
             "    get = obj.get"]
    for number, (name, field) in enumerate(schema.dump_fields.items()):
        key, attr, ref = field.data_key if field.data_key is not None else name, field.attribute or name, f"f{number}"
        if not field._CHECK_ATTRIBUTE:  # Function and Method fields: called with the whole object, always present
            env[ref] = field
            lines.append(f"    out[{key!r}] = {ref}._serialize(None, {attr!r}, obj)")
        elif field.dump_default is not missing:
            env[ref] = field
            lines += [f"    v = {ref}.serialize({attr!r}, obj)", "    if v is not MISSING:",
                      f"        out[{key!r}] = v"]
        else:
            lines += [f"    v = get({attr!r}, MISSING)", "    if v is not MISSING:",
                      f"        out[{key!r}] = {_value_expression(field, attr, ref, env)}"]
    lines.append("    return out")
    exec(compile("\n".join(lines), f"<fast dump of {type(schema).__name__}>", "exec"), env)  # noqa: S102
    dump: _Dumper = env["dump"]
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
