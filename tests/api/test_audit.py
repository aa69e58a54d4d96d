"""Audit API: decision records, replays with the original, current and older rulesets, the chain check, the
append-only triggers, rulesets.

Rule outcomes are not asserted beyond what a test changes itself: the rules in ``rules/`` keep growing, so
replays are compared structurally.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from adjudication import chain
from api import create_app, decision_log
from api.claim_schemas import DOCUMENTS
from api.db import session_scope
from api.models import Checkpoint, SigningKey
from api.models import DecisionRecord as Decision

from . import samples
from .admin import append_only_lifted

KPJ = samples.KPJ_PU
RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
FUNERAL_RAISE = 1_000_000
UNKNOWN_VERSION = "sha256:" + "0" * 64


def store_registry(client: FlaskClient, auth: Any) -> None:
    """An employer paid up through 2024 and one PU worker of it."""
    samples.store_paid_up_worker(client, auth)


@pytest.fixture
def registry(client: FlaskClient, auth: Any) -> None:
    """The registry records the claims below refer to."""
    store_registry(client, auth)


def death_claim(date: str = "2024-06-10") -> dict[str, Any]:
    """A fatal workplace accident with every document attached, so no document rule refers it."""
    return {"claim_type": "JKK", "kpj": KPJ, "filed_on": "2024-09-01",
            "incident": {"date": date, "kind": "workplace", "reported_on": date, "outcome": {"type": "death"}},
            "heirs": [{"relation": "spouse", "birth_date": "1989-01-01", "married": True, "working": False}],
            "documents": list(DOCUMENTS)}


def incapacity_claim(date: str = "2024-07-01") -> dict[str, Any]:
    """A workplace accident with two months of temporary incapacity."""
    return {"claim_type": "JKK", "kpj": KPJ, "filed_on": "2024-09-01",
            "incident": {"date": date, "kind": "workplace", "reported_on": date,
                         "outcome": {"type": "temporary_incapacity", "incapacity_months": 2}},
            "documents": list(DOCUMENTS)}


def decide(client: FlaskClient, auth: Any, body: dict[str, Any], key: str) -> dict[str, Any]:
    """Submit a claim as an officer; return its decision."""
    response = client.post("/v1/claims", json=body, headers={**auth("officer"), "Idempotency-Key": key})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["decision"]


def three_decisions(client: FlaskClient, auth: Any) -> list[str]:
    """A death, an incapacity and an unknown participant's claim: three records in the chain."""
    return [decide(client, auth, death_claim(), "audit-key-1")["decision_id"],
            decide(client, auth, incapacity_claim(), "audit-key-2")["decision_id"],
            decide(client, auth, {**incapacity_claim(), "kpj": "99999999999"}, "audit-key-3")["decision_id"]]


def decision_count(app: Flask) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(Decision)) or 0


