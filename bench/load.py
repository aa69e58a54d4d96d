"""Mixed load on gunicorn with the committed config, on SQLite and on PostgreSQL, then the decision log is checked.

Run: ``.venv/bin/python -m bench.load [--database sqlite postgresql] [--seconds 60] [--users 6] [--workers N]``.
For each database it builds the demo registry (SQLite in a temp dir; PostgreSQL in a throwaway cluster with fsync
on, or ``DATABASE_URL`` if set), starts gunicorn (``gunicorn.conf.py``, ``WEB_CONCURRENCY`` workers, the rate limit
out of the way), warms every path up, and runs locust (bench/locustfile.py: claims 60 %, clearances 30 %, audit
reads 10 %) for a fixed time. It reports throughput, p50/p95/p99 and answers by status per endpoint, then checks
that the log holds exactly the decisions the client was answered (every 201 of a claim, every clearance) and that
the chain verifies online, offline and in ``flask --app wsgi db check``. Results: ``bench/results/load-*.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from adjudication.signing import write_private_key
from bench.common import ROOT, quiet_env
from bench.load_plan import make_plan
from bench.mixed import (
    demo_database,
    endpoint_stats,
    finish_locust,
    head_seq,
    read_journal,
    reconcile,
    start_locust,
    whole,
)
from bench.pg import Cluster
from bench.service import Service


def run_once(database: str, seconds: float, users: int, workers: int, work: Path) -> dict[str, Any]:
    """One database: build, serve, warm up, load, check."""
    cluster = None
    if database == "postgresql" and not os.environ.get("DATABASE_URL"):
        cluster = Cluster(fsync=True)
        cluster.start()
    try:
        url = (os.environ.get("DATABASE_URL") if database == "postgresql" else None) or (
            cluster.url() if cluster else f"sqlite:///{work}/load.sqlite3")
        key = work / "signing-key.pem"
        if not key.exists():
            write_private_key(key)
        env = {**quiet_env(url), "AUDIT_SIGNING_KEY": str(key)}
        os.environ["AUDIT_SIGNING_KEY"] = str(key)
        print(f"[{database}] building the demo database ...", flush=True)
        tokens = demo_database(url)
        with Service(env, workers=workers, log=work / f"gunicorn-{database}.log") as service:
            print(f"[{database}] warming up ...", flush=True)
            warm = make_plan(tokens, work / f"warm-{database}.jsonl")
            warm["first_claim"] = 1_000_000  # other events than the measured run's
            (work / "warm-plan.json").write_text(json.dumps(warm))
            finish_locust(start_locust(service.base_url, work / "warm-plan.json", users, 8, work / "warm",
                                       work / "locust.log"), 60)
            after = head_seq(url)
            plan = make_plan(tokens, work / f"journal-{database}.jsonl")
            plan_path = work / f"plan-{database}.json"
            plan_path.write_text(json.dumps(plan))
            print(f"[{database}] {users} users for {seconds:.0f} s against {workers} workers ...", flush=True)
            finish_locust(start_locust(service.base_url, plan_path, users, seconds, work / f"stats-{database}",
                                       work / "locust.log"), seconds + 60)
            journal = read_journal(work / f"journal-{database}.jsonl")
            stats = endpoint_stats(work / f"stats-{database}", journal, seconds)
            print(f"[{database}] checking the decision log ...", flush=True)
            log_check = reconcile(url, journal, after)
            checks = whole(service.base_url, tokens["auditor"], env, work)
        replays_differing = sum(1 for e in journal if e.get("name") == "replay differs")
        return {"database": database, "workers": workers, "users": users, "seconds": seconds,
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "endpoints": stats, "log": log_check, "replays_differing": replays_differing,
                "chain": {"ok": checks["ok"], "verify": checks["verify"], "offline_ok": checks["offline_ok"],
                          "consistency_ok": checks["consistency"]["ok"]}}
    finally:
        if cluster is not None:
            cluster.remove()


def table(result: dict[str, Any]) -> str:
    """The per-endpoint numbers as a Markdown table."""
    lines = [f"{result['database']}: {result['workers']} workers, {result['users']} users, {result['seconds']:.0f} s",
             "", "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | answers by status |",
             "|---|---|---|---|---|---|---|"]
    for name, row in result["endpoints"].items():
        statuses = ", ".join(f"{k}: {v}" for k, v in row["statuses"].items())
        lines.append(f"| {name} | {row['requests']} | {row['per_s']} | {row['p50_ms']} | {row['p95_ms']} | "
                     f"{row['p99_ms']} | {statuses} |")
    log = result["log"]
    lines.append("")
    lines.append(f"claims answered 201: {log['claims_201']}; decisions acknowledged: {log['acknowledged']}, stored: "
                 f"{log['stored']} {log['stored_by_kind']}; lost {len(log['lost'])}, committed but unacknowledged "
                 f"{len(log['committed_unacknowledged'])}, unexplained {len(log['unexplained'])}; exact: "
                 f"{log['exact']}; chain ok: {result['chain']['ok']} ({result['chain']['verify']['checked']} records)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--users", type=int, default=6, help="locust users, each one request at a time (default 6)")
    parser.add_argument("--workers", type=int,
                        default=int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count())))
    args = parser.parse_args()
    results = []
    for database in args.database:
        work = Path(tempfile.mkdtemp(prefix="bpjs-load-"))
        try:
            results.append(run_once(database, args.seconds, args.users, args.workers, work))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(table(results[-1]), flush=True)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"load-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps({"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "runs": results},
                               indent=2))
    print(f"wrote {path}")
    if not all(r["log"]["exact"] and r["chain"]["ok"] and not r["replays_differing"] for r in results):
        raise SystemExit("the decision log does not hold exactly the acknowledged decisions, or does not verify")


if __name__ == "__main__":
    main()
