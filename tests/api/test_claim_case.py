"""The officer's whole case: a claim's history, papers added, the registry read again, a supervisor's review,
the work queue, trial decisions, dates that make sense, who did what, and explanations an officer can check."""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from api import decision_log
from api.auth import create_token
from api.claim_schemas import DOCUMENTS
from api.db import session_scope
from api.models import ApiToken, Claim, DecisionRecord

from . import samples

KPJ = samples.KPJ_PU
CORE = ["kpj_card", "ktp", "doctor_statement", "stage1_report_form", "stage2_report_form"]
_keys = iter(range(1, 10_000))


@pytest.fixture
def registry(client: FlaskClient, auth: Any) -> None:
    """Employer ``NPP`` paid up through 2024 and its PU worker ``KPJ_PU`` (wage 4,500,000)."""
    samples.store_paid_up_worker(client, auth)


def commute(route_deviation: bool = True, documents: list[str] | None = None, **changes: Any) -> dict[str, Any]:
    """A commuting accident on 10 June 2024, two months unfit for work, reported the same day."""
    body = {"claim_type": "JKK", "kpj": KPJ, "filed_on": "2024-09-01",
            "incident": {"date": "2024-06-10", "kind": "commute", "reported_on": "2024-06-10",
                         "route_deviation": route_deviation,
                         "outcome": {"type": "temporary_incapacity", "incapacity_months": 2}},
            "documents": [*CORE, "police_report"] if documents is None else documents}
    return {**body, **changes}


