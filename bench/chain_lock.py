"""What the chain head's row lock costs on PostgreSQL with 2 and with 8 gunicorn workers.

Run: ``.venv/bin/python -m bench.chain_lock [--workers 2 8] [--seconds 30] [--repeat 3]``. Every decision appends
to the hash chain under one row lock (``decision_chain_head``), held from the append to the end of the commit,
fsync included: appends are serialised. Against a throwaway PostgreSQL 15 cluster (fsync on) and the demo
registry, it serves ``bench.lock_timing:app`` (the service, timing each append's wait for the lock and how long
the lock is held) with the committed gunicorn config, and runs the mixed load (bench/locustfile.py, two users per
worker) for each worker count, with synchronous_commit on (what the service runs: a 201 means on disk) and off
(the commit's fsync taken out of the lock, to size that part). Results: ``bench/results/chain-lock-*.json``.

Read ``lock busy``: the share of wall time some worker held the lock. Near 100 % the lock is the bottleneck;
far below, something else (here: the 2 cores) is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from adjudication.signing import write_private_key
from bench.common import ROOT, quiet_env
from bench.load_plan import make_plan
from bench.mixed import demo_database, finish_locust, read_journal, start_locust
from bench.pg import Cluster
from bench.service import Service


def percentile(values: list[float], pct: float) -> float:
    """The ``pct`` percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))], 2) if ordered else 0.0


def timings(directory: Path, start: float, end: float) -> dict[str, Any]:
    """The appends stamped in [start, end]: their waits, holds and commits (ms) and the lock's busy share."""
    waits, holds, commits = [], [], []
    for path in directory.glob("*.tsv"):
        for line in path.read_text().splitlines():
            at, wait, hold, commit = (float(x) for x in line.split("\t"))
            if start <= at <= end:
                waits.append(wait)
                holds.append(hold)
                commits.append(commit)
    seconds = end - start
    return {"appends": len(holds), "appends_per_s": round(len(holds) / seconds, 1),
            "wait_ms": {"mean": round(statistics.fmean(waits), 2), "p50": percentile(waits, 50),
                        "p95": percentile(waits, 95), "p99": percentile(waits, 99)},
            "hold_ms": {"mean": round(statistics.fmean(holds), 2), "p50": percentile(holds, 50),
                        "p95": percentile(holds, 95), "p99": percentile(holds, 99)},
            "commit_ms": {"mean": round(statistics.fmean(commits), 2), "p50": percentile(commits, 50),
                          "p95": percentile(commits, 95)},
            "lock_busy": round(sum(holds) / 1000 / seconds, 3)}


def requests(journal: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """Throughput and latency of the writing endpoints, from the client's journal."""
    out = {}
    for name in ("POST /v1/claims", "GET /v1/clearances"):
        done = [e["ms"] for e in journal if e.get("name") == name and e.get("status") in (200, 201)]
        out[name] = {"per_s": round(len(done) / seconds, 1), "p50_ms": percentile(done, 50),
                     "p95_ms": percentile(done, 95), "p99_ms": percentile(done, 99),
                     "errors": sum(1 for e in journal if e.get("name") == name and e.get("status") not in (200, 201))}
    out["all_per_s"] = round(sum(1 for e in journal if e.get("status") in (200, 201)) / seconds, 1)
    return out


def one_run(cluster: Cluster, tokens: dict[str, str], work: Path, workers: int, synchronous: bool, seconds: float,
            number: int, checkout: Path = ROOT) -> dict[str, Any]:
    name = f"lock{number}"
    cluster.sql(f"CREATE DATABASE {name} TEMPLATE demo")
    cluster.sql(f"ALTER DATABASE {name} SET synchronous_commit = {'on' if synchronous else 'off'}")
    timing = work / name
    timing.mkdir()
    env = {**quiet_env(cluster.url(name)), "AUDIT_SIGNING_KEY": str(work / "key.pem"),
           "LOCK_TIMING_DIR": str(timing)}
    journal = work / f"{name}.jsonl"
    plan = make_plan(tokens, journal, run=number)
    # distinct events in every run, all before the claims' filing date (2026-11-01)
    plan["first_claim"] = number * 100_000
    (work / f"{name}.json").write_text(json.dumps(plan))
    warm = {**plan, "first_claim": plan["first_claim"] + 50_000, "journal": str(work / f"{name}-warm.jsonl")}
    (work / f"{name}-warm.json").write_text(json.dumps(warm))
    with Service(env, workers=workers, app="bench.lock_timing:app", log=work / f"{name}.log",
                 checkout=checkout) as service:
        finish_locust(start_locust(service.base_url, work / f"{name}-warm.json", 2 * workers, 5, work / "warm",
                                   work / "locust.log"), 60)  # warm-up: every worker has served each path
        start = time.time()
        finish_locust(start_locust(service.base_url, work / f"{name}.json", 2 * workers, seconds, work / name,
                                   work / "locust.log"), seconds + 60)
        end = start + seconds
    entries = [e for e in read_journal(journal) if e.get("at", 0) <= end]
    result = {"checkout": str(checkout), "workers": workers, "synchronous_commit": synchronous, "users": 2 * workers,
              "load_average": [round(x, 2) for x in os.getloadavg()],
              "requests": requests(entries, seconds), "lock": timings(timing, start, end)}
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 8])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--synchronous-commit", choices=["on", "off", "both"], default="both")
    parser.add_argument("--checkout", type=Path, nargs="+", default=[ROOT],
                        help="serve the service of each of these checkouts in turn (before/after a change); each "
                             "needs bench/lock_timing.py")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bpjs-lock-"))
    write_private_key(work / "key.pem")
    os.environ["AUDIT_SIGNING_KEY"] = str(work / "key.pem")
    modes = {"on": [True], "off": [False], "both": [True, False]}[args.synchronous_commit]
    results = []
    try:
        with Cluster(fsync=True) as cluster:
            print("building the demo database ...", flush=True)
            cluster.sql("CREATE DATABASE demo")
            tokens = demo_database(cluster.url("demo"))
            number = 0
            for _ in range(args.repeat):  # rounds, so that a burst of noise does not hit one setting only
                for workers in args.workers:
                    for checkout in args.checkout:
                        for synchronous in modes:
                            number += 1
                            results.append(one_run(cluster, tokens, work, workers, synchronous, args.seconds,
                                                   number, checkout))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"chain-lock-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps({"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "runs": results},
                               indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
