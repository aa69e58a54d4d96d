"""Signed checkpoints: when the service signs, what it serves, the key, the export, and the administrator's rewrite.

The scenario the checkpoints exist for is the last test: a decision rewritten with every later hash recomputed
and the log's own checkpoints re-signed passes ``GET /v1/audit/verify``, and fails the offline verifier given a
checkpoint the auditor saved before.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from adjudication import chain
from adjudication.signing import Signer, load_public_pem, signature_valid, write_private_key
from adjudication.verify import main as verify_main
from api import create_app, decision_log
from api.checkpoints import CHECKPOINTER, Checkpointer
from api.db import session_scope
from api.models import ChainHead, Checkpoint, DecisionRecord

from . import samples
from .admin import append_only_lifted
from .test_audit import death_claim, decide, incapacity_claim, three_decisions


def checkpoints(client: FlaskClient, auth: Any, **query: Any) -> list[dict[str, Any]]:
    response = client.get("/v1/audit/checkpoints", query_string=query, headers=auth("auditor"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def record(client: FlaskClient, auth: Any, decision_id: str) -> dict[str, Any]:
    return client.get(f"/v1/decisions/{decision_id}", headers=auth("auditor")).get_json()


def append(app: Flask, count: int, decided_at: dt.datetime | None = None) -> list[int]:
    """Append ``count`` decisions in one batch, as the service does, and commit; returns their seqs."""
    ruleset = app.extensions["rulesets"].current
    with session_scope(app) as session:
        app.extensions["rulesets"].ensure_stored(session, ruleset)
        entries = [decision_log.Entry("clearance", f"NIB{n}", ruleset.version, {"n": n}, {"status": "clear"},
                                      decided_at=decided_at) for n in range(count)]
        return [r.seq for r in decision_log.append_many(session, entries)]


def signed_seqs(app: Flask) -> list[int]:
    with session_scope(app) as session:
        return list(session.scalars(select(Checkpoint.seq).order_by(Checkpoint.seq)))


@pytest.fixture
def every_append(database_url: str) -> Iterator[Flask]:
    """An app that signs at every append (AUDIT_CHECKPOINT_SECONDS=0)."""
    application = create_app({"DATABASE_URL": database_url, "TESTING": True, "AUDIT_CHECKPOINT_SECONDS": 0})
    yield application
    application.extensions["db_engine"].dispose()


# --- when the service signs ----------------------------------------------------------------------------------

def test_the_first_decision_is_signed_and_its_checkpoint_verifies(client: FlaskClient, auth: Any):
    samples.store_paid_up_worker(client, auth)
    decision = decide(client, auth, death_claim(), "cp-key-1")
    listed = checkpoints(client, auth)
    assert len(listed) == 1
    (checkpoint,) = listed
    assert checkpoint["seq"] == 1 and checkpoint["head_hash"] == record(client, auth, decision["decision_id"])["hash"]
    key = client.get("/v1/audit/public-key", headers=auth("auditor")).get_json()
    assert key["current"] is True and key["algorithm"] == "Ed25519" == checkpoint["algorithm"]
    assert key["key_id"] == checkpoint["key_id"] and key["public_key"] == checkpoint["public_key"]
    assert key["public_key"].startswith("-----BEGIN PUBLIC KEY-----")
    assert signature_valid(load_public_pem(key["public_key"]), checkpoint)
    assert not signature_valid(load_public_pem(key["public_key"]), {**checkpoint, "seq": 2})
    # within the minute no second checkpoint: the next decisions are linked, signed at the next checkpoint
    decide(client, auth, incapacity_claim(), "cp-key-2")
    assert [c["seq"] for c in checkpoints(client, auth)] == [1]


def test_every_thousandth_record_is_signed_and_the_timer_signs_the_head(app: Flask):
    checkpointer: Checkpointer = app.extensions[CHECKPOINTER]
    assert append(app, 1001) == list(range(1, 1002))
    # the 1000th record, and the batch's last because this process had not signed yet
    assert signed_seqs(app) == [1000, 1001]
    append(app, 5)
    assert signed_seqs(app) == [1000, 1001]  # neither a multiple of 1,000 nor a minute
    append(app, 1000)  # 1007..2006 crosses 2000 in the middle of the batch
    assert signed_seqs(app) == [1000, 1001, 2000]
    checkpointer.last_signed -= 61  # a minute passes
    append(app, 1)
    assert signed_seqs(app) == [1000, 1001, 2000, 2007]
    with session_scope(app) as session:
        heads = dict(session.execute(select(DecisionRecord.seq, DecisionRecord.hash)
                                     .where(DecisionRecord.seq.in_([1000, 2000, 2007]))).all())
        signed = dict(session.execute(select(Checkpoint.seq, Checkpoint.head_hash)).all())
    assert all(signed[seq] == heads[seq] for seq in heads)


def test_the_check_on_each_append_is_two_comparisons(app: Flask):
    checkpointer: Checkpointer = app.extensions[CHECKPOINTER]
    checkpointer.last_signed = float("inf")  # pretend this process just signed
    assert not checkpointer.due(1, 999) and not checkpointer.due(1001, 1999)
    assert checkpointer.due(999, 1000) and checkpointer.due(1000, 1000) and checkpointer.due(1500, 2600)
    checkpointer.last_signed = -float("inf")
    assert checkpointer.due(5, 5)


def test_a_rolled_back_append_leaves_no_checkpoint_and_the_next_one_signs(app: Flask):
    ruleset = app.extensions["rulesets"].current
    with session_scope(app) as session:
        app.extensions["rulesets"].ensure_stored(session, ruleset)
    session = app.extensions["db_sessionmaker"]()
    try:
        decision_log.append(session, decision_log.Entry("clearance", "NIB", ruleset.version, {}, {}))
        session.rollback()
    finally:
        session.close()
    assert signed_seqs(app) == []
    assert append(app, 1) == [1] and signed_seqs(app) == [1]


# --- the list and the keys -----------------------------------------------------------------------------------

def test_checkpoints_are_listed_newest_first_in_pages(every_append: Flask, auth: Any):
    append(every_append, 1)
    append(every_append, 1)
    append(every_append, 1)
    client = every_append.test_client()
    assert [c["seq"] for c in checkpoints(client, auth)] == [3, 2, 1]
    assert [c["seq"] for c in checkpoints(client, auth, limit=2)] == [3, 2]
    assert [c["seq"] for c in checkpoints(client, auth, before=2)] == [1]
    for query, field in (({"limit": 0}, "limit"), ({"limit": 1001}, "limit"), ({"before": "x"}, "before"),
                         ({"before": 0}, "before")):
        response = client.get("/v1/audit/checkpoints", query_string=query, headers=auth("auditor"))
        assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()
    for role in ("officer", "licensing", "admin"):
        assert client.get("/v1/audit/checkpoints", headers=auth(role)).status_code == 403
        assert client.get("/v1/audit/public-key", headers=auth(role)).status_code == 403


def test_a_rotated_key_stays_verifiable(database_url: str, app: Flask, auth: Any, tmp_path: Path):
    append(app, 1)
    first_key = app.extensions[CHECKPOINTER].signer
    new_key = tmp_path / "new.pem"
    write_private_key(new_key)
    rotated = create_app({"DATABASE_URL": database_url, "TESTING": True, "AUDIT_SIGNING_KEY": str(new_key)})
    try:
        append(rotated, 1)
        client = rotated.test_client()
        listed = checkpoints(client, auth)
        assert [(c["seq"], c["key_id"]) for c in listed] == [(2, Signer(new_key).key_id), (1, first_key.key_id)]
        assert all(signature_valid(load_public_pem(c["public_key"]), c) for c in listed)
        current = client.get("/v1/audit/public-key", headers=auth("auditor")).get_json()
        assert (current["key_id"], current["current"]) == (Signer(new_key).key_id, True)
        older = client.get("/v1/audit/public-key", query_string={"key_id": first_key.key_id},
                           headers=auth("auditor")).get_json()
        assert older == {"key_id": first_key.key_id, "algorithm": "Ed25519", "public_key": first_key.public_pem,
                         "current": False}
        unknown = client.get("/v1/audit/public-key", query_string={"key_id": "0" * 64}, headers=auth("auditor"))
        assert unknown.status_code == 404 and "0" * 64 in unknown.get_json()["message"]
        bad = client.get("/v1/audit/public-key", query_string={"key_id": "XYZ"}, headers=auth("auditor"))
        assert bad.status_code == 422 and "key_id" in bad.get_json()["errors"]
        assert client.get("/v1/audit/verify", headers=auth("auditor")).get_json()["checkpoints_matched"] == 2
    finally:
        rotated.extensions["db_engine"].dispose()


def test_without_a_key_the_service_decides_and_says_it_signs_nothing(database_url: str, auth: Any, tmp_path: Path):
    unsigned = create_app({"DATABASE_URL": database_url, "TESTING": True,
                           "AUDIT_SIGNING_KEY": str(tmp_path / "absent.pem")})
    try:
        assert unsigned.extensions[CHECKPOINTER] is None
        append(unsigned, 2)
        client = unsigned.test_client()
        assert checkpoints(client, auth) == []
        response = client.get("/v1/audit/public-key", headers=auth("auditor"))
        assert response.status_code == 404
        assert response.get_json()["message"] == "The service has no signing key: checkpoints are not being signed."
    finally:
        unsigned.extensions["db_engine"].dispose()


def test_a_key_file_that_is_not_a_key_stops_the_service(database_url: str, tmp_path: Path):
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    with pytest.raises(RuntimeError, match=f"AUDIT_SIGNING_KEY {bad}: not a readable Ed25519 private key"):
        create_app({"DATABASE_URL": database_url, "TESTING": True, "AUDIT_SIGNING_KEY": str(bad)})


def test_keygen_creates_a_private_key_once_and_rotates_on_request(database_url: str, tmp_path: Path):
    path = tmp_path / "instance" / "audit-signing-key.pem"
    application = create_app({"DATABASE_URL": database_url, "TESTING": True, "AUDIT_SIGNING_KEY": str(path)})
    try:
        runner = application.test_cli_runner()
        created = runner.invoke(args=["audit", "keygen"])
        assert created.exit_code == 0, created.output
        key_id = Signer(path).key_id
        assert f"key id {key_id}" in created.output and stat.S_IMODE(os.stat(path).st_mode) == 0o600
        again = runner.invoke(args=["audit", "keygen"])
        assert again.exit_code == 0 and f"exists (key id {key_id})" in again.output
        assert Signer(path).key_id == key_id
        rotated = runner.invoke(args=["audit", "keygen", "--rotate"])
        assert rotated.exit_code == 0 and Signer(path).key_id != key_id
        assert Signer(path.with_name(f"{path.name}.{key_id[:16]}.retired")).key_id == key_id
    finally:
        application.extensions["db_engine"].dispose()


# --- export and the offline verifier --------------------------------------------------------------------------

def export(app: Flask, path: Path, *window: str) -> dict[str, Any]:
    """``flask audit export`` into ``path``; returns the header line."""
    result = app.test_cli_runner().invoke(args=["audit", "export", *window, str(path)])
    assert result.exit_code == 0, result.output
    header = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert f"wrote {header['records']} records" in result.output
    return header


def run_verifier(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    status = verify_main([*args, "--json"])
    return status, json.loads(capsys.readouterr().out)


def test_a_window_exports_with_the_checkpoints_around_it_and_verifies(every_append: Flask, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]):
    for day in (1, 2, 3):
        append(every_append, 2, dt.datetime(2024, 1, day, 9, tzinfo=dt.UTC))
    header = export(every_append, tmp_path / "day2.jsonl", "--from", "2024-01-02", "--to", "2024-01-02")
    assert (header["first_seq"], header["last_seq"], header["records"]) == (3, 4, 2)
    lines = [json.loads(line) for line in (tmp_path / "day2.jsonl").read_text().splitlines()]
    assert [(line["type"], line.get("seq")) for line in lines[1:]] == [
        ("checkpoint", 2), ("checkpoint", 4), ("record", 3), ("record", 4)]
    status, report = run_verifier(capsys, str(tmp_path / "day2.jsonl"))
    assert status == 0 and report["ok"] and report["checkpoints_matched"] == 2
    # the checkpoint at seq 2 pins the window's first link: nothing is taken on trust
    assert not any("on trust" in note for note in report["notes"])

    whole = export(every_append, tmp_path / "all.jsonl")
    assert (whole["first_seq"], whole["last_seq"], whole["checkpoints"]) == (1, 6, 3)
    empty = export(every_append, tmp_path / "none.jsonl", "--from", "2020-01-01", "--to", "2020-01-31")
    assert (empty["records"], empty["checkpoints"]) == (0, 0)
    assert run_verifier(capsys, str(tmp_path / "none.jsonl"))[0] == 0
    refused = every_append.test_cli_runner().invoke(args=["audit", "export", "--from", "2024-02-01", "--to",
                                                          "2024-01-01", str(tmp_path / "x.jsonl")])
    assert refused.exit_code == 2 and "--to must not be before --from" in refused.output


def _rewrite(app: Flask, decision_id: str, resign: bool) -> None:
    """What an administrator with the database and the key file can do: rewrite a decision, recompute every
    later hash and the chain head, and (``resign``) re-sign the log's own checkpoints."""
    checkpointer: Checkpointer = app.extensions[CHECKPOINTER]
    with session_scope(app) as session, append_only_lifted(session):
        target = session.get(DecisionRecord, decision_id)
        assert target is not None
        prev = target.prev_hash
        later = session.scalars(select(DecisionRecord).where(DecisionRecord.seq >= target.seq)
                                .order_by(DecisionRecord.seq)).all()
        for row in later:
            content = decision_log.record_content(row)
            if row.decision_id == decision_id:
                content["result"] = {**content["result"], "outcome": "rejected", "total_amount": 0}
            content["prev_hash"] = prev
            new_hash = chain.record_hash(prev, chain.hashed_content(content))
            session.execute(update(DecisionRecord).where(DecisionRecord.decision_id == row.decision_id)
                            .values(result=content["result"], prev_hash=prev, hash=new_hash))
            if resign:
                signed = session.get(Checkpoint, row.seq)
                if signed is not None:
                    body = {"seq": row.seq, "head_hash": new_hash, "signed_at": decision_log.utc_iso(signed.signed_at),
                            "key_id": signed.key_id}
                    session.execute(update(Checkpoint).where(Checkpoint.seq == row.seq)
                                    .values(head_hash=new_hash, signature=checkpointer.signer.sign(body)))
            prev = new_hash
        session.execute(update(ChainHead).values(hash=prev))