def submit(client: FlaskClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/claims", json=body, headers={**headers, "Idempotency-Key": f"case-{next(_keys):05d}"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def codes(decision: dict[str, Any]) -> list[str]:
    return [reason["code"] for reason in decision["reasons"]]


def count(app: Flask, model: Any) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def token(app: Flask, role: str, name: str) -> dict[str, str]:
    with session_scope(app) as session:
        return {"Authorization": f"Bearer {create_token(session, role, name)}"}


def assert_history_verifies_and_replays(app: Flask, client: FlaskClient, auth: Any, claim: dict[str, Any]) -> None:
    """Every entry is a record of the hash chain (its hash recomputes, it links to its predecessor) and replays
    identically under the ruleset it was decided with."""
    with session_scope(app) as session:
        assert decision_log.verify(session)["ok"] is True
        for entry in claim["history"]:
            stored = session.get(DecisionRecord, entry["decision"]["decision_id"])
            assert stored is not None and stored.subject == claim["claim_id"]
            assert (stored.hash, stored.prev_hash) == (entry["hash"], entry["prev_hash"])
            content = decision_log.record_content(stored)
            assert decision_log.record_hash(stored.prev_hash, decision_log.hashed_content(content)) == stored.hash
    for entry in claim["history"]:
        replay = client.post(f"/v1/decisions/{entry['decision']['decision_id']}/replay", json={"ruleset": "original"},
                             headers=auth("auditor"))
        assert replay.status_code == 200 and replay.get_json()["identical"] is True, replay.get_json()["differences"]


@pytest.mark.usefixtures("registry")
def test_a_referred_commute_is_reviewed_by_a_supervisor_and_approved_with_amounts(
        app: Flask, client: FlaskClient, auth: Any, caplog: pytest.LogCaptureFixture) -> None:
    first = submit(client, auth("officer"), commute())
    decision = first["decision"]
    assert (first["status"], codes(decision)) == ("referred", ["WORK_ACCIDENT_COVERED", "STMB_PAID_TO_EMPLOYER",
                                                               "COMMUTE_ROUTE_DEVIATION"])
    # what it would pay once the referral is cleared, marked provisional and outside the total
    assert decision["total_amount"] == 0 and decision["benefits"] == []
    assert [(b["code"], b["amount"], b["provisional"]) for b in decision["provisional_benefits"]] == [
        ("JKK_STMB", 9_000_000, True)]
    assert decision["provisional_total"] == 9_000_000
    claim_id = first["claim_id"]
    secret_note = "Saksi Rahasia Binti Tersembunyi menjemput anak di SD Negeri 7"
    with caplog.at_level(logging.DEBUG):
        reviewed = client.post(f"/v1/claims/{claim_id}/reviews", headers=auth("supervisor"),
                               json={"findings": {"route_deviation": "accepted"}, "note": secret_note})
    assert reviewed.status_code == 200, reviewed.get_json()
    claim = reviewed.get_json()
    assert claim["status"] == "approved" and claim["decision"]["liability"] == "bpjs"
    assert codes(claim["decision"]) == ["WORK_ACCIDENT_COVERED", "STMB_PAID_TO_EMPLOYER", "ROUTE_DEVIATION_ACCEPTED"]
    accepted = next(r for r in claim["decision"]["reasons"] if r["code"] == "ROUTE_DEVIATION_ACCEPTED")
    assert accepted["rule_id"] == "JKK.REVIEW.ROUTE_ACCEPTED" and accepted["citation"] == "PP 44/2015 Pasal 1 angka 6"
    assert [(b["code"], b["amount"]) for b in claim["decision"]["benefits"]] == [("JKK_STMB", 9_000_000)]
    assert claim["decision"]["total_amount"] == 9_000_000
    # the history: submitted by the officer, reviewed by the supervisor, oldest first
    assert [(e["trigger"], e["actor"]["role"], e["decision"]["outcome"]) for e in claim["history"]] == [
        ("submitted", "officer", "referred"), ("reviewed", "supervisor", "approved")]
    assert claim["history"][1]["findings"] == {"route_deviation": "accepted"}
    assert claim["history"][1]["note"] == secret_note
    assert claim["history"][1]["actor"]["name"] == "test-supervisor" and claim["history"][1]["request_id"]
    assert claim["history"][1]["prev_hash"] == claim["history"][0]["hash"]
    # the supervisor's note is kept with the decision, never in the service's logs
    assert secret_note not in caplog.text and "Rahasia" not in caplog.text
    assert client.get(f"/v1/claims/{claim_id}", headers=auth("officer")).get_json() == claim
    # only a referred claim is reviewed
    again = client.post(f"/v1/claims/{claim_id}/reviews", headers=auth("supervisor"),
                        json={"findings": {"route_deviation": "not_accepted"}})
    assert again.status_code == 409 and again.get_json()["code"] == 409
    assert_history_verifies_and_replays(app, client, auth, claim)


@pytest.mark.usefixtures("registry")
def test_a_detour_not_accepted_is_rejected_by_the_rule_and_a_supervisor_rejection_needs_a_catalogued_reason(
        client: FlaskClient, auth: Any) -> None:
    claim_id = submit(client, auth("officer"), commute())["claim_id"]
    not_accepted = client.post(f"/v1/claims/{claim_id}/reviews", headers=auth("supervisor"),
                               json={"findings": {"route_deviation": "not_accepted"}}).get_json()
    assert not_accepted["status"] == "rejected"
    # no referral and no note that the commute is covered or that the employer receives the STMB
    assert codes(not_accepted["decision"]) == ["COMMUTE_OFF_ROUTE"]
    other = submit(client, auth("officer"), commute(incident={**commute()["incident"], "date": "2024-06-11",
                                                              "reported_on": "2024-06-11"}))["claim_id"]
    for body, path in (({"rejection": {"reason": "LOOKS_ODD", "note": "x"}}, "rejection.reason"),
                       ({"rejection": {"reason": "EVIDENCE_NOT_VALID"}}, "rejection.note"),
                       ({"findings": {"exclusion": "confirmed"}}, "findings.exclusion"),
                       ({"findings": {}}, "findings"),
                       ({"findings": {"route_deviation": "accepted"},
                         "rejection": {"reason": "EVIDENCE_NOT_VALID", "note": "x"}}, "findings")):
        refused = client.post(f"/v1/claims/{other}/reviews", headers=auth("supervisor"), json=body)
        assert refused.status_code == 422 and path in refused.get_json()["errors"], (body, refused.get_json())
    rejected = client.post(f"/v1/claims/{other}/reviews", headers=auth("supervisor"), json={
        "rejection": {"reason": "EVIDENCE_NOT_VALID", "note": "Laporan polisi tidak terdaftar di Polsek."}})
    assert rejected.status_code == 200
    claim = rejected.get_json()
    assert claim["status"] == "rejected" and codes(claim["decision"]) == ["EVIDENCE_NOT_VALID"]
    assert claim["decision"]["reasons"][0]["rule_id"] == "GENERAL.REVIEW.REJECTED.EVIDENCE_NOT_VALID"
    assert claim["history"][-1]["rejection"] == "EVIDENCE_NOT_VALID"


@pytest.mark.usefixtures("registry")
def test_a_supervisor_may_not_review_a_claim_they_submitted(app: Flask, client: FlaskClient, auth: Any) -> None:
    own = submit(client, auth("supervisor"), commute())
    assert own["history"][0]["actor"]["role"] == "supervisor"
    refused = client.post(f"/v1/claims/{own['claim_id']}/reviews", headers=auth("supervisor"),
                          json={"findings": {"route_deviation": "accepted"}})
    assert refused.status_code == 403 and "four eyes" in refused.get_json()["message"]
    # the same holder with an officer token and a supervisor token is still one person
    holder_officer, holder_supervisor = token(app, "officer", "kc-pontianak-budi"), \
        token(app, "supervisor", "kc-pontianak-budi")
    theirs = submit(client, holder_officer, commute(incident={**commute()["incident"], "date": "2024-06-12",
                                                              "reported_on": "2024-06-12"}))
    assert client.post(f"/v1/claims/{theirs['claim_id']}/reviews", headers=holder_supervisor,
                       json={"findings": {"route_deviation": "accepted"}}).status_code == 403
    assert count(app, DecisionRecord) == 2  # nothing was decided by the refused reviews
    # an officer may not review at all; another supervisor may
    assert client.post(f"/v1/claims/{own['claim_id']}/reviews", headers=auth("officer"),
                       json={"findings": {"route_deviation": "accepted"}}).status_code == 403
    other = token(app, "supervisor", "kc-pontianak-sari")
    assert client.post(f"/v1/claims/{own['claim_id']}/reviews", headers=other,
                       json={"findings": {"route_deviation": "accepted"}}).status_code == 200


@pytest.mark.usefixtures("registry")
def test_missing_papers_are_added_and_the_claim_is_approved(app: Flask, client: FlaskClient, auth: Any) -> None:
    first = submit(client, auth("officer"), commute(route_deviation=False, documents=CORE))
    assert first["status"] == "referred" and codes(first["decision"]) == [
        "WORK_ACCIDENT_COVERED", "STMB_PAID_TO_EMPLOYER", "DOCUMENTS_MISSING"]
    assert first["decision"]["documents_missing"] == ["police_report|witness_statements"]
    missing = first["decision"]["reasons"][-1]
    assert missing["message"] == "Dokumen yang masih diperlukan: laporan polisi atau keterangan dua orang saksi."
    assert missing["message_en"] == "Documents still needed: police report or statements of two witnesses."
    added = client.post(f"/v1/claims/{first['claim_id']}/documents", json={"documents": ["witness_statements"]},
                        headers=auth("officer"))
    assert added.status_code == 200, added.get_json()
    claim = added.get_json()
    assert claim["status"] == "approved" and claim["decision"]["total_amount"] == 9_000_000
    assert [(e["trigger"], e.get("documents_added")) for e in claim["history"]] == [
        ("submitted", None), ("documents_added", ["witness_statements"])]
    with session_scope(app) as session:
        stored = session.get(Claim, first["claim_id"])
        assert stored is not None and (stored.decision_id, stored.outcome) == (claim["decision"]["decision_id"],
                                                                              "approved")
        records = session.scalars(select(DecisionRecord).order_by(DecisionRecord.seq)).all()
        # the registry records are the ones read for the first decision: only the papers changed
        assert {k: v for k, v in records[1].inputs.items() if k not in ("claim", "action")} == \
            {k: v for k, v in records[0].inputs.items() if k not in ("claim", "action")}
        assert records[1].inputs["claim"]["documents"] == [*CORE, "witness_statements"]
    # an approved claim is final; papers already on a claim are not added twice
    assert client.post(f"/v1/claims/{first['claim_id']}/documents", json={"documents": ["bank_book"]},
                       headers=auth("officer")).status_code == 409
    assert_history_verifies_and_replays(app, client, auth, claim)


def test_a_worker_rejected_as_not_a_participant_is_redecided_once_registered(
        app: Flask, client: FlaskClient, auth: Any) -> None:
    admin = auth("admin")
    assert client.put(f"/v1/employers/{samples.NPP}", json=samples.employer(), headers=admin).status_code == 200
    first = submit(client, auth("officer"), commute(route_deviation=False))
    assert first["status"] == "rejected"
    assert codes(first["decision"]) == ["NOT_A_PARTICIPANT", "EMPLOYER_OWES_EQUIVALENT"]
    # the registry catches up: the worker was a participant since 2019, the employer paid 2024
    samples.store_paid_up_worker(client, auth)
    redecided = client.post(f"/v1/claims/{first['claim_id']}/redecide", json={}, headers=auth("officer"))
    assert redecided.status_code == 200, redecided.get_json()
    claim = redecided.get_json()
    assert claim["status"] == "approved" and claim["decision"]["total_amount"] == 9_000_000
    assert [e["trigger"] for e in claim["history"]] == ["submitted", "redecided"]
    assert claim["history"][1]["actor"]["role"] == "officer"
    # a second claim on the same event still is a duplicate and names this one; it cannot be taken forward
    duplicate = submit(client, auth("officer"), commute(route_deviation=False, filed_on="2024-09-02"))
    assert duplicate["duplicate_of"] == first["claim_id"] and codes(duplicate["decision"]) == ["DUPLICATE_CLAIM"]
    for path, body in (("redecide", {}), ("documents", {"documents": ["bank_book"]})):
        refused = client.post(f"/v1/claims/{duplicate['claim_id']}/{path}", json=body, headers=auth("officer"))
        assert refused.status_code == 409 and first["claim_id"] in refused.get_json()["message"]
    assert_history_verifies_and_replays(app, client, auth, claim)


@pytest.mark.usefixtures("registry")
def test_a_jht_claim_inside_the_waiting_period_says_when_and_is_filed_again_then(
        client: FlaskClient, auth: Any) -> None:
    body = {"claim_type": "JHT", "kpj": KPJ, "filed_on": "2024-10-10",
            "incident": {"reason": "resignation", "date": "2024-09-30"}, "documents": list(DOCUMENTS)}
    first = submit(client, auth("officer"), body)
    assert first["status"] == "rejected" and codes(first["decision"]) == ["JHT_WAITING_PERIOD"]
    assert first["decision"]["claimable_from"] == "2024-10-30"
    assert "30 Oktober 2024" in first["decision"]["reasons"][0]["message"]
    too_early = client.post(f"/v1/claims/{first['claim_id']}/redecide", json={"filed_on": "2024-10-09"},
                            headers=auth("officer"))
    assert too_early.status_code == 422 and "filed_on" in too_early.get_json()["errors"]
    refiled = client.post(f"/v1/claims/{first['claim_id']}/redecide", json={"filed_on": "2024-10-30"},
                          headers=auth("officer")).get_json()
    assert refiled["status"] == "approved" and refiled["filed_on"] == "2024-10-30"
    assert refiled["decision"]["total_amount"] == 18_250_000
    assert [e["filed_on"] for e in refiled["history"]] == ["2024-10-10", "2024-10-30"]
    balance = refiled["decision"]["benefits"][0]
    assert balance["basis"] == "saldo JHT Rp18.250.000 (PP 46/2015 Pasal 22 ayat (2))"
    assert balance["basis_en"] == "JHT balance Rp18,250,000 (PP 46/2015 Pasal 22 ayat (2))"


@pytest.mark.usefixtures("registry")
def test_a_rejection_carries_no_note_on_how_it_would_be_paid(client: FlaskClient, auth: Any) -> None:
    rejected = submit(client, auth("officer"), {
        "claim_type": "JKM", "kpj": KPJ, "filed_on": "2024-09-01", "incident": {"date": "2024-06-10",
                                                                               "cause": "work_accident"},
        "heirs": [{"relation": "spouse", "birth_date": "1990-01-01"}], "documents": list(DOCUMENTS)})
    assert rejected["status"] == "rejected"
    assert codes(rejected["decision"]) == ["JKM_DEATH_IS_WORK_ACCIDENT"]  # not "paid to the heirs"
    # the heirs rule fired (the trace and rules_fired keep it) but its note is left out of a rejection
    assert "GENERAL.HEIRS" in rejected["decision"]["rules_fired"]


@pytest.mark.usefixtures("registry")
def test_the_work_queue_pages_referred_claims_newest_filing_first(client: FlaskClient, auth: Any) -> None:
    ids = {}
    for day in range(1, 6):
        incident = {**commute()["incident"], "date": f"2024-07-0{day}", "reported_on": f"2024-07-0{day}"}
        ids[day] = submit(client, auth("officer"), commute(incident=incident, filed_on=f"2024-08-0{day}"))["claim_id"]
    submit(client, auth("officer"), commute(route_deviation=False))  # approved: not in the queue
    officer = auth("officer")
    page1 = client.get("/v1/claims?status=referred&per_page=2", headers=officer).get_json()
    assert (page1["total"], page1["page"], page1["per_page"]) == (5, 1, 2)
    assert [c["claim_id"] for c in page1["items"]] == [ids[5], ids[4]]
    assert all(c["status"] == "referred" and "history" not in c for c in page1["items"])
    page3 = client.get("/v1/claims?status=referred&per_page=2&page=3", headers=officer).get_json()
    assert [c["claim_id"] for c in page3["items"]] == [ids[1]]
    window = client.get(f"/v1/claims?status=referred&from=2024-08-02&to=2024-08-03&kpj={KPJ}",
                        headers=officer).get_json()
    assert window["total"] == 2 and [c["claim_id"] for c in window["items"]] == [ids[3], ids[2]]
    assert client.get("/v1/claims", headers=auth("supervisor")).get_json()["total"] == 6
    for query, path in (("status=open", "status"), ("from=2024-08-03&to=2024-08-02", "to"), ("page=0", "page"),
                        ("per_page=101", "per_page")):
        refused = client.get(f"/v1/claims?{query}", headers=officer)
        assert refused.status_code == 422 and path in refused.get_json()["errors"], query


@pytest.mark.usefixtures("registry")
def test_evaluate_decides_without_storing_anything(app: Flask, client: FlaskClient, auth: Any) -> None:
    response = client.post("/v1/claims/evaluate", json=commute(route_deviation=False, documents=CORE),
                           headers=auth("officer"))
    assert response.status_code == 200, response.get_json()
    trial = response.get_json()
    assert trial["stored"] is False and trial["decision"]["decision_id"] is None
    assert trial["decision"]["documents_missing"] == ["police_report|witness_statements"]
    assert trial["decision"]["provisional_total"] == 9_000_000
    assert count(app, Claim) == 0 and count(app, DecisionRecord) == 0
    # an event already claimed: the trial says it would be a duplicate and names the first
    first = submit(client, auth("officer"), commute(route_deviation=False))
    again = client.post("/v1/claims/evaluate", json=commute(route_deviation=False), headers=auth("officer"))
    assert again.get_json()["duplicate_of"] == first["claim_id"]
    assert codes(again.get_json()["decision"]) == ["DUPLICATE_CLAIM"]
    assert count(app, Claim) == 1 and count(app, DecisionRecord) == 1


def _tomorrow_in_jakarta() -> dt.date:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=7)).date() + dt.timedelta(days=1)