def keys_anywhere(value: Any) -> set[str]:
    """Every mapping key in a nested JSON value."""
    if isinstance(value, dict):
        return set(value) | set().union(*(keys_anywhere(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_anywhere(v) for v in value))
    return set()


# --- the record -----------------------------------------------------------------------------------------------

@pytest.mark.usefixtures("registry")
def test_the_record_is_the_stored_decision_and_its_hash_can_be_recomputed(client: FlaskClient, auth: Any):
    decision = decide(client, auth, death_claim(), "audit-key-1")
    response = client.get(f"/v1/decisions/{decision['decision_id']}", headers=auth("auditor"))
    assert response.status_code == 200
    record = response.get_json()
    assert {"decision_id", "seq", "kind", "subject", "facts", "ruleset_version", "result", "decided_at",
            "prev_hash", "hash"} <= set(record)
    assert record["kind"] == "claim" and record["seq"] == 1 and record["prev_hash"] == decision_log.GENESIS
    assert record["ruleset_version"] == decision["ruleset_version"]
    assert record["decided_at"] == decision["decided_at"]
    assert record["facts"]["event_date"] == "2024-06-10" and record["facts"]["outcome_type"] == "death"
    # the result holds the officer's decision without its identity fields; the officer reads each message and
    # basis in one language (Indonesian by default) and the formula the record keeps as its basis
    shown = {k: v for k, v in decision.items() if k not in {"decision_id", "kind", "decided_at"}}
    shown["reasons"] = [{k: v for k, v in r.items() if k != "message"} for r in shown["reasons"]]
    shown["benefits"] = [{**{k: v for k, v in b.items() if k != "formula"}, "basis": b["formula"]}
                         for b in shown["benefits"]]
    assert {k: record["result"][k] for k in shown} == shown
    assert all(r["message"] == r["message_id"] for r in decision["reasons"])
    assert all(b["basis"] == b["basis_id"] for b in decision["benefits"])
    # an auditor can check the hash without trusting the service
    assert record["format"] == 2 and record["actor"]["role"] == "officer" and record["request_id"]
    assert decision_log.record_hash(record["prev_hash"], chain.hashed_content(record)) == record["hash"]


def test_an_unknown_decision_is_a_404_in_the_envelope(client: FlaskClient, auth: Any):
    for response in (client.get("/v1/decisions/no-such-decision", headers=auth("auditor")),
                     client.post("/v1/decisions/no-such-decision/replay", json={"ruleset": "original"},
                                 headers=auth("auditor"))):
        assert response.status_code == 404
        assert response.get_json()["code"] == 404 and "no-such-decision" in response.get_json()["message"]


@pytest.mark.usefixtures("registry")
def test_the_record_carries_no_nik_or_name(client: FlaskClient, auth: Any):
    decision = decide(client, auth, death_claim(), "audit-key-1")
    response = client.get(f"/v1/decisions/{decision['decision_id']}", headers=auth("auditor"))
    assert not {"nik", "name"} & keys_anywhere(response.get_json()["facts"])
    person = samples.participant_pu()
    text = response.get_data(as_text=True)
    assert person["nik"] not in text and person["name"] not in text


@pytest.mark.usefixtures("registry")
def test_only_an_auditor_reads_records(client: FlaskClient, auth: Any):
    decision = decide(client, auth, death_claim(), "audit-key-1")
    for role in ("officer", "licensing", "admin"):
        response = client.get(f"/v1/decisions/{decision['decision_id']}", headers=auth(role))
        assert response.status_code == 403 and response.get_json()["code"] == 403


# --- replaying one decision ----------------------------------------------------------------------------------

@pytest.mark.usefixtures("registry")
def test_a_replay_with_the_original_ruleset_is_identical_and_stores_nothing(app: Flask, client: FlaskClient,
                                                                           auth: Any):
    ids = three_decisions(client, auth)
    before = client.get("/v1/audit/verify", headers=auth("auditor")).get_json()
    for decision_id in ids:
        for choice in ("original", "current", app.extensions["rulesets"].current.version):
            response = client.post(f"/v1/decisions/{decision_id}/replay", json={"ruleset": choice},
                                   headers=auth("auditor"))
            assert response.status_code == 200, response.get_json()
            replay = response.get_json()
            assert replay["identical"] is True and replay["differences"] == [], replay["differences"]
            assert replay["replayed"] == replay["original"]
            events = [step["event"] for step in replay["trace"]]
            assert events[-1] == "decision"
            assert [s["rule_id"] for s in replay["trace"] if s["event"] == "rule_fired"] == \
                replay["original"]["rules_fired"]
    assert decision_count(app) == 3
    assert client.get("/v1/audit/verify", headers=auth("auditor")).get_json() == before


@pytest.mark.parametrize(("body", "code"), [
    ({}, 422),
    ({"ruleset": "newest"}, 422),
    ({"ruleset": "sha256:abc"}, 422),
    ({"ruleset": 7}, 422),
    ({"ruleset": "original", "extra": 1}, 422),
    ({"ruleset": UNKNOWN_VERSION}, 404),
])
@pytest.mark.usefixtures("registry")
def test_a_bad_replay_request_names_the_field_or_the_version(client: FlaskClient, auth: Any, body: dict[str, Any],
                                                             code: int):
    decision = decide(client, auth, death_claim(), "audit-key-1")
    response = client.post(f"/v1/decisions/{decision['decision_id']}/replay", json=body, headers=auth("auditor"))
    assert response.status_code == code, response.get_json()
    if code == 422:
        assert set(response.get_json()["errors"]) & {"ruleset", "extra"}, response.get_json()
    else:
        assert UNKNOWN_VERSION in response.get_json()["message"]


# --- an older ruleset really replays with its own files ----------------------------------------------------

def raise_funeral(rules: Path) -> None:
    """Raise the JKK death funeral amount of every period in a copy of the rules."""
    path = rules / "parameters" / "jkk.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in data["death"]["funeral"]["values"].values():
        entry["value"] += FUNERAL_RAISE
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def newer_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on the same database whose rules are a copy of ``rules/`` with a higher funeral amount."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    raise_funeral(rules)
    application = create_app({"DATABASE_URL": database_url, "TESTING": True, "RULES_DIR": str(rules)})
    yield application
    application.extensions["db_engine"].dispose()


def funeral(result: dict[str, Any]) -> int:
    """The funeral benefit of an approved JKK death decision."""
    items = [b["amount"] for b in result["benefits"] if b["code"] == "JKK_DEATH_FUNERAL"]
    assert len(items) == 1, result
    return items[0]


@pytest.mark.usefixtures("registry")
def test_a_replay_with_another_ruleset_uses_that_rulesets_files(app: Flask, newer_app: Flask, client: FlaskClient,
                                                               auth: Any):
    old_version = app.extensions["rulesets"].current.version
    new_version = newer_app.extensions["rulesets"].current.version
    assert old_version != new_version
    first = decide(client, auth, death_claim(), "audit-key-1")
    newer = newer_app.test_client()
    second = decide(newer, auth, incapacity_claim(), "audit-key-2")
    assert (first["ruleset_version"], second["ruleset_version"]) == (old_version, new_version)
    assert first["outcome"] == "approved", first["reasons"]  # the precondition of an amount change
    auditor = auth("auditor")

    original = newer.post(f"/v1/decisions/{first['decision_id']}/replay", json={"ruleset": "original"},
                          headers=auditor).get_json()
    assert original["identical"] is True and original["ruleset_version"] == old_version
    assert funeral(original["replayed"]) == funeral(first)

    current = newer.post(f"/v1/decisions/{first['decision_id']}/replay", json={"ruleset": "current"},
                         headers=auditor).get_json()
    assert current["identical"] is False and current["ruleset_version"] == new_version
    assert funeral(current["replayed"]) == funeral(first) + FUNERAL_RAISE
    assert current["replayed"]["total_amount"] == first["total_amount"] + FUNERAL_RAISE
    changed = {d["field"]: d for d in current["differences"]}
    assert set(changed) == {"total_amount", "benefits.JKK_DEATH_FUNERAL"}
    assert changed["total_amount"]["replayed"] - changed["total_amount"]["original"] == FUNERAL_RAISE
    assert changed["benefits.JKK_DEATH_FUNERAL"]["original"]["amount"] == funeral(first)

    # the old app names the newer version explicitly: it is re-created from the files stored with decision 2
    explicit = client.post(f"/v1/decisions/{first['decision_id']}/replay", json={"ruleset": new_version},
                           headers=auditor).get_json()
    assert explicit["differences"] == current["differences"]


@pytest.mark.usefixtures("registry")
def test_a_window_replay_counts_what_a_new_ruleset_would_change(app: Flask, newer_app: Flask, client: FlaskClient,
                                                                auth: Any):
    first = decide(client, auth, death_claim(), "audit-key-1")
    newer = newer_app.test_client()
    decide(newer, auth, incapacity_claim(), "audit-key-2")
    today = dt.datetime.now(dt.UTC).date()
    window = {"from": (today - dt.timedelta(days=1)).isoformat(), "to": (today + dt.timedelta(days=1)).isoformat()}
    auditor = auth("auditor")

    response = newer.post("/v1/replays", json={**window, "ruleset": "current"}, headers=auditor)
    assert response.status_code == 200, response.get_json()
    summary = response.get_json()
    assert summary["ruleset"] == newer_app.extensions["rulesets"].current.version
    assert {k: summary[k] for k in ("checked", "identical", "changed_outcome", "changed_amount", "changed_other",
                                    "failed")} == {"checked": 2, "identical": 1, "changed_outcome": 0,
                                                   "changed_amount": 1, "changed_other": 0, "failed": 0}
    assert [c["decision_id"] for c in summary["changes"]] == [first["decision_id"]]
    assert {d["field"] for d in summary["changes"][0]["differences"]} == {"total_amount", "benefits.JKK_DEATH_FUNERAL"}

    own = newer.post("/v1/replays", json={**window, "ruleset": "original"}, headers=auditor).get_json()
    assert (own["checked"], own["identical"], own["changes"]) == (2, 2, [])

    older = newer.post("/v1/replays", json={**window, "ruleset": first["ruleset_version"]}, headers=auditor).get_json()
    # the funeral amount is all that differs, and only the death claim has one
    assert (older["checked"], older["identical"], older["changes"]) == (2, 2, [])

    claims_only = newer.post("/v1/replays", json={**window, "kind": "claim", "ruleset": "current"},
                             headers=auditor).get_json()
    assert claims_only["checked"] == 2
    for body in ({**window, "kind": "clearance", "ruleset": "current"},
                 {"from": "2020-01-01", "to": "2020-12-31", "ruleset": "current"}):
        assert newer.post("/v1/replays", json=body, headers=auditor).get_json()["checked"] == 0
    assert decision_count(app) == 2


@pytest.mark.parametrize(("body", "field"), [
    ({"to": "2024-01-31", "ruleset": "current"}, "from"),
    ({"from": "2024-01-01", "ruleset": "current"}, "to"),
    ({"from": "2024-01-01", "to": "2024-01-31"}, "ruleset"),
    ({"from": "2024-02-01", "to": "2024-01-31", "ruleset": "current"}, "to"),
    ({"from": "2024-01-01", "to": "2024-01-31", "ruleset": "latest"}, "ruleset"),
    ({"from": "2024-01-01", "to": "2024-01-31", "ruleset": "current", "kind": "permit"}, "kind"),
    ({"from": "2024-13-01", "to": "2024-01-31", "ruleset": "current"}, "from"),
])
def test_a_bad_window_names_the_field(client: FlaskClient, auth: Any, body: dict[str, Any], field: str):
    response = client.post("/v1/replays", json=body, headers=auth("auditor"))
    assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()


def test_a_window_with_an_unknown_version_is_a_404(client: FlaskClient, auth: Any):
    body = {"from": "2024-01-01", "to": "2024-01-31", "ruleset": UNKNOWN_VERSION}
    assert client.post("/v1/replays", json=body, headers=auth("auditor")).status_code == 404


# --- the hash chain ------------------------------------------------------------------------------------------

def verify(client: FlaskClient, auth: Any) -> dict[str, Any]:
    response = client.get("/v1/audit/verify", headers=auth("auditor"))
    assert response.status_code == 200
    return response.get_json()


def test_an_empty_chain_verifies(client: FlaskClient, auth: Any):
    assert verify(client, auth) == {"ok": True, "checked": 0, "first_broken": None, "reason": None,
                                    "checkpoints": 0, "checkpoints_matched": 0}


def _tamper_result(decision: Decision) -> dict[str, Any]:
    return {"result": {**decision.result, "total_amount": (decision.result.get("total_amount") or 0) + 1}}


def _tamper_facts(decision: Decision) -> dict[str, Any]:
    return {"facts": {**decision.facts, "wage": 99_000_000}}


def _tamper_link(_decision: Decision) -> dict[str, Any]:
    return {"prev_hash": "f" * 64}


def _tamper_and_rehash(decision: Decision) -> dict[str, Any]:
    # a forger who also recomputes the record's own hash is caught by the next record's link
    decision.facts = {**decision.facts, "wage": 99_000_000}
    content = chain.hashed_content(decision_log.record_content(decision))
    return {"facts": decision.facts, "hash": decision_log.record_hash(decision.prev_hash, content)}


@pytest.mark.parametrize(("tamper", "broken", "reason"), [
    (_tamper_result, 1, "its hash does not match its content"),
    (_tamper_facts, 1, "its hash does not match its content"),
    (_tamper_link, 1, "its prev_hash is not the previous record's hash"),
    (_tamper_and_rehash, 2, "its prev_hash is not the previous record's hash"),
])
@pytest.mark.usefixtures("registry")
def test_a_tampered_record_is_the_first_broken(app: Flask, client: FlaskClient, auth: Any, tamper: Any,
                                               broken: int, reason: str):
    ids = three_decisions(client, auth)
    before = verify(client, auth)
    assert (before["ok"], before["checked"], before["first_broken"], before["reason"]) == (True, 3, None, None)
    # the first decision of this app was signed; that checkpoint holds throughout
    assert (before["checkpoints"], before["checkpoints_matched"]) == (1, 1)
    with session_scope(app) as session:
        decision = session.get(Decision, ids[1])
        assert decision is not None
        values = tamper(decision)
        session.expunge(decision)
        # as an administrator could: the triggers refuse the service and anyone who leaves them on
        with append_only_lifted(session):
            session.execute(update(Decision).where(Decision.decision_id == ids[1]).values(values))
    after = verify(client, auth)
    assert (after["ok"], after["checked"], after["first_broken"]) == (False, broken, ids[broken])
    assert after["reason"] == f"record seq {broken + 1} (decision {ids[broken]}): {reason}"


@pytest.mark.parametrize("table", [Decision, Checkpoint, SigningKey])
@pytest.mark.usefixtures("registry")
def test_the_database_refuses_to_update_or_delete_the_log(app: Flask, client: FlaskClient, auth: Any,
                                                           table: Any):
    ids = three_decisions(client, auth)
    changes = {Decision: {"facts": {"wage": 1}}, Checkpoint: {"head_hash": "f" * 64},
               SigningKey: {"public_key": "forged"}}[table]
    for statement, verb in ((update(table).values(changes), "UPDATE"), (delete(table), "DELETE")):
        with pytest.raises(DBAPIError) as refused, session_scope(app) as session:
            session.execute(statement)
        message = str(refused.value.orig)
        assert f"{verb} on {table.__tablename__} refused: the table is append-only" in message, message
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(table)) > 0
    assert verify(client, auth)["ok"] is True
    assert decision_count(app) == len(ids)


