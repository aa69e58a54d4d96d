"""A mixed-load run (locust, bench/locustfile.py) against a running service, and the checks after it.

* ``reconcile``: the decisions stored during the run against what the client was answered. Every acknowledged
  decision must be stored (``lost`` is a failure). A stored decision nobody was answered for must belong to a request
  that got no answer or an error (``committed_unacknowledged``: the commit finished, the answer was lost); any other
  is ``unexplained``, a failure. Stored decisions name their request (``X-Request-Id``), so each is traced to it.
  A GET answered 2xx may still have stored one decision more than it acknowledged: the load client (geventhttpclient)
  resends an idempotent method, with the same headers, when its connection closes before the answer, and a clearance
  check stores its decision. The first attempt committed, its worker died before answering, the resent one was
  answered; that earlier decision is ``committed_unacknowledged`` too (``retried_get``). A POST is never resent.
* ``retry_unanswered``: each claim that got no 2xx is sent again with its Idempotency-Key and body; one that was
  stored comes back 200 with the stored decision, one that was not is decided now (201), never twice.
* ``whole``: ``GET /v1/audit/verify``, the offline verifier over ``flask --app wsgi audit export``, and
  ``api.consistency.check`` (nothing half-written, chain head = last record, replays identical).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

from bench.common import BIN, ROOT
from bench.load_plan import acknowledged, claim_body, claim_key

ENDPOINTS = ("POST /v1/claims", "GET /v1/clearances", "POST /v1/clearances/batch", "GET /v1/decisions/{id}",
             "POST /v1/decisions/{id}/replay")


def demo_subset(directory: Path, participants: int) -> Path:
    """The demo registry with only its first ``participants`` PU and BPU workers (and their contributions): every
    employer and project, in a tenth of the import time, for the bounded fault tests."""
    source = ROOT / "fixtures/registry"
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("employers.json", "projects.json"):
        shutil.copy(source / name, directory / name)
    people = [p for p in json.loads((source / "participants.json").read_text()) if p["segment"] in ("PU", "BPU")]
    kept = people[:participants]
    (directory / "participants.json").write_text(json.dumps(kept))
    payers = {f"participant:{p['kpj']}" for p in kept}
    with (source / "contributions.csv").open() as rows, (directory / "contributions.csv").open("w") as out:
        header = next(rows)
        out.write(header)
        out.writelines(row for row in rows if row.startswith("employer:") or row.split(",", 1)[0] in payers)
    return directory


def demo_database(url: str, roles: tuple[str, ...] = ("officer", "licensing", "auditor"),
                  registry: Path = ROOT / "fixtures/registry") -> dict[str, str]:
    """Migrate ``url``, load the demo registry (of fixtures/) and create one token per role, in this process."""
    from api import create_app
    from api.auth import create_token
    from api.db import session_scope
    from api.migrate import upgrade
    from api.registry_import import import_directory

    app = create_app({"DATABASE_URL": url})
    try:
        upgrade(app.extensions["db_engine"])
        with session_scope(app) as session:
            import_directory(session, registry)
        with session_scope(app) as session:
            return {role: create_token(session, role, f"load-{role}") for role in roles}
    finally:
        app.extensions["db_engine"].dispose()


def start_locust(base_url: str, plan: Path, users: int, seconds: float, csv_prefix: Path,
                 log: Path) -> subprocess.Popen[bytes]:
    """Start locust headless: ``users`` clients with no think time for ``seconds``; requests in flight at the end
    are waited for (so each is answered and journaled)."""
    command = [str(BIN / "locust"), "-f", str(ROOT / "bench/locustfile.py"), "--headless", "-u", str(users),
               "-r", str(users), "-t", f"{round(seconds)}s", "--host", base_url, "--csv", str(csv_prefix),
               "--only-summary", "--stop-timeout", "20", "--loglevel", "WARNING"]
    env = {**os.environ, "LOAD_PLAN": str(plan), "PYTHONPATH": str(ROOT)}
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def finish_locust(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Wait for locust; it exits 1 when any request failed, which a fault run expects."""
    code = process.wait(timeout=timeout)
    if code not in (0, 1):
        raise RuntimeError(f"locust exited with {code}")