@pytest.mark.parametrize(("change", "path", "accepted"), [
    (lambda b: {**b, "filed_on": _tomorrow_in_jakarta().isoformat()}, "filed_on", "today in Asia/Jakarta"),
    (lambda b: {**b, "incident": {**b["incident"], "date": "2024-09-02", "reported_on": "2024-09-02"}},
     "incident.date", "(filed_on)"),
    (lambda b: {**b, "incident": {**b["incident"], "reported_on": "2024-06-09"}}, "incident.reported_on",
     "Must be between 2024-06-10 (incident.date) and 2024-09-01 (filed_on)."),
    (lambda b: {**b, "incident": {**b["incident"], "reported_on": "2024-09-02"}}, "incident.reported_on",
     "Must be between 2024-06-10 (incident.date) and 2024-09-01 (filed_on)."),
    (lambda b: {**b, "incident": {**b["incident"], "kind": "occupational_disease", "date": "2018-01-01",
                                  "reported_on": "2019-03-02", "diagnosed_on": "2019-03-01"}},
     "incident.diagnosed_on", "Must be between 2019-04-01 (membership_start of the participant)"),
])
@pytest.mark.usefixtures("registry")
def test_dates_that_cannot_be_right_are_a_422_naming_the_field_and_the_range(
        app: Flask, client: FlaskClient, auth: Any, change: Any, path: str, accepted: str) -> None:
    body = change(commute(route_deviation=False))
    for url, headers in (("/v1/claims", {"Idempotency-Key": "dates-00001"}), ("/v1/claims/evaluate", {})):
        response = client.post(url, json=body, headers={**auth("officer"), **headers})
        assert response.status_code == 422, response.get_json()
        assert list(response.get_json()["errors"]) == [path]
        assert accepted in response.get_json()["errors"][path][0]
    assert count(app, Claim) == 0 and count(app, DecisionRecord) == 0


