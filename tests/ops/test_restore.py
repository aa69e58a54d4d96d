"""The restore drill of docs/operations.md, on both databases: back up while the service decides under load (pg_dump
-Fc; ``flask --app wsgi db backup`` on SQLite), restore into a fresh database, and the restored database serves: the
chain verifies, its log is a prefix of the live one, replays with the original ruleset are identical, the
append-only triggers came along, and a new claim is decided and chained onto it."""

from __future__ import annotations

import json
import subprocess
import time
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError

from api import create_app
from api.models import DecisionRecord
from bench.common import BIN, ROOT
from bench.load_plan import claim_body
from bench.service import Service

from .conftest import Demo
from .harness import Journal, assert_whole, under_load, wait_for


def records(url: str) -> dict[int, str]:
    """seq -> hash of every record in the database at ``url``."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {row.seq: row.hash for row in connection.execute(select(DecisionRecord.seq, DecisionRecord.hash))}
    finally:
        engine.dispose()


def test_restore_drill(demo: Demo):
    backup = demo.work / ("backup.sqlite3" if demo.backend == "sqlite" else "backup.dump")

    def back_up(service: Service, journal: Journal) -> dict[str, Any]:
        assert wait_for(lambda: len(journal()) >= 60, 20), "the load did not start"
        started = time.monotonic()
        if demo.cluster is None:
            subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "backup", str(backup)], cwd=ROOT,
                           env=demo.env, check=True, capture_output=True)
        else:
            demo.cluster.client("pg_dump", "-Fc", "-f", str(backup), demo.url.rsplit("/", 1)[1])
        finished = time.time()
        # the service went on deciding after the copy was taken
        assert wait_for(lambda: any(e.get("at", 0) > finished and e.get("decisions") for e in journal()), 15)
        return {"backup_s": round(time.monotonic() - started, 2)}

    run = under_load(demo, 20, back_up)
    assert_whole(run)  # the backup disturbed nothing

    if demo.cluster is None:
        restored_url = f"sqlite:///{backup}"
    else:
        demo.cluster.sql("CREATE DATABASE restored")
        demo.cluster.client("pg_restore", "--exit-on-error", "-d", "restored", str(backup))
        restored_url = demo.cluster.url("restored")

    live, restored = records(demo.url), records(restored_url)
    # a snapshot taken mid-load: a prefix of the live log, taken while decisions were being appended
    assert 0 < len(restored) < len(live)
    assert all(live[seq] == digest for seq, digest in restored.items())

    app = create_app({"DATABASE_URL": restored_url, "TESTING": True})
    client = app.test_client()
    auditor = {"Authorization": f"Bearer {demo.tokens['auditor']}"}
    verified = client.get("/v1/audit/verify", headers=auditor).get_json()
    assert verified["ok"] and verified["checked"] == len(restored) and verified["checkpoints_matched"] > 0
    with app.extensions["db_sessionmaker"]() as session:
        newest = {kind: session.scalar(select(DecisionRecord.decision_id).where(DecisionRecord.kind == kind)
                                       .order_by(DecisionRecord.seq.desc()).limit(1))
                  for kind in ("claim", "clearance")}
    for decision_id in newest.values():
        replayed = client.post(f"/v1/decisions/{decision_id}/replay", json={"ruleset": "original"},
                               headers=auditor).get_json()
        assert replayed["identical"] and replayed["differences"] == [], replayed
    checked = app.test_cli_runner().invoke(args=["db", "check", "--replays", "50"])
    assert checked.exit_code == 0, checked.output

    # the append-only triggers came along: the restored log refuses to be rewritten
    with pytest.raises(DBAPIError), app.extensions["db_engine"].begin() as connection:
        connection.execute(text("UPDATE decisions SET kind = kind WHERE seq = 1"))

    # and the restored database serves: a new claim is decided and chained onto the restored head
    officer = {"Authorization": f"Bearer {demo.tokens['officer']}", "Idempotency-Key": "after-restore-1"}
    people = json.loads((demo.registry / "participants.json").read_text())
    plan = {"kpjs": [p["kpj"] for p in people], "first_day": "2024-06-01"}  # before any load run's events
    answer = client.post("/v1/claims", json=claim_body(plan, 0), headers=officer)
    assert answer.status_code == 201, answer.get_json()
    after = client.get("/v1/audit/verify", headers=auditor).get_json()
    assert after["ok"] and after["checked"] == len(restored) + 1
    app.extensions["db_engine"].dispose()
