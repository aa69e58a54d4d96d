"""``Ruleset.case_document`` fast paths give exactly what ``check_fact`` and ``Parameters.value`` give."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

import pytest

from adjudication import Ruleset
from adjudication.compiler import count_property, param_property
from adjudication.errors import FactError
from adjudication.fact_catalogue import FACTS, check_fact
from adjudication.ruleset import _engine_number


class Small(enum.IntEnum):
    THREE = 3


def reference(ruleset: Ruleset, facts: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dt.date]:
    """case_document as it was written before the fast paths: check_fact and a parameter lookup each."""
    stored: dict[str, Any] = {}
    document: dict[str, Any] = {"kind": "case"}
    for name, value in facts.items():
        if value is None:
            continue
        stored_value, engine_value = check_fact(name, value)
        stored[name] = stored_value
        document[name] = engine_value
        if FACTS[name].kind == "list":
            document[count_property(name)] = len(engine_value)
    if "event_date" not in stored:
        raise FactError("fact 'event_date' is required: it selects the law in force")
    on = dt.date.fromisoformat(stored["event_date"])
    for name in ruleset._condition_params:
        value = ruleset.parameters.value(name, on)
        if value is not None:
            document[param_property(name)] = _engine_number(value)
    return dict(sorted(stored.items())), document, on


VALUES: list[tuple[str, Any]] = [
    ("wage", 5), ("wage", 0), ("wage", True), ("wage", Small.THREE), ("wage", 5.0), ("wage", "5"),
    ("route_deviation", False), ("route_deviation", 1), ("route_deviation", "true"),
    ("duplicate_of", "abc"), ("duplicate_of", 7),
    ("segment", "PU"), ("segment", "pu"), ("segment", 1),
    ("reported_on", "2024-03-14"), ("reported_on", dt.date(2024, 3, 14)), ("reported_on", "20240314"),
    ("reported_on", dt.datetime(2024, 3, 14, 1, 2)), ("reported_on", "14/03/2024"), ("reported_on", 19796),
    ("incident_flags", ["fight", "crime", "fight"]), ("incident_flags", []), ("incident_flags", ["nope"]),
    ("incident_flags", "fight"), ("documents", ("ktp", "kpj_card")), ("programs", ["JKK", "JP"]),
    ("heirs_entitled", "child, spouse"), ("event_date", None),
]


def outcome(call: Any) -> Any:
    try:
        return call()
    except FactError as exc:
        return ("error", str(exc))


@pytest.mark.parametrize(("name", "value"), VALUES)
def test_each_fact_kind_validates_as_check_fact_does(shipped: Ruleset, name: str, value: Any) -> None:
    facts = {"event_date": "2024-03-10", name: value} if name != "event_date" else {name: value}
    got = outcome(lambda: shipped.case_document(facts))
    want = outcome(lambda: reference(shipped, facts))
    assert got == want
    if not isinstance(want, tuple) or want[0] != "error":
        assert [type(v) for v in got[1].values()] == [type(v) for v in want[1].values()]


def test_parameter_properties_match_the_lookup_on_every_change_date_and_around_it(shipped: Ruleset) -> None:
    days = {dt.date(1900, 1, 1), dt.date(2099, 12, 31), dt.date(2024, 3, 10)}
    for start in shipped._param_starts:
        days |= {start - dt.timedelta(days=1), start, start + dt.timedelta(days=1)}
    for day in sorted(days):
        assert shipped.case_document({"event_date": day}) == reference(shipped, {"event_date": day}), day