@pytest.mark.usefixtures("registry")
def test_filed_today_in_jakarta_is_accepted_and_the_law_follows_the_event_date(
        client: FlaskClient, auth: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # 20:30 UTC on 1 December 2026 is already 2 December in Jakarta
    late_evening = dt.datetime(2026, 12, 1, 20, 30, tzinfo=dt.UTC)

    class Clock:
        @staticmethod
        def now(tz: Any) -> dt.datetime:
            return late_evening.astimezone(tz)

    monkeypatch.setattr("api.dates.dt", SimpleNamespace(datetime=Clock))
    body = {"claim_type": "JHT", "kpj": KPJ, "filed_on": "2026-12-02",
            "incident": {"reason": "resignation", "date": "2024-09-30"}, "documents": list(DOCUMENTS)}
    claim = submit(client, auth("officer"), body)
    assert claim["decision"]["as_of"] == "2024-09-30"  # the event, never today, chooses the law
    late = client.post("/v1/claims", json={**body, "filed_on": "2026-12-03"},
                       headers={**auth("officer"), "Idempotency-Key": "dates-00002"})
    assert late.status_code == 422 and "2026-12-02 (today in Asia/Jakarta)" in late.get_json()["errors"]["filed_on"][0]


@pytest.mark.usefixtures("registry")
def test_a_revoked_token_is_refused_at_once(app: Flask, client: FlaskClient, auth: Any, tokens: dict[str, str]) -> None:
    claim_id = submit(client, auth("officer"), commute(route_deviation=False, documents=CORE))["claim_id"]
    with session_scope(app) as session:
        token_id = int(tokens["officer"].split(".")[1])  # bpjs_<role>.<id>.<secret>
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(revoked_at=dt.datetime.now(dt.UTC)))
    refused = client.post(f"/v1/claims/{claim_id}/documents", json={"documents": ["police_report"]},
                          headers=auth("officer"))
    assert refused.status_code == 401 and refused.get_json()["code"] == 401
    assert client.get(f"/v1/claims/{claim_id}", headers=auth("officer")).status_code == 401
    assert count(app, DecisionRecord) == 1


