"""The auditor's list of decisions (``GET /v1/decisions``): newest first, by kind and window, paged by seq; and
the chain check of a range of records that a decision's page runs."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from api import decision_log
from api.db import session_scope
from api.models import DecisionRecord

from .admin import append_only_lifted
from .conftest import StoreLog

COUNT = 120


@pytest.fixture
def records(app: Flask, store_log: StoreLog) -> list[DecisionRecord]:
    """The first ``COUNT`` claims of the sample log, decided over January 2025."""
    return store_log(app, COUNT)


def listed(client: FlaskClient, auth: Any, **query: Any) -> Any:
    return client.get("/v1/decisions", query_string=query, headers=auth("auditor"))


def test_decisions_are_listed_newest_first_and_paged_both_ways(client: FlaskClient, auth: Any,
                                                               records: list[DecisionRecord]) -> None:
    first = listed(client, auth, limit=50).get_json()
    assert [d["seq"] for d in first] == list(range(COUNT, COUNT - 50, -1))
    newest = records[-1]
    assert first[0] == {"seq": newest.seq, "decision_id": newest.decision_id, "kind": "claim",
                        "subject": newest.subject, "ruleset_version": newest.ruleset_version,
                        "decided_at": decision_log.utc_iso(newest.decided_at), "outcome": newest.result["outcome"],
                        "total_amount": newest.result["total_amount"], "actor": newest.actor}
    seen, before = [], None
    while True:
        page = listed(client, auth, limit=50, **({"before": before} if before else {})).get_json()
        if not page:
            break
        seen += [d["seq"] for d in page]
        before = page[-1]["seq"]
    assert seen == list(range(COUNT, 0, -1))
    # the page before the second one is the first one
    second = listed(client, auth, limit=50, before=first[-1]["seq"]).get_json()
    assert listed(client, auth, limit=50, after=second[0]["seq"]).get_json() == first


def test_a_kind_and_a_window_select_the_decisions(client: FlaskClient, auth: Any,
                                                  records: list[DecisionRecord]) -> None:
    start, end = records[30].decided_at.date(), records[60].decided_at.date()
    within = [r.seq for r in reversed(records) if start <= r.decided_at.date() <= end]
    assert 30 <= len(within) < COUNT
    page = listed(client, auth, **{"from": start.isoformat(), "to": end.isoformat(), "limit": 1000}).get_json()
    assert [d["seq"] for d in page] == within
    assert listed(client, auth, kind="clearance").get_json() == []
    assert len(listed(client, auth, kind="claim", limit=1000).get_json()) == COUNT


@pytest.mark.parametrize(("query", "field"), [
    ({"kind": "letter"}, "kind"),
    ({"from": "2025-02-30"}, "from"),
    ({"from": "2025-03-02", "to": "2025-03-01"}, "to"),
    ({"before": 10, "after": 2}, "after"),
    ({"before": 0}, "before"),
    ({"limit": 1001}, "limit"),
])
def test_a_bad_list_query_names_the_field(client: FlaskClient, auth: Any, query: dict[str, Any], field: str) -> None:
    response = listed(client, auth, **query)
    assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()


def test_only_an_auditor_lists_decisions(client: FlaskClient, auth: Any) -> None:
    assert listed(client, auth).status_code == 200
    for role in ("officer", "licensing", "admin", "supervisor"):
        assert client.get("/v1/decisions", headers=auth(role)).status_code == 403


def test_a_range_of_the_chain_is_checked_on_its_own(app: Flask, records: list[DecisionRecord]) -> None:
    with session_scope(app) as session:
        assert decision_log.verify(session, 40, 42)["checked"] == 3 and decision_log.verify(session, 40, 42)["ok"]
        assert decision_log.verify(session)["checked"] == COUNT
        with append_only_lifted(session):
            session.execute(update(DecisionRecord).where(DecisionRecord.seq == 41).values(subject="rewritten"))
    with session_scope(app) as session:
        broken = decision_log.verify(session, 40, 42)
        assert (broken["ok"], broken["checked"], broken["first_broken"]) == (False, 1, records[40].decision_id)
        assert decision_log.verify(session, 43, 60)["ok"]
