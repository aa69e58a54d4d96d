"""Where one claim's worker time goes: POST /v1/claims in one process through the Flask test client.

Run: ``.venv/bin/python -m bench.claim_profile [--claim JKK] [-n 1500] [--cprofile out.prof]`` (``DATABASE_URL`` for
PostgreSQL, a database the demo registry is imported into; default: a fresh SQLite demo database in a temp dir).

It times the stages of a claim with wrappers that read the thread's CPU clock (``time.thread_time_ns``: what the
other processes on a busy machine take is not counted, and each wrapper costs well under a microsecond), over ``-n``
claims after a warm-up, then the engine-only endpoint (``bench.server``'s ``/bench/engine``) on the stored facts of
a claim of the same type, and prints both, the stages and their ratio. Stages nest where indented. Flask, the
rate limiter and the request log are what the total has beyond the stages. ``--cprofile`` also writes a cProfile
(CPU clock) of the claims for ``python -m pstats``.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import BODIES, ROOT, demo_database, quiet_env

_spent: collections.Counter[str] = collections.Counter()
_LABELS: list[str] = []  # in the order they are printed


def _timed(owner: Any, name: str, label: str) -> None:
    """Replace ``owner.name`` with a wrapper adding its thread CPU time to ``label``."""
    inner: Callable[..., Any] = getattr(owner, name)
    _LABELS.append(label)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time_ns()
        try:
            return inner(*args, **kwargs)
        finally:
            _spent[label] += time.thread_time_ns() - started

    setattr(owner, name, wrapper)


def _instrument() -> None:
    import flask_smorest.response
    import webargs.core

    import adjudication.ruleset
    import api.auth
    import api.claims
    import api.decision_log
    import api.durable_commit
    import api.fast_dump

    _timed(api.auth, "_check", "token check (its query included)")
    _timed(webargs.core.Parser, "parse", "body and header parsing and validation")
    _timed(api.claims, "_body_hash", "body hash (Idempotency-Key check)")
    _timed(api.claims, "_earlier_claims", "idempotency and duplicate query")
    _timed(api.claims, "read_claim_inputs", "registry reads")
    _timed(adjudication.ruleset, "derive", "fact derivation")
    _timed(adjudication.ruleset.Ruleset, "evaluate", "rule engine (Ruleset.evaluate)")
    _timed(adjudication.ruleset.Ruleset, "_trace", "  of which the stored trace")
    _timed(api.decision_log, "prepare", "decision log: records, canonical JSON")
    _timed(api.decision_log, "write", "decision log: head, hash, inserts")
    _timed(api.durable_commit.FlushingSession, "commit", "commit")
    _timed(api.durable_commit, "sync_wal", "  of which the WAL fdatasync (SQLite)")
    _timed(api.durable_commit, "flush", "  of which the WAL flush (PostgreSQL)")
    _timed(api.claims, "claim_view", "answer: claim view")
    _timed(api.fast_dump.FastDump, "dump", "answer: schema dump")
    _timed(flask_smorest.response, "jsonify", "answer: JSON encoding")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claim", choices=sorted(BODIES), default="JKK")
    parser.add_argument("-n", type=int, default=1500)
    parser.add_argument("--cprofile", type=Path)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='bpjs-profile-')}/demo.sqlite3"
    env = quiet_env(url)
    print("building the demo database ...", flush=True)
    officer = demo_database(env, "officer")["officer"]
    os.environ.update({name: env[name] for name in ("DATABASE_URL", "LOG_LEVEL", "REPLAY_CONSUMER")})
    _instrument()
    from bench.server import app
    client = app.test_client()
    people = json.loads((ROOT / "fixtures/registry/participants.json").read_text())
    kpjs = [p["kpj"] for p in people if p["segment"] in ("PU", "BPU")]
    run = time.time_ns()
    headers = {"Authorization": f"Bearer {officer}", "Content-Type": "application/json"}

    def claim(number: int) -> Any:
        day = (dt.date(2025, 1, 1) + dt.timedelta(days=number % 600)).isoformat()
        body = BODIES[args.claim].replace("%s", kpjs[number % len(kpjs)], 1).replace("%s", day)
        answer = client.post("/v1/claims", data=body, headers={**headers, "Idempotency-Key": f"p-{run}-{number}"})
        assert answer.status_code in (200, 201), answer.get_data(as_text=True)
        return answer.get_json()

    for number in range(200):
        last = claim(number)
    with app.app_context():
        from api.db import session_scope
        from api.models import DecisionRecord
        with session_scope(app) as session:
            facts = json.dumps(session.get(DecisionRecord, last["decision"]["decision_id"]).facts)

    def engine() -> None:
        assert client.post("/bench/engine", data=facts, headers={"Content-Type": "application/json"}).status_code \
            == 201

    for _ in range(200):
        engine()
    _spent.clear()
    profile = cProfile.Profile(time.process_time) if args.cprofile else None
    started = time.thread_time_ns()
    if profile:
        profile.enable()
    for number in range(1000, 1000 + args.n):
        claim(number)
    if profile:
        profile.disable()
        profile.dump_stats(args.cprofile)
    per_claim = (time.thread_time_ns() - started) / args.n / 1e6
    stages = {label: _spent[label] / args.n / 1e6 for label in _LABELS if label in _spent}
    _spent.clear()
    started = time.thread_time_ns()
    for _ in range(args.n):
        engine()
    per_engine = (time.thread_time_ns() - started) / args.n / 1e6
    print(f"{args.claim} on {url.split(':')[0]}{' (under cProfile)' if profile else ''}: a claim {per_claim:.3f} ms "
          f"of CPU, the engine endpoint {per_engine:.3f} ms (engine/claim {per_engine / per_claim:.2f}); "
          f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    engine_rules = _spent["rule engine (Ruleset.evaluate)"] / args.n / 1e6
    print(f"{'ms':>7}  stage (the engine endpoint's Ruleset.evaluate: {engine_rules:.3f} ms)")
    for label, spent in stages.items():
        print(f"{spent:7.3f}  {label}")


if __name__ == "__main__":
    main()