@pytest.mark.usefixtures("registry")
def test_every_decision_records_who_did_it_and_the_audit_record_shows_it(client: FlaskClient, auth: Any) -> None:
    claim = submit(client, auth("officer"), commute())
    record = client.get(f"/v1/decisions/{claim['decision']['decision_id']}", headers=auth("auditor")).get_json()
    assert record["actor"] == claim["history"][0]["actor"] == {
        "token_id": record["actor"]["token_id"], "name": "test-officer", "role": "officer"}
    assert record["request_id"] == claim["history"][0]["request_id"]
    # the trace: per fired rule, the facts its condition read, the dated parameters and the arithmetic
    fired = {e["rule_id"]: e for e in record["trace"] if e["event"] == "rule_fired"}
    assert fired["JKK.COMMUTE.ROUTE_DEVIATION"]["facts"] == {
        "claim_type": "JKK", "incident_kind": "commute", "review_route_deviation": None, "route_deviation": True}
    stmb = fired["JKK.STMB"]
    assert stmb["parameters"]["jkk.stmb.months_first"]["value"] == 12
    assert stmb["items"] == [{"code": "JKK_STMB", "amount": 9_000_000,
                              "formula": "4500000 x (1 x min(2, 12) + 0.5 x max(2 - 12, 0))"}]
    request = client.post(f"/v1/claims/{claim['claim_id']}/reviews", headers={**auth("supervisor"),
                                                                               "X-Request-Id": "loket-3:0042"},
                          json={"findings": {"route_deviation": "accepted"}})
    assert request.headers["X-Request-Id"] == "loket-3:0042"
    reviewed = client.get(f"/v1/decisions/{request.get_json()['decision']['decision_id']}",
                          headers=auth("auditor")).get_json()
    assert reviewed["actor"]["role"] == "supervisor" and reviewed["request_id"] == "loket-3:0042"
    assert reviewed["inputs"]["action"] == {"trigger": "reviewed", "findings": {"route_deviation": "accepted"}}
    assert reviewed["facts"]["review_route_deviation"] == "accepted"