def test_a_rewrite_with_every_hash_recomputed_is_caught_by_a_checkpoint_saved_before(
        every_append: Flask, auth: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    client = every_append.test_client()
    samples.store_paid_up_worker(client, auth)
    ids = three_decisions(client, auth)
    # the auditor keeps the checkpoints and the public key as they are today
    saved, key = tmp_path / "saved.json", tmp_path / "key.pem"
    saved.write_text(json.dumps(checkpoints(client, auth)))
    key.write_text(client.get("/v1/audit/public-key", headers=auth("auditor")).get_json()["public_key"])
    export(every_append, tmp_path / "before.jsonl")
    status, report = run_verifier(capsys, str(tmp_path / "before.jsonl"), "--checkpoint", str(saved),
                                  "--public-key", str(key))
    assert status == 0 and (report["pinned"], report["pinned_matched"], report["checked"]) == (3, 3, 3)

    _rewrite(every_append, ids[1], resign=True)
    # the database is consistent again: the service's own check passes
    verified = client.get("/v1/audit/verify", headers=auth("auditor")).get_json()
    assert verified["ok"] is True and verified["checkpoints_matched"] == 3
    assert record(client, auth, ids[1])["result"]["outcome"] == "rejected"
    export(every_append, tmp_path / "after.jsonl")
    assert run_verifier(capsys, str(tmp_path / "after.jsonl"), "--public-key", str(key))[0] == 0
    # the checkpoint saved before is not fooled, and names the record
    status, report = run_verifier(capsys, str(tmp_path / "after.jsonl"), "--checkpoint", str(saved),
                                  "--public-key", str(key))
    assert status == 1 and report["ok"] is False
    assert (report["first_bad"]["seq"], report["first_bad"]["decision_id"]) == (2, ids[1])
    assert report["first_bad"]["reason"].startswith("its hash differs from the head hash the saved checkpoint seq 2")
    assert report["first_bad"]["reason"].endswith("the log was rewritten after seq 1")
    assert report["checked"] == 1
    assert verify_main([str(tmp_path / "after.jsonl"), "--checkpoint", str(saved)]) == 1
    assert f"FAIL  record seq 2 (decision {ids[1]})" in capsys.readouterr().out


def test_a_rewrite_that_is_not_re_signed_fails_the_service_check(every_append: Flask, auth: Any):
    client = every_append.test_client()
    samples.store_paid_up_worker(client, auth)
    ids = three_decisions(client, auth)
    _rewrite(every_append, ids[1], resign=False)
    verified = client.get("/v1/audit/verify", headers=auth("auditor")).get_json()
    assert (verified["ok"], verified["checked"], verified["first_broken"]) == (False, 1, ids[1])
    assert verified["reason"].startswith(f"record seq 2 (decision {ids[1]}): its hash differs from the head hash "
                                         "checkpoint seq 2")
    with session_scope(every_append) as session:
        assert session.scalar(select(func.count()).select_from(Checkpoint)) == 3
