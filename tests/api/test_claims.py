"""Claims API mechanics: idempotency, duplicates, reads, validation, and the decision stored with the claim."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from api import decision_log
from api.db import session_scope
from api.models import Claim, RulesetVersion
from api.models import DecisionRecord as Decision

from . import samples

KPJ = samples.KPJ_PU


@pytest.fixture
def registry(client: FlaskClient, auth: Any) -> None:
    """An employer paid up through 2024 and one PU worker of it."""
    samples.store_paid_up_worker(client, auth)


def jkk_claim(**changes: Any) -> dict[str, Any]:
    """A workplace accident with temporary incapacity, reported the same day."""
    body = {"claim_type": "JKK", "kpj": KPJ, "filed_on": "2024-09-01",
            "incident": {"date": "2024-06-10", "kind": "workplace", "reported_on": "2024-06-10",
                         "outcome": {"type": "temporary_incapacity", "incapacity_months": 2}},
            "documents": ["kpj_card", "ktp", "doctor_statement", "stage1_report_form", "stage2_report_form"]}
    return {**body, **changes}


def post(client: FlaskClient, auth: Any, body: dict[str, Any], key: str = "key-00000001") -> Any:
    return client.post("/v1/claims", json=body, headers={**auth("officer"), "Idempotency-Key": key})


def count(app: Flask, model: Any) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.usefixtures("registry")
def test_a_claim_is_decided_and_stored_with_its_facts_and_ruleset(app: Flask, client: FlaskClient, auth: Any):
    response = post(client, auth, jkk_claim())
    assert response.status_code == 201
    decision = response.json["decision"]
    assert decision["kind"] == "claim"
    assert decision["outcome"] in {"approved", "rejected", "referred"}
    assert decision["as_of"] == "2024-06-10"
    assert decision["ruleset_version"] == app.extensions["rulesets"].current.version
    assert decision["total_amount"] == sum(b["amount"] for b in decision["benefits"])
    with session_scope(app) as session:
        stored = session.get(Decision, decision["decision_id"])
        assert stored is not None and stored.subject == response.json["claim_id"]
        assert stored.facts["wage"] == 4_500_000 and stored.facts["event_date"] == "2024-06-10"
        assert session.get(RulesetVersion, decision["ruleset_version"]) is not None
        assert decision_log.verify(session) == {"ok": True, "checked": 1, "first_broken": None, "reason": None,
                                                "checkpoints": 1, "checkpoints_matched": 1}


@pytest.mark.usefixtures("registry")
def test_same_key_same_body_returns_the_first_claim(app: Flask, client: FlaskClient, auth: Any):
    first = post(client, auth, jkk_claim())
    again = post(client, auth, jkk_claim())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    assert count(app, Claim) == 1 and count(app, Decision) == 1


@pytest.mark.usefixtures("registry")
def test_same_key_other_body_is_a_conflict_and_stores_nothing(app: Flask, client: FlaskClient, auth: Any):
    post(client, auth, jkk_claim())
    response = post(client, auth, jkk_claim(filed_on="2024-09-02"))
    assert response.status_code == 409
    assert response.json["code"] == 409 and "Idempotency-Key" in response.json["errors"]
    assert count(app, Claim) == 1


@pytest.mark.usefixtures("registry")
def test_second_claim_for_the_same_event_is_rejected_pointing_at_the_first(client: FlaskClient, auth: Any):
    first = post(client, auth, jkk_claim()).json
    second = post(client, auth, jkk_claim(filed_on="2024-09-03"), key="key-00000002").json
    assert second["claim_id"] != first["claim_id"]
    assert second["decision"]["outcome"] == "rejected"
    duplicate = [r for r in second["decision"]["reasons"] if r["code"] == "DUPLICATE_CLAIM"]
    assert duplicate and first["claim_id"] in duplicate[0]["message"]
    # the first claim's id is a field of the answer: the officer goes there instead
    assert second["duplicate_of"] == first["claim_id"] and first["duplicate_of"] is None
    other_event = post(client, auth, jkk_claim(incident={**jkk_claim()["incident"], "date": "2024-06-11",
                                                         "reported_on": "2024-06-11"}), key="key-00000003").json
    assert "DUPLICATE_CLAIM" not in [r["code"] for r in other_event["decision"]["reasons"]]


@pytest.mark.usefixtures("registry")
def test_claims_are_read_back_by_id_and_by_kpj(client: FlaskClient, auth: Any):
    created = post(client, auth, jkk_claim()).json
    officer = auth("officer")
    assert client.get(f"/v1/claims/{created['claim_id']}", headers=officer).json == created
    listed = client.get(f"/v1/claims?kpj={KPJ}", headers=officer)
    assert listed.status_code == 200 and [c["claim_id"] for c in listed.json["items"]] == [created["claim_id"]]
    assert listed.json["total"] == 1 and "history" not in listed.json["items"][0]
    assert listed.json["items"][0]["decision"] == created["decision"]
    assert client.get("/v1/claims?kpj=00000000000", headers=officer).json == {"items": [], "total": 0, "page": 1,
                                                                               "per_page": 20}
    missing = client.get("/v1/claims/no-such-claim", headers=officer)
    assert missing.status_code == 404 and missing.json["code"] == 404


def test_a_bad_kpj_filter_names_the_field(client: FlaskClient, auth: Any):
    response = client.get("/v1/claims?kpj=123", headers=auth("officer"))
    assert response.status_code == 422 and "kpj" in response.json["errors"]


@pytest.mark.parametrize(("change", "path"), [
    ({"claim_type": "JKP"}, "claim_type"),
    ({"kpj": "123"}, "kpj"),
    ({"filed_on": "2024-02-30"}, "filed_on"),
    ({"incident": {"kind": "workplace", "reported_on": "2024-06-10", "outcome": {"type": "death"}}},
     "incident.date"),
    ({"incident": {"date": "2024-06-10", "kind": "holiday", "reported_on": "2024-06-10",
                   "outcome": {"type": "death"}}}, "incident.kind"),
    ({"incident": {"date": "2024-06-10", "kind": "occupational_disease", "reported_on": "2024-06-10",
                   "outcome": {"type": "recovered"}}}, "incident.diagnosed_on"),
    ({"incident": {"date": "2024-06-10", "kind": "workplace", "reported_on": "2024-06-10",
                   "outcome": {"type": "partial_disability"}}}, "incident.outcome.disability_pct"),
    ({"incident": {"date": "2024-06-10", "kind": "workplace", "reported_on": "2024-06-10",
                   "outcome": {"type": "recovered"}, "costs": {"transport": [{"mode": "rail", "amount": 1}]}}},
     "incident.costs.transport.0.mode"),
    ({"incident": {"date": "2024-06-10", "kind": "workplace", "reported_on": "2024-06-10",
                   "outcome": {"type": "recovered"}, "flags": ["drunk"]}}, "incident.flags.0"),
    ({"incident": {"date": "2024-10-10", "kind": "workplace", "reported_on": "2024-10-10",
                   "outcome": {"type": "recovered"}}}, "incident.date"),
    ({"heirs": [{"relation": "child", "education_level": "sd"}]}, "heirs.0.birth_date"),
    ({"documents": ["selfie"]}, "documents.0"),
    ({"surprise": 1}, "surprise"),
])
@pytest.mark.usefixtures("registry")
def test_a_body_that_cannot_be_decided_is_a_422_naming_the_field(
        app: Flask, client: FlaskClient, auth: Any, change: dict[str, Any], path: str):
    response = post(client, auth, jkk_claim(**change))
    assert response.status_code == 422, response.json
    assert response.json["status"] == "Unprocessable Entity"
    assert path in response.json["errors"], response.json["errors"]
    assert count(app, Claim) == 0 and count(app, Decision) == 0


@pytest.mark.parametrize(("claim_type", "incident", "path"), [
    ("JKM", {"cause": "natural"}, "incident.date"),
    ("JKM", {"date": "2024-06-10", "cause": "illness"}, "incident.cause"),
    ("JHT", {"date": "2024-06-10"}, "incident.reason"),
    ("JHT", {"date": "2024-06-10", "reason": "retirement", "kind": "workplace"}, "incident.kind"),
])
def test_each_claim_type_validates_its_own_incident(client: FlaskClient, auth: Any, claim_type: str,
                                                     incident: dict[str, Any], path: str):
    body = {"claim_type": claim_type, "kpj": KPJ, "filed_on": "2024-09-01", "incident": incident}
    response = post(client, auth, body)
    assert response.status_code == 422 and path in response.json["errors"], response.json


def test_the_idempotency_key_is_required(client: FlaskClient, auth: Any):
    response = client.post("/v1/claims", json=jkk_claim(), headers=auth("officer"))
    assert response.status_code == 422 and "Idempotency-Key" in response.json["errors"]


def test_an_unknown_participant_is_rejected_not_an_error(client: FlaskClient, auth: Any):
    response = post(client, auth, jkk_claim(kpj="99999999999"))
    assert response.status_code == 201
    decision = response.json["decision"]
    assert decision["outcome"] == "rejected"
    assert "NOT_A_PARTICIPANT" in [r["code"] for r in decision["reasons"]]


def test_reason_codes_catalogue_has_both_languages(client: FlaskClient, auth: Any):
    response = client.get("/v1/reason-codes", headers=auth("officer"))
    assert response.status_code == 200
    codes = {c["code"]: c for c in response.json}
    assert {"DUPLICATE_CLAIM", "NOT_A_PARTICIPANT", "CLAIM_EXPIRED"} <= set(codes)
    assert all(c["message_id"] and c["message_en"] for c in codes.values())


@pytest.mark.usefixtures("registry")
def test_concurrent_claims_keep_one_unbroken_chain(app: Flask, auth: Any):
    """Workers appending at once must not fork the hash chain or lose a claim."""
    import threading

    errors: list[Any] = []

    def submit(worker: int) -> None:
        client = app.test_client()
        for n in range(6):
            day = f"2024-0{1 + worker}-{10 + n}"
            body = jkk_claim(incident={**jkk_claim()["incident"], "date": day, "reported_on": day})
            response = client.post("/v1/claims", json=body,
                                   headers={**auth("officer"), "Idempotency-Key": f"thread-{worker}-{n:04d}"})
            if response.status_code != 201:
                errors.append(response.json)

    threads = [threading.Thread(target=submit, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert count(app, Claim) == 24 and count(app, Decision) == 24
    with session_scope(app) as session:
        checked = decision_log.verify(session)
        assert (checked["ok"], checked["checked"], checked["first_broken"]) == (True, 24, None)
        assert sorted(session.scalars(select(Decision.seq))) == list(range(1, 25))