# --- rulesets ------------------------------------------------------------------------------------------------

def test_the_current_ruleset_is_listed_before_any_decision(app: Flask, client: FlaskClient, auth: Any):
    listed = client.get("/v1/rulesets", headers=auth("auditor")).get_json()
    assert listed == [{"version": app.extensions["rulesets"].current.version, "first_loaded_at": None,
                       "current": True}]


@pytest.mark.usefixtures("registry")
def test_rulesets_list_every_stored_version_with_the_current_one_marked(app: Flask, newer_app: Flask,
                                                                        client: FlaskClient, auth: Any):
    decide(client, auth, death_claim(), "audit-key-1")
    decide(newer_app.test_client(), auth, incapacity_claim(), "audit-key-2")
    old, new = app.extensions["rulesets"].current.version, newer_app.extensions["rulesets"].current.version
    listed = newer_app.test_client().get("/v1/rulesets", headers=auth("auditor")).get_json()
    assert [(v["version"], v["current"]) for v in listed] == [(old, False), (new, True)]
    assert all(v["first_loaded_at"].endswith("Z") for v in listed)

    def funeral_values(version: str) -> list[Any]:
        body = client.get(f"/v1/rulesets/{version}", headers=auth("auditor")).get_json()
        (parameter,) = [p for p in body["parameters"] if p["name"] == "jkk.death.funeral"]
        return [v["value"] for v in parameter["values"]]

    assert [b - a for a, b in zip(funeral_values(old), funeral_values(new), strict=True)] == \
        [FUNERAL_RAISE] * len(funeral_values(old))


