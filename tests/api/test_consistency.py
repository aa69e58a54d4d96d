"""``flask --app wsgi db check`` finds a database whole or names what is wrong; ``db backup`` copies SQLite online."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete

from api import create_app
from api.db import session_scope
from api.models import Claim
from tests.conftest import PG_URL

from . import samples
from .test_claims import jkk_claim, post


def decide_three(client: FlaskClient, auth: Any) -> list[str]:
    samples.store_paid_up_worker(client, auth)
    ids = []
    for day in ("2024-06-10", "2024-06-11", "2024-06-12"):
        body = jkk_claim(incident={**jkk_claim()["incident"], "date": day, "reported_on": day})
        answer = post(client, auth, body, key=f"check-key-{day}")
        assert answer.status_code == 201
        ids.append(answer.get_json()["claim_id"])
    return ids


def db_check(app: Flask) -> tuple[int, dict[str, Any]]:
    result = app.test_cli_runner().invoke(args=["db", "check", "--replays", "5"])
    return result.exit_code, json.loads(result.output)


def test_a_whole_database_passes_every_check(app: Flask, client: FlaskClient, auth: Any):
    decide_three(client, auth)
    code, report = db_check(app)
    assert code == 0 and report["ok"]
    assert report["half_written"] == {"claims_without_decision": 0, "claim_decisions_without_claim": 0}
    assert report["chain_head"]["head_seq"] == report["chain_head"]["records"] == 3
    assert report["chain"]["checked"] == 3
    assert report["replays"] == {"replayed": 3, "identical": 3, "differing": []}


def test_a_claim_decision_without_its_claim_is_found(app: Flask, client: FlaskClient, auth: Any):
    claim_id = decide_three(client, auth)[1]
    with session_scope(app) as session:
        session.execute(delete(Claim).where(Claim.claim_id == claim_id))
    code, report = db_check(app)
    assert code == 1 and not report["ok"]
    assert report["half_written"]["claim_decisions_without_claim"] == 1
    assert report["chain"]["ok"]  # the log itself is intact: what it decided is what went missing


def test_sqlite_backup_is_a_whole_database_while_the_service_writes(app: Flask, client: FlaskClient, auth: Any,
                                                                    tmp_path: Path):
    decide_three(client, auth)
    copy = tmp_path / "backup.sqlite3"
    result = app.test_cli_runner().invoke(args=["db", "backup", str(copy)])
    if PG_URL:
        assert result.exit_code == 2 and "pg_dump" in result.output
        return
    assert result.exit_code == 0, result.output
    restored = create_app({"DATABASE_URL": f"sqlite:///{copy}", "TESTING": True})
    code, report = db_check(restored)
    assert code == 0 and report["chain"]["checked"] == 3
    restored.extensions["db_engine"].dispose()
    again = app.test_cli_runner().invoke(args=["db", "backup", str(copy)])
    assert again.exit_code == 2 and "exists" in again.output
