"""The compiled dump of a schema (api.fast_dump) gives what marshmallow's dump gives. The whole API suite checks
every claim answer both ways (tests/api/conftest.py); here, the corner cases on a schema of every field kind."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from marshmallow import Schema, fields, post_dump

from api import fast_dump


class Inner(Schema):
    code = fields.String()
    amount = fields.Integer()


class Outer(fast_dump.FastDump, Schema):
    name = fields.String()
    count = fields.Integer(allow_none=True)
    as_text = fields.Integer(as_string=True)
    flag = fields.Boolean()
    day = fields.Date()
    inner = fields.Nested(Inner, allow_none=True)
    entries = fields.List(fields.Nested(Inner))
    only_codes = fields.List(fields.Nested(Inner, only=("code",)))
    words = fields.List(fields.String())
    mapping = fields.Dict()
    shown = fields.Function(lambda obj: f"{getattr(obj, 'get', lambda _: 'obj')('name')}!")
    renamed = fields.String(data_key="renamedKey")
    defaulted = fields.String(dump_default="none given")
    sourced = fields.String(attribute="elsewhere")


CASES: list[Any] = [
    {},
    {"name": "a", "count": 3, "as_text": 7, "flag": 1, "day": dt.date(2026, 1, 2), "inner": {"code": "X", "amount": 5},
     "entries": [{"code": "Y", "amount": True}, {}], "only_codes": [{"code": "Z", "amount": 9}], "words": ["p", 4],
     "mapping": {"k": [1]}, "renamed": "r", "defaulted": "d", "elsewhere": "e", "ignored": "not a field"},
    {"name": None, "count": None, "inner": None, "entries": None, "words": None, "mapping": None, "day": None},
    {"name": 12, "count": "41", "flag": "yes"},
]


@pytest.mark.parametrize("case", CASES)
def test_the_compiled_dump_is_marshmallows(case: Any) -> None:
    schema = Outer()
    assert schema.dump(case) == Schema.dump(schema, case)
    assert schema.dump([case, case], many=True) == Schema.dump(schema, [case, case], many=True)


def test_an_object_that_is_not_a_dict_and_a_schema_with_hooks_go_through_marshmallow() -> None:
    class Thing:
        name, count = "obj", 2

    assert Outer().dump(Thing()) == Schema.dump(Outer(), Thing())

    class Hooked(fast_dump.FastDump, Schema):
        name = fields.String()

        @post_dump
        def shout(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
            return {"name": str(data.get("name")).upper()}

    assert Hooked().dump({"name": "x"}) == {"name": "X"}


def test_the_cross_check_fails_on_a_difference(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = Outer()
    schema.__dict__["_fast_dump"] = lambda obj: {"name": "not what marshmallow says"}
    monkeypatch.setattr(fast_dump, "CROSS_CHECK", True)
    with pytest.raises(AssertionError, match="differs from marshmallow"):
        schema.dump({"name": "a"})