def test_a_ruleset_shows_each_rule_with_its_citation_and_validity(app: Flask, client: FlaskClient, auth: Any):
    version = app.extensions["rulesets"].current.version
    response = client.get(f"/v1/rulesets/{version}", headers=auth("auditor"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == version and body["current"] is True
    assert body["rules"] and len(body["rules"]) == len(app.extensions["rulesets"].current.rules)
    for rule in body["rules"]:
        assert rule["id"] and rule["citation"]["instrument"] and rule["citation"]["text"] and rule["condition"]
        assert dt.date.fromisoformat(rule["valid_from"])
        assert rule["valid_to"] is None or dt.date.fromisoformat(rule["valid_to"]) >= \
            dt.date.fromisoformat(rule["valid_from"])
    for parameter in body["parameters"]:
        assert all(v["reference"] for v in parameter["values"])
    # each condition in readable form, parameters named as such, dates offset in days
    by_id = {(r["id"], r["valid_from"]): r for r in body["rules"]}
    assert by_id[("JKK.EXPIRY.5Y", "2019-12-02")]["condition"] == (
        "claim_type = JKK and (segment is absent or segment in [PU, BPU, JAKON]) and claim_age_years > parameter "
        "jkk.claim_expiry_years")
    assert by_id[("JKK.LATE_REPORT", "2025-02-24")]["condition"] == (
        "claim_type = JKK and segment in [PU, JAKON] and reported_on > event_date + parameter jkk.stage1_report_days "
        "days")


@pytest.mark.usefixtures("registry")
def test_the_diff_of_two_rulesets_lists_what_changed(app: Flask, newer_app: Flask, client: FlaskClient, auth: Any):
    decide(client, auth, death_claim(), "audit-key-1")  # both versions are stored by deciding with them
    decide(newer_app.test_client(), auth, incapacity_claim(), "audit-key-2")
    old, new = app.extensions["rulesets"].current.version, newer_app.extensions["rulesets"].current.version
    response = client.get(f"/v1/rulesets/{old}/diff/{new}", headers=auth("auditor"))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["from"], body["to"], body["identical"]) == (old, new, False)
    assert body["rules"] == {"added": [], "removed": [], "changed": []}
    assert (body["parameters"]["added"], body["parameters"]["removed"]) == ([], [])
    (funeral,) = body["parameters"]["changed"]
    assert funeral["name"] == "jkk.death.funeral" and funeral["added"] == funeral["removed"] == []
    assert funeral["changed"] and all(
        [c["field"] for c in change["changes"]] == ["value"] and
        change["changes"][0]["new"] - change["changes"][0]["old"] == FUNERAL_RAISE for change in funeral["changed"])
    # the other way round, and with the current version named as such
    back = newer_app.test_client().get(f"/v1/rulesets/current/diff/{old}", headers=auth("auditor")).get_json()
    assert (back["from"], back["to"]) == (new, old)
    assert {c["changes"][0]["new"] - c["changes"][0]["old"] for c in back["parameters"]["changed"][0]["changed"]} \
        == {-FUNERAL_RAISE}
    same = client.get(f"/v1/rulesets/{old}/diff/current", headers=auth("auditor")).get_json()
    assert same["identical"] is True and same["parameters"]["changed"] == []


def test_a_diff_with_an_unknown_version_is_a_404_for_auditors_only(app: Flask, client: FlaskClient, auth: Any):
    current = app.extensions["rulesets"].current.version
    for path in (f"/v1/rulesets/{UNKNOWN_VERSION}/diff/{current}", f"/v1/rulesets/current/diff/{UNKNOWN_VERSION}"):
        response = client.get(path, headers=auth("auditor"))
        assert response.status_code == 404 and response.get_json()["message"] == f"No ruleset {UNKNOWN_VERSION}."
        assert client.get(path, headers=auth("officer")).status_code == 403


def test_an_unknown_ruleset_is_a_404(client: FlaskClient, auth: Any):
    response = client.get(f"/v1/rulesets/{UNKNOWN_VERSION}", headers=auth("auditor"))
    assert response.status_code == 404 and response.get_json()["code"] == 404


def test_the_audit_endpoints_are_in_the_openapi_document(client: FlaskClient, auth: Any):
    paths = client.get("/v1/openapi.json", headers=auth("auditor")).get_json()["paths"]
    expected = {("/v1/decisions/{decision_id}", "get"), ("/v1/decisions/{decision_id}/replay", "post"),
                ("/v1/replays", "post"), ("/v1/audit/verify", "get"), ("/v1/rulesets", "get"),
                ("/v1/rulesets/{version}", "get"), ("/v1/audit/checkpoints", "get"), ("/v1/audit/public-key", "get"),
                ("/v1/rulesets/{a}/diff/{b}", "get")}
    for path, method in expected:
        operation = paths[path][method]
        assert operation["security"] == [{"bearerAuth": []}] and "200" in operation["responses"], (path, method)
    assert "requestBody" in paths["/v1/replays"]["post"]