@pytest.mark.usefixtures("registry")
def test_messages_and_bases_follow_accept_language_and_keep_both(client: FlaskClient, auth: Any) -> None:
    claim = submit(client, auth("officer"), {
        "claim_type": "JKK", "kpj": KPJ, "filed_on": "2024-06-20", "documents": list(DOCUMENTS),
        "incident": {"date": "2024-06-10", "kind": "workplace", "reported_on": "2024-06-10",
                     "outcome": {"type": "death"}},
        "heirs": [{"relation": "spouse", "birth_date": "1990-01-01"}]})
    lump = next(b for b in claim["decision"]["benefits"] if b["code"] == "JKK_DEATH_LUMP_SUM")
    assert lump["amount"] == 216_000_000 and lump["formula"] == "max(48 x 4500000, 20000000)"
    assert lump["basis"] == lump["basis_id"] == (
        "terbesar dari (48 x upah terlapor Rp4.500.000; santunan kematian paling sedikit Rp20.000.000) "
        "= Rp216.000.000 (PP 82/2019 Lampiran III)")
    assert lump["basis_en"] == ("the greater of (48 x reported wage Rp4,500,000; minimum death benefit "
                                "Rp20,000,000) = Rp216,000,000 (PP 82/2019 Lampiran III)")
    heirs = next(r for r in claim["decision"]["reasons"] if r["code"] == "HEIRS_ENTITLED")
    assert heirs["message"] == heirs["message_id"] and "(suami/istri)" in heirs["message_id"]
    english = client.get(f"/v1/claims/{claim['claim_id']}", headers={**auth("officer"),
                                                                      "Accept-Language": "en-GB,en;q=0.9"})
    shown = english.get_json()["decision"]
    assert next(r for r in shown["reasons"] if r["code"] == "HEIRS_ENTITLED")["message"] == heirs["message_en"]
    assert next(b for b in shown["benefits"] if b["code"] == "JKK_DEATH_LUMP_SUM")["basis"] == lump["basis_en"]
    kind = next(r for r in shown["reasons"] if r["code"] == "WORK_ACCIDENT_COVERED")
    assert "(accident from work or at the workplace)" in kind["message"]
    assert "(kecelakaan karena pekerjaan atau di tempat kerja)" in kind["message_id"]
    # the explanation: the same in sentences, from the stored trace
    explained = client.get(f"/v1/claims/{claim['claim_id']}/explanation", headers=auth("officer")).get_json()
    assert explained["language"] == "id" and explained["decision_id"] == claim["decision"]["decision_id"]
    assert explained["summary"].startswith("Klaim disetujui. BPJS Ketenagakerjaan membayar Rp")
    death = next(s for s in explained["steps"] if s["rule_id"] == "JKK.DEATH.BENEFIT")
    assert "upah terlapor Rp4.500.000" in death["text"] and "akibat kecelakaan meninggal dunia" in death["text"]
    assert "santunan kematian paling sedikit Rp20.000.000 (berlaku sejak 2 Desember 2019" in death["text"]
    assert lump["basis_id"] in death["text"]
    in_english = client.get(f"/v1/claims/{claim['claim_id']}/explanation",
                            headers={**auth("officer"), "Accept-Language": "en"}).get_json()
    assert in_english["language"] == "en" and in_english["summary"].startswith("The claim is approved.")
    assert client.get("/v1/claims/nope/explanation", headers=auth("officer")).status_code == 404