def read_journal(path: Path) -> list[dict[str, Any]]:
    """The journal's entries, one per request."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def endpoint_stats(csv_prefix: Path, journal: list[dict[str, Any]], seconds: float) -> dict[str, dict[str, Any]]:
    """Per endpoint: locust's count, throughput and percentiles, and the journal's answers by status."""
    stats: dict[str, dict[str, Any]] = {}
    with Path(f"{csv_prefix}_stats.csv").open() as rows:
        for row in csv.DictReader(rows):
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "per_s": round(int(row["Request Count"]) / seconds, 1),
                **{f"p{p}_ms": float(row[f"{p}%"]) if row[f"{p}%"] not in ("N/A", "") else None
                   for p in ("50", "95", "99")}}
    for name, entry in stats.items():
        statuses = Counter(str(e.get("status")) for e in journal if e.get("name") == name or name == "Aggregated")
        entry["statuses"] = dict(sorted(statuses.items()))
    return stats


def reconcile(database_url: str, journal: list[dict[str, Any]], after_seq: int) -> dict[str, Any]:
    """The decisions stored after ``after_seq`` against the decisions the client was answered (see module doc)."""
    from api.models import DecisionRecord

    answered: dict[str, dict[str, Any]] = {}
    by_request = {e["request_id"]: e for e in journal if "request_id" in e}
    for entry in journal:
        for decision_id in entry.get("decisions", []):
            answered[decision_id] = entry
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(DecisionRecord.decision_id, DecisionRecord.kind,
                                             DecisionRecord.request_id).where(DecisionRecord.seq > after_seq)).all()
            total = connection.scalar(select(func.count()).select_from(DecisionRecord))
    finally:
        engine.dispose()
    stored = {row.decision_id: row for row in rows}
    lost = sorted(set(answered) - set(stored))
    unacknowledged: list[dict[str, Any]] = []
    unexplained: list[str] = []
    for decision_id in sorted(set(stored) - set(answered)):
        entry = by_request.get(stored[decision_id].request_id or "")
        if entry is not None and not 200 <= entry["status"] < 300:
            unacknowledged.append({"decision_id": decision_id, "request": entry["name"], "status": entry["status"],
                                   "key": entry.get("key")})
        elif entry is not None and entry["name"].startswith("GET ") and entry.get("decisions"):
            unacknowledged.append({"decision_id": decision_id, "request": entry["name"], "status": entry["status"],
                                   "key": None, "retried_get": True})
        else:
            unexplained.append(decision_id)
    kinds = Counter(row.kind for row in rows)
    acknowledged_claims = sum(1 for e in journal if e.get("name") == "POST /v1/claims" and e.get("status") == 201)
    return {"acknowledged": len(answered), "stored": len(stored), "stored_by_kind": dict(sorted(kinds.items())),
            "claims_201": acknowledged_claims, "lost": lost, "committed_unacknowledged": unacknowledged,
            "unexplained": unexplained, "records_in_log": total,
            "exact": not lost and not unexplained and not unacknowledged}


def http(method: str, url: str, token: str, body: Any = None, key: str | None = None,
         timeout: float = 30) -> tuple[int, dict[str, Any] | None]:
    """One request; its status and JSON answer (status 0 when no answer came)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        payload = error.read()
        return error.code, json.loads(payload) if payload.startswith(b"{") else None
    except OSError:
        return 0, None


def retry_unanswered(base_url: str, plan: dict[str, Any], journal: list[dict[str, Any]],
                     database_url: str) -> dict[str, Any]:
    """Send every claim that got no 2xx again with its key and body; check each is decided exactly once."""
    from api.models import Claim

    failed = [e for e in journal if e.get("name") == "POST /v1/claims" and not 200 <= e["status"] < 300]
    outcomes: Counter[str] = Counter()
    mismatched: list[str] = []
    engine = create_engine(database_url)
    try:
        for entry in failed:
            n = entry["n"]
            status, answer = http("POST", f"{base_url}/v1/claims", plan["officer"], claim_body(plan, n),
                                  key=claim_key(plan, n))
            outcomes[str(status)] += 1
            with engine.connect() as connection:
                stored = connection.execute(select(Claim.decision_id).where(
                    Claim.idempotency_key == claim_key(plan, n))).scalars().all()
            answered = acknowledged(answer or {})
            # exactly one claim under the key, and the answer is its decision (200: stored before; 201: now)
            if status not in (200, 201) or len(stored) != 1 or answered != stored:
                mismatched.append(claim_key(plan, n))
    finally:
        engine.dispose()
    return {"retried": len(failed), "answers": dict(sorted(outcomes.items())), "mismatched": mismatched}


def whole(base_url: str, auditor: str, env: dict[str, str], work: Path) -> dict[str, Any]:
    """The log verifies online and offline, and the database passes ``api.consistency.check``."""
    status, online = http("GET", f"{base_url}/v1/audit/verify", auditor, timeout=120)
    export = work / "export.jsonl"
    export.unlink(missing_ok=True)
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "audit", "export", str(export)], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    offline = subprocess.run([sys.executable, "-m", "adjudication.verify", str(export), "--json"], cwd=ROOT,
                             env=env, capture_output=True, text=True)
    checked = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "check", "--replays", "20"], cwd=ROOT,
                             env=env, capture_output=True, text=True)
    report = json.loads(checked.stdout) if checked.stdout.startswith("{") else {"ok": False, "error": checked.stderr}
    return {"verify_status": status, "verify": online, "offline_ok": offline.returncode == 0,
            "offline": json.loads(offline.stdout) if offline.stdout.startswith("{") else offline.stdout[-500:],
            "consistency": report,
            "ok": status == 200 and bool(online and online["ok"]) and offline.returncode == 0 and report["ok"]}


def head_seq(database_url: str) -> int:
    """The chain head's seq now (0 for an empty log)."""
    from api.models import ChainHead

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(ChainHead.seq).where(ChainHead.id == 1)) or 0
    finally:
        engine.dispose()
