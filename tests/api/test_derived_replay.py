"""Facts are derived under the ruleset that decides: a replay with another ruleset derives them again.

A ruleset that moves the PU contribution due day (a parameter the derivation reads, not a rule condition) is
replayed over stored claims: exactly the decisions whose contribution status depends on that day change, and
the original ruleset still reproduces every decision, including a record in the old format (facts only).
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
from sqlalchemy import select, update

from adjudication import chain, load_ruleset_from_files
from api import create_app, decision_log
from api.db import session_scope
from api.models import ChainHead, DecisionRecord

from . import samples
from .test_audit import RULES_DIR

DOCUMENTS = ["kpj_card", "ktp", "doctor_statement", "stage1_report_form", "stage2_report_form",
             "attendance_record"]


def claim(day: str) -> dict[str, Any]:
    """A workplace accident with a month unfit for work."""
    filed = (dt.date.fromisoformat(day) + dt.timedelta(days=5)).isoformat()
    return {"claim_type": "JKK", "kpj": samples.KPJ_PU, "filed_on": filed,
            "incident": {"date": day, "kind": "workplace", "reported_on": day,
                         "outcome": {"type": "temporary_incapacity", "incapacity_months": 1}},
            "documents": DOCUMENTS}


def decide(client: FlaskClient, auth: Any, body: dict[str, Any]) -> dict[str, Any]:
    key = f"derived-{body['incident']['date']}"
    response = client.post("/v1/claims", json=body, headers={**auth("officer"), "Idempotency-Key": key})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["decision"]


@pytest.fixture
def arrears(client: FlaskClient, auth: Any) -> None:
    """Employer paid July to September 2023 and nothing from October: January 2024 is due 15 February."""
    admin = auth("admin")
    assert client.put(f"/v1/employers/{samples.NPP}", json=samples.employer(), headers=admin).status_code == 200
    assert client.put(f"/v1/participants/{samples.KPJ_PU}", json=samples.participant_pu(),
                      headers=admin).status_code == 200
    items = [samples.contribution(period=f"2023-{m:02d}", paid_on=f"2023-{m + 1:02d}-10") for m in (7, 8, 9)]
    items += [samples.contribution(period=p, amount_paid=0, paid_on=None)
              for p in ("2023-10", "2023-11", "2023-12", "2024-01")]
    assert client.post("/v1/contributions", json={"items": items}, headers=admin).status_code == 200


def move_pu_due_day(rules: Path, day: int) -> None:
    """In a copy of the rules, PU months (outside PP 49/2020's) fall due on ``day`` of the following month."""
    path = rules / "parameters" / "membership.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in data["contribution_due"]["pu"]["day"]["values"].values():
        if entry["value"] == 15:
            entry["value"] = day
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def later_due_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on the same database whose rules make PU contributions due on the 20th."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    move_pu_due_day(rules, 20)
    application = create_app({"DATABASE_URL": database_url, "TESTING": True, "RULES_DIR": str(rules)})
    yield application
    application.extensions["db_engine"].dispose()


def append_format_1(app: Flask, source_id: str) -> str:
    """Append, as the service did before records kept their inputs, a copy of a decision with its facts only."""
    with session_scope(app) as session:
        source = session.get(DecisionRecord, source_id)
        assert source is not None
        head = session.scalar(select(ChainHead).where(ChainHead.id == 1))
        assert head is not None
        record = {"decision_id": "old-format-1", "seq": head.seq + 1, "kind": source.kind,
                  "subject": "old-claim", "ruleset_version": source.ruleset_version, "facts": source.facts,
                  "result": source.result, "decided_at": "2024-03-01T00:00:00.000000Z", "prev_hash": head.hash}
        record["hash"] = chain.record_hash(head.hash, chain.hashed_content(record))
        session.add(DecisionRecord(**{**record, "format": 1,
                                      "decided_at": dt.datetime(2024, 3, 1, tzinfo=dt.UTC)}))
        session.execute(update(ChainHead).where(ChainHead.id == 1).values(seq=record["seq"], hash=record["hash"]))
    return "old-format-1"


@pytest.mark.usefixtures("arrears")
def test_moving_the_pu_due_day_changes_exactly_the_decisions_it_touches(app: Flask, later_due_app: Flask,
                                                                        client: FlaskClient, auth: Any) -> None:
    before = decide(client, auth, claim("2024-02-10"))  # January not due yet under either rule: 3 months
    edge = decide(client, auth, claim("2024-02-16"))  # 4 months overdue by the 15th, 3 by the 20th
    after = decide(client, auth, claim("2024-02-25"))  # 4 months under either rule
    assert (before["liability"], edge["liability"], after["liability"]) == ("bpjs", "employer", "employer")
    old = append_format_1(app, edge["decision_id"])
    # the later-due ruleset decides once, so its version is stored and can be named
    newer = later_due_app.test_client()
    assert decide(newer, auth, claim("2024-02-17"))["liability"] == "bpjs"

    today = dt.datetime.now(dt.UTC).date()
    window = {"from": "2024-01-01", "to": (today + dt.timedelta(days=1)).isoformat()}
    auditor = auth("auditor")
    version = later_due_app.extensions["rulesets"].current.version
    summary = client.post("/v1/replays", json={**window, "ruleset": version}, headers=auditor).get_json()
    assert summary["checked"] == 5 and summary["failed"] == 0
    # the edge claim derives 3 overdue months now: BPJS pays and the arrears reason goes; the old-format record
    # holds no inputs, only its facts as first derived, so a new derivation rule cannot reach it
    assert [c["decision_id"] for c in summary["changes"]] == [edge["decision_id"]]
    fields = {d["field"]: d for d in summary["changes"][0]["differences"]}
    assert fields["liability"]["original"] == "employer" and fields["liability"]["replayed"] == "bpjs"
    assert "GENERAL.EMPLOYER_ARREARS" not in fields["rules_fired"]["replayed"]

    own = client.post("/v1/replays", json={**window, "ruleset": "original"}, headers=auditor).get_json()
    assert (own["checked"], own["identical"], own["changes"]) == (5, 5, [])
    for decision_id in (before["decision_id"], edge["decision_id"], after["decision_id"], old):
        replay = client.post(f"/v1/decisions/{decision_id}/replay", json={"ruleset": "original"},
                             headers=auditor).get_json()
        assert replay["identical"] is True, replay["differences"]
    assert client.get("/v1/audit/verify", headers=auditor).get_json()["ok"] is True


@pytest.mark.usefixtures("arrears")
def test_a_replay_derives_its_facts_from_the_stored_inputs_not_the_registry(app: Flask, client: FlaskClient,
                                                                            auth: Any) -> None:
    edge = decide(client, auth, claim("2024-02-16"))
    # the employer pays its arrears afterwards: the stored decision was about the registry as it was then
    paid = [samples.contribution(period=p, paid_on="2024-03-01") for p in ("2023-10", "2023-11", "2023-12",
                                                                           "2024-01")]
    assert client.post("/v1/contributions", json={"items": paid}, headers=auth("admin")).status_code == 200
    replay = client.post(f"/v1/decisions/{edge['decision_id']}/replay", json={"ruleset": "current"},
                         headers=auth("auditor")).get_json()
    assert replay["identical"] is True and replay["replayed"]["liability"] == "employer"
    record = client.get(f"/v1/decisions/{edge['decision_id']}", headers=auth("auditor")).get_json()
    assert [row[0] for row in record["inputs"]["contributions"]] == [
        "2023-07", "2023-08", "2023-09", "2023-10", "2023-11", "2023-12", "2024-01"]
    assert record["facts"]["contribution_overdue_months"] == 4


@pytest.mark.usefixtures("arrears")
def test_a_decision_under_a_ruleset_older_than_a_derivation_parameter_replays_from_its_facts(
        app: Flask, client: FlaskClient, auth: Any) -> None:
    """A ruleset stored before the derivation read scholarship.age_limit_years: re-deriving under it is impossible,
    so its own replay evaluates the facts it derived then; another ruleset still derives again."""
    decided = decide(client, auth, claim("2024-02-16"))
    rulesets = app.extensions["rulesets"]
    files = dict(rulesets.current.files)
    data = yaml.safe_load(files["parameters/scholarship.yaml"])
    del data["age_limit_years"]
    files["parameters/scholarship.yaml"] = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    older = load_ruleset_from_files(files)
    with session_scope(app) as session:
        source = session.get(DecisionRecord, decided["decision_id"])
        assert source is not None
        rulesets.ensure_stored(session, older)
        entry = decision_log.Entry("claim", "older-claim", older.version, source.facts,
                                   {**source.result, "ruleset_version": older.version}, inputs=source.inputs)
        with app.test_request_context():
            old_id = decision_log.append(session, entry).decision_id
    auditor = auth("auditor")
    own = client.post(f"/v1/decisions/{old_id}/replay", json={"ruleset": "original"}, headers=auditor).get_json()
    assert own["identical"] is True and own["ruleset_version"] == older.version
    current = client.post(f"/v1/decisions/{old_id}/replay", json={"ruleset": "current"}, headers=auditor).get_json()
    assert current["identical"] is True  # the current ruleset has the parameter: it derives again
    named = client.post(f"/v1/decisions/{decided['decision_id']}/replay", json={"ruleset": older.version},
                        headers=auditor)
    assert named.status_code == 409 and "scholarship.age_limit_years" in named.get_json()["message"]
