"""Clearance timing: a batch of every employer in the demo registry against single requests, in the same run.

Run: ``.venv/bin/python bench/clearance.py [--runs 5]``. It builds a fresh demo database (SQLite in a temp dir,
or ``DATABASE_URL`` if set), starts gunicorn on the committed gunicorn.conf.py, and times on the client:

* ``batch``: ``POST /v1/clearances/batch`` with one item per employer of the demo registry (226), each decided
  and stored as a decision, as a licensing office would send a month of permit renewals;
* ``single``: ``GET /v1/clearances`` for the same employers one after the other (one request at a time);
* ``health``: ``GET /health``, the floor of a request on this server.

Each is run ``--runs`` times after a warm-up; the minimum, median and maximum are printed and written to
``bench/results/clearance-<time>.json``. The target is the whole batch under 1 second on a 2-core machine.
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
import urllib.request
from pathlib import Path
from typing import Any

from common import ROOT, call, demo_database, gunicorn, quiet_env

AS_OF = "2026-11-23"  # the demo registry's snapshot date


def items() -> list[dict[str, str]]:
    """One clearance per employer of the demo registry, asked in its own regency."""
    employers = json.loads((ROOT / "fixtures/registry/employers.json").read_text())
    return [{"nib": e["nib"], "purpose": "permit_renewal", "region_code": e["region_code"][:5]} for e in employers]


def timed(action: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def summary(seconds: list[float]) -> dict[str, float]:
    return {"min_s": round(min(seconds), 4), "median_s": round(statistics.median(seconds), 4),
            "max_s": round(max(seconds), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bpjs-bench-"))
    env = quiet_env(os.environ.get("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3"))
    print("building the demo database ...", flush=True)
    token = demo_database(env, "licensing")["licensing"]
    batch = items()
    with gunicorn(env) as base_url:
        def run_batch() -> Any:
            return call(f"{base_url}/v1/clearances/batch", token, {"as_of": AS_OF, "items": batch})

        def run_singles() -> list[Any]:
            return [call(f"{base_url}/v1/clearances?nib={i['nib']}&purpose={i['purpose']}"
                         f"&region_code={i['region_code']}&as_of={AS_OF}", token) for i in batch]

        def run_health() -> list[Any]:
            return [urllib.request.urlopen(f"{base_url}/health", timeout=10).read() for _ in batch]

        run_batch(), run_singles(), run_health()  # warm-up: every worker has compiled and run each path
        times: dict[str, list[float]] = {"batch": [], "single": [], "health": []}
        answer: Any = None
        for run in range(args.runs):
            print(f"run {run + 1} of {args.runs} ...", flush=True)
            seconds, answer = timed(run_batch)
            times["batch"].append(seconds)
            times["single"].append(timed(run_singles)[0])
            times["health"].append(timed(run_health)[0])
    statuses = [a["status"] for a in answer["items"]]
    reasons: dict[str, int] = {}
    for item in answer["items"]:
        for reason in item["reasons"]:
            if reason["kind"] == "reject":
                reasons[reason["code"]] = reasons.get(reason["code"], 0) + 1
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": env["DATABASE_URL"].split(":", 1)[0],
        "gunicorn": "gunicorn.conf.py (sync workers, one per core)",
        "employers": len(batch),
        "outcome": {"clear": statuses.count("clear"), "not_clear": statuses.count("not_clear"),
                    "reasons": dict(sorted(reasons.items()))},
        "batch_of_all": summary(times["batch"]),
        f"{len(batch)}_singles_one_at_a_time": summary(times["single"]),
        "single_ms_median": round(1000 * statistics.median(times["single"]) / len(batch), 2),
        "health_ms_median": round(1000 * statistics.median(times["health"]) / len(batch), 2),
        "batch_ms_per_item_median": round(1000 * statistics.median(times["batch"]) / len(batch), 2),
        "target_batch_under_1_s": statistics.median(times["batch"]) < 1.0,
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"clearance-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
