"""Impact analysis: POST /v1/replays answered at once or run as a job, its progress, summary and changes.

Jobs run in huey's immediate mode here (the default when TESTING): the POST drives the job to its end before it
answers 202, so the tests are deterministic; tests/api/test_replay_consumer.py runs the real consumer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from adjudication import Ruleset
from adjudication.impact import StoredCase, Tally
from adjudication.replay import classify, differences, replay
from api import create_app, replay_jobs
from api.db import session_scope
from api.models import ReplayChange, ReplayChunk, ReplayJob
from api.replay_run import Window

from .conftest import (
    FUNERAL_RAISE,
    LOG_SIZE,
    StoreLog,
    bpu_inactive_at_once,
    changed_rules,
    raise_funeral,
    store_ruleset,
)

WINDOW = {"from": "2025-01-01", "to": "2025-12-31"}
UNKNOWN_VERSION = "sha256:" + "0" * 64
COUNTS = ("checked", "identical", "changed_outcome", "changed_amount", "changed_other", "failed", "skipped")


def post(client: FlaskClient, auth: Any, ruleset: str, **extra: Any) -> Any:
    response = client.post("/v1/replays", json={**WINDOW, "ruleset": ruleset, **extra}, headers=auth("auditor"))
    assert response.status_code in (200, 202), response.get_json()
    return response


def claim_type(entry: Any) -> str:
    return str(entry.inputs["claim"]["claim_type"])


def expected(entries: list[Any], ruleset: Ruleset) -> dict[str, Any]:
    """The summary worked out one decision at a time, without the job machinery."""
    counts: Counter[str] = Counter(checked=len(entries))
    transitions: Counter[str] = Counter()
    money: dict[str, list[int]] = {}
    for entry in entries:
        replayed = replay(ruleset, "claim", entry.facts, entry.inputs).to_dict()
        bucket = classify(differences(entry.result, replayed))
        counts[bucket] += 1
        if bucket == "changed_outcome":
            transitions[f"{entry.result['outcome']} -> {replayed['outcome']}"] += 1
        sums = money.setdefault(claim_type(entry), [0, 0, 0])
        sums[0] += 1
        sums[1] += entry.result["total_amount"]
        sums[2] += replayed["total_amount"]
    return {**{name: counts[name] for name in COUNTS if name != "skipped"},
            "transitions": dict(sorted(transitions.items())),
            "money": {t: {"decisions": n, "before": b, "after": a, "difference": a - b}
                      for t, (n, b, a) in sorted(money.items())}}


def summary_of(answer: dict[str, Any]) -> dict[str, Any]:
    # what a decision-by-decision replay gives; how many of them pruning spared is asserted where it matters
    return {name: answer[name] for name in (*COUNTS, "transitions", "money") if name != "skipped"}


# --- answered at once ----------------------------------------------------------------------------------------

def test_a_raised_funeral_changes_the_amount_of_every_approved_death_and_nothing_else(
        app: Flask, client: FlaskClient, auth: Any, store_log: StoreLog):
    entries = store_log(app, 400)
    funeral = store_ruleset(app, changed_rules(jkk=raise_funeral))
    answer = post(client, auth, funeral.version).get_json()

    deaths = [e for e in entries if any(b["code"] == "JKK_DEATH_FUNERAL" for b in e.result["benefits"])]
    assert deaths and all(e.result["outcome"] == "approved" for e in deaths)
    assert summary_of(answer) == expected(entries, funeral)
    assert (answer["checked"], answer["changed_amount"], answer["identical"]) == (400, len(deaths), 400 - len(deaths))
    assert answer["changed_outcome"] == answer["changed_other"] == answer["failed"] == 0
    # only approved JKK deaths can pay a funeral: every other decision was counted identical without a replay
    assert answer["skipped"] >= 400 - sum(1 for e in entries if claim_type(e) == "JKK")
    assert answer["transitions"] == {}
    stored = {t: sum(e.result["total_amount"] for e in entries if claim_type(e) == t) for t in ("JHT", "JKK", "JKM")}
    assert answer["money"]["JKK"]["difference"] == len(deaths) * FUNERAL_RAISE
    for claim in ("JHT", "JKK", "JKM"):
        assert answer["money"][claim]["before"] == stored[claim]
        assert answer["money"][claim]["decisions"] == sum(1 for e in entries if claim_type(e) == claim)
    assert answer["money"]["JKM"]["difference"] == answer["money"]["JHT"]["difference"] == 0
    assert [c["decision_id"] for c in answer["changes"]] == [e.decision_id for e in deaths]
    for change in answer["changes"]:
        assert {d["field"] for d in change["differences"]} == {"total_amount", "benefits.JKK_DEATH_FUNERAL"}
        assert change["total_after"] - change["total_before"] == FUNERAL_RAISE
        assert (change["bucket"], change["claim_type"], change["outcome_before"], change["outcome_after"]) == \
            ("changed_amount", "JKK", "approved", "approved")


def test_a_stricter_bpu_rule_rejects_approved_bpu_deaths_and_counts_the_money(
        app: Flask, client: FlaskClient, auth: Any, store_log: StoreLog):
    entries = store_log(app, 600)
    strict = store_ruleset(app, changed_rules(membership=bpu_inactive_at_once))
    answer = post(client, auth, strict.version).get_json()

    assert summary_of(answer) == expected(entries, strict)
    moved = [c for c in answer["changes"] if c["bucket"] == "changed_outcome"]
    assert moved and answer["transitions"].get("approved -> rejected", 0) >= 1
    assert sum(answer["transitions"].values()) == answer["changed_outcome"] == len(moved)
    for change in moved:
        entry = next(e for e in entries if e.decision_id == change["decision_id"])
        assert entry.inputs["participant"]["segment"] == "BPU"
        assert change["outcome_after"] == "rejected" and change["total_after"] == 0
    lost = sum(c["total_before"] for c in moved if c["outcome_before"] == "approved")
    by_type = {t: sum(c["total_before"] for c in moved if c["claim_type"] == t and c["outcome_before"] == "approved")
               for t in answer["money"]}
    assert lost > 0 and sum(by_type.values()) == lost
    for claim, entry in answer["money"].items():
        assert entry["difference"] == -by_type[claim]


def test_a_ruleset_this_service_cannot_decide_with_counts_each_decision_failed_with_why(
        app: Flask, client: FlaskClient, auth: Any, store_log: StoreLog):
    entries = store_log(app, 120)
    lacking = changed_rules(scholarship=lambda data: data.pop("age_limit_years"))
    broken = store_ruleset(app, lacking)
    answer = post(client, auth, broken.version).get_json()
    assert (answer["checked"], answer["failed"], answer["identical"]) == (120, 120, 0)
    assert answer["money"] == {} and answer["transitions"] == {}
    assert [c["decision_id"] for c in answer["changes"]] == [e.decision_id for e in entries]
    for change in answer["changes"]:
        assert change["bucket"] == "failed" and change["outcome_after"] is None and change["differences"] == []
        assert "scholarship.age_limit_years" in change["error"]


def test_the_original_ruleset_replays_every_decision_identically(app: Flask, client: FlaskClient, auth: Any,
                                                                 store_log: StoreLog):
    entries = store_log(app, 300)
    answer = post(client, auth, "original").get_json()
    assert (answer["checked"], answer["identical"], answer["changes"]) == (300, 300, [])
    for claim, entry in answer["money"].items():
        assert entry["before"] == entry["after"] == sum(e.result["total_amount"] for e in entries
                                                        if claim_type(e) == claim)


# --- a job ----------------------------------------------------------------------------------------------------

def test_a_large_window_runs_as_a_job_with_the_same_summary_and_pages_its_changes(
        app: Flask, job_app: Flask, auth: Any, store_log: StoreLog):
    store_log(app, LOG_SIZE)
    changed = store_ruleset(app, changed_rules(jkk=raise_funeral, membership=bpu_inactive_at_once))
    client = job_app.test_client()
    accepted = post(client, auth, changed.version)
    assert accepted.status_code == 202
    job_id = accepted.get_json()["job_id"]
    assert accepted.get_json()["status_url"] == accepted.headers["Location"] == f"/v1/replays/{job_id}"

    job = client.get(f"/v1/replays/{job_id}", headers=auth("auditor")).get_json()
    assert job["status"] == "done" and job["ruleset"] == changed.version and job["shard"] == "1/1"
    assert job["progress"]["checked"] == job["progress"]["total"] == LOG_SIZE
    assert job["progress"]["percent"] == 100.0 and job["progress"]["seconds_left"] == 0
    assert job["progress"]["rate_per_second"] > 0 and job["finished_at"] >= job["started_at"]
    with session_scope(app) as session:
        chunks = session.scalars(select(ReplayChunk).where(ReplayChunk.job_id == job_id)).all()
        assert len(chunks) == LOG_SIZE // 250 and all(c.done_at and c.attempt == 1 for c in chunks)

    # the same window answered at once by an app with a higher limit gives the same summary and changes
    at_once = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "TESTING": True, "REPLAY_INLINE_MAX": 10_000})
    try:
        inline = post(at_once.test_client(), auth, changed.version).get_json()
    finally:
        at_once.extensions["db_engine"].dispose()
    assert job["summary"] == {key: value for key, value in inline.items() if key != "changes"}
    assert job["summary"]["changed_outcome"] > 0 and job["summary"]["changed_amount"] > 0

    first = client.get(f"/v1/replays/{job_id}/changes?per_page=50", headers=auth("auditor")).get_json()
    assert (first["total"], first["page"], first["per_page"]) == (len(inline["changes"]), 1, 50)
    assert first["items"] == inline["changes"][:50]
    pages = -(-first["total"] // 50)
    last = client.get(f"/v1/replays/{job_id}/changes?per_page=50&page={pages}", headers=auth("auditor")).get_json()
    assert last["items"] == inline["changes"][(pages - 1) * 50:]
    beyond = client.get(f"/v1/replays/{job_id}/changes?per_page=50&page={pages + 1}", headers=auth("auditor"))
    assert beyond.status_code == 200 and beyond.get_json()["items"] == []
    # a page whose offset no database can take is refused, not a 500
    huge = client.get(f"/v1/replays/{job_id}/changes?page={2**63}", headers=auth("auditor"))
    assert huge.status_code == 422 and "page" in huge.get_json()["errors"]

    exported = client.get(f"/v1/replays/{job_id}/changes?format=csv", headers=auth("auditor"))
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert list(rows[0]) == list(replay_jobs.CSV_COLUMNS) and len(rows) == len(inline["changes"])
    for row, change in zip(rows, inline["changes"], strict=True):
        assert row["decision_id"] == change["decision_id"] and row["bucket"] == change["bucket"]
        assert row["outcome_before"] == change["outcome_before"] and row["outcome_after"] == change["outcome_after"]
        assert int(row["total_after"]) - int(row["total_before"]) == change["total_after"] - change["total_before"]
        assert row["changed_fields"].split(";") == [d["field"] for d in change["differences"]]


def test_an_empty_window_is_a_finished_job(job_app: Flask, auth: Any):
    client = job_app.test_client()
    small = create_app({"DATABASE_URL": job_app.config["DATABASE_URL"], "TESTING": True, "REPLAY_INLINE_MAX": -1})
    try:
        accepted = post(small.test_client(), auth, "original")
    finally:
        small.extensions["db_engine"].dispose()
    job = client.get(accepted.get_json()["status_url"], headers=auth("auditor")).get_json()
    assert job["status"] == "done" and job["progress"]["total"] == 0 and job["summary"]["checked"] == 0


@pytest.mark.parametrize("path", ["/v1/replays/no-such-job", "/v1/replays/no-such-job/changes",
                                  "/v1/replays/no-such-job/changes?format=csv"])
def test_an_unknown_job_is_a_404_in_the_envelope(client: FlaskClient, auth: Any, path: str):
    response = client.get(path, headers=auth("auditor"))
    assert response.status_code == 404 and response.get_json()["code"] == 404
    assert "no-such-job" in response.get_json()["message"]


@pytest.mark.parametrize(("query", "field"), [("page=0", "page"), ("per_page=1001", "per_page"),
                                               ("per_page=x", "per_page"), ("format=xml", "format")])
def test_a_bad_changes_query_names_the_field(job_app: Flask, auth: Any, store_log: StoreLog, query: str, field: str):
    store_log(job_app, 120)
    client = job_app.test_client()
    job_id = post(client, auth, "original").get_json()["job_id"]
    response = client.get(f"/v1/replays/{job_id}/changes?{query}", headers=auth("auditor"))
    assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()


def test_only_an_auditor_runs_or_reads_replays(job_app: Flask, auth: Any, store_log: StoreLog):
    store_log(job_app, 120)
    client = job_app.test_client()
    job_id = post(client, auth, "original").get_json()["job_id"]
    for role in ("officer", "licensing", "admin"):
        for response in (client.post("/v1/replays", json={**WINDOW, "ruleset": "original"}, headers=auth(role)),
                         client.get(f"/v1/replays/{job_id}", headers=auth(role)),
                         client.get(f"/v1/replays/{job_id}/changes", headers=auth(role))):
            assert response.status_code == 403 and response.get_json()["code"] == 403
    assert client.get(f"/v1/replays/{job_id}").status_code == 401


def test_a_job_for_an_unknown_version_is_refused_before_it_is_made(job_app: Flask, auth: Any, store_log: StoreLog):
    store_log(job_app, 120)
    response = job_app.test_client().post("/v1/replays", json={**WINDOW, "ruleset": UNKNOWN_VERSION},
                                          headers=auth("auditor"))
    assert response.status_code == 404 and UNKNOWN_VERSION in response.get_json()["message"]
    with session_scope(job_app) as session:
        assert session.scalars(select(ReplayJob)).all() == []


# --- each chunk counts once -----------------------------------------------------------------------------------

YEAR = Window(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def _job(app: Flask, ruleset: str = "original", size: int = 100) -> str:
    with session_scope(app) as session:
        return replay_jobs.create(session, YEAR, ruleset, "api", size).job_id


def test_a_chunk_of_a_dead_worker_on_this_host_is_claimed_again_at_once(job_app: Flask, store_log: StoreLog):
    store_log(job_app, 300)
    job_id = _job(job_app)
    me = replay_jobs.worker_name()
    with session_scope(job_app) as session:
        elsewhere, still_open = replay_jobs.claim(session, job_id, "elsewhere.example:1")
        assert elsewhere is not None and (elsewhere.number, elsewhere.attempt, still_open) == (0, 1, 3)
        dead = f"{me.rpartition(':')[0]}:999999999"  # this host, no such process
        chunk, _ = replay_jobs.claim(session, job_id, dead)
        assert chunk is not None and chunk.number == 1
    with session_scope(job_app) as session:
        # the dead process's chunk is free again; the other host's is not while its lease lasts
        again, _ = replay_jobs.claim(session, job_id, me)
        after, _ = replay_jobs.claim(session, job_id, me)
        assert again is not None and (again.number, again.attempt, again.claimed_by) == (1, 2, me)
        assert after is not None and (after.number, after.attempt) == (2, 1)
        none, still_open = replay_jobs.claim(session, job_id, me)
        assert none is None and still_open == 3


def test_a_worker_whose_chunk_was_taken_over_cannot_count_it_again(job_app: Flask, store_log: StoreLog):
    store_log(job_app, 300)
    job_id = _job(job_app)
    with session_scope(job_app) as session:
        slow, _ = replay_jobs.claim(session, job_id, "elsewhere.example:1")
        assert slow is not None
        # its lease ran out: another worker claims the chunk again
        session.execute(update(ReplayChunk).where(ReplayChunk.job_id == job_id, ReplayChunk.number == 0)
                        .values(claimed_at=slow.claimed_at - replay_jobs.LEASE * 2))
    assert replay_jobs.drive(job_app, job_id) == "done"
    with session_scope(job_app) as session:
        first = session.get(ReplayChunk, (job_id, 0))
        assert first is not None and first.attempt == 2 and first.claimed_by == replay_jobs.worker_name()
        # the slow worker comes back with its result: refused, nothing is added
        late = Tally()
        late.failed()
        assert replay_jobs._finish_chunk(session, slow, late, []) is False
    with session_scope(job_app) as session:
        job = session.get(ReplayJob, job_id)
        assert job is not None and job.summary is not None
        assert (job.summary["checked"], job.summary["identical"], job.summary["failed"]) == (300, 300, 0)
        assert session.scalars(select(ReplayChange)).all() == []


def test_a_pruning_predicate_counts_skipped_decisions_as_identical_without_evaluating_them(
        app: Flask, store_log: StoreLog):
    entries = store_log(app, 300)
    funeral = store_ruleset(app, changed_rules(jkk=raise_funeral))
    seen: list[tuple[str, str]] = []

    def skip_all_but_jkk(before: Ruleset, after: Ruleset) -> Any:
        seen.append((before.version, after.version))
        return lambda case: isinstance(case, StoredCase) and case.facts["claim_type"] != "JKK"

    with session_scope(app) as session:
        answer = replay_jobs.inline(session, app.extensions["rulesets"], YEAR, funeral.version, skip_all_but_jkk)
    others = [e for e in entries if claim_type(e) != "JKK"]
    assert seen == [(app.extensions["rulesets"].current.version, funeral.version)]  # computed once per pair
    assert answer["skipped"] == len(others) and answer["checked"] == 300
    full = expected(entries, funeral)
    assert {k: answer[k] for k in ("identical", "changed_amount", "money")} == \
        {k: full[k] for k in ("identical", "changed_amount", "money")}