@pytest.mark.usefixtures("registry")
def test_a_supervisor_who_saw_the_missing_papers_verifies_them(client: FlaskClient, auth: Any) -> None:
    first = submit(client, auth("officer"), commute(route_deviation=True, documents=CORE))
    assert codes(first["decision"])[-2:] == ["COMMUTE_ROUTE_DEVIATION", "DOCUMENTS_MISSING"]
    claim_id = first["claim_id"]
    wrong = client.post(f"/v1/claims/{claim_id}/reviews", headers=auth("supervisor"),
                        json={"findings": {"documents_verified": ["bank_book"]}})
    assert wrong.status_code == 422 and "findings.documents_verified" in wrong.get_json()["errors"]
    verified = client.post(f"/v1/claims/{claim_id}/reviews", headers=auth("supervisor"),
                           json={"findings": {"documents_verified": ["police_report"]}}).get_json()
    # the papers are complete; the detour still waits for its own finding
    assert verified["status"] == "referred" and verified["decision"]["documents_missing"] == []
    assert codes(verified["decision"])[-1] == "COMMUTE_ROUTE_DEVIATION"
    assert verified["history"][-1]["findings"] == {"documents_verified": ["police_report"]}
    # the verified paper counts as attached: adding it again is nothing new to decide
    again = client.post(f"/v1/claims/{claim_id}/documents", json={"documents": ["police_report"]},
                        headers=auth("officer"))
    assert again.status_code == 409 and again.get_json()["errors"] == {"documents": ["Already on the claim."]}
    cleared = client.post(f"/v1/claims/{claim_id}/reviews", headers=auth("supervisor"),
                          json={"findings": {"route_deviation": "accepted"}}).get_json()
    assert cleared["status"] == "approved" and [e["trigger"] for e in cleared["history"]] == [
        "submitted", "reviewed", "reviewed"]
