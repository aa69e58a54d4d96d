"""Throughput of POST /v1/claims on gunicorn (the committed gunicorn.conf.py) against a bare Flask endpoint.

Run: ``.venv/bin/python bench/claims.py [--claim JKK|JKM|JHT] [--duration 20] [--connections 4]`` (needs ``wrk``:
apt-get install wrk). It builds a fresh demo database (SQLite in a temp dir, or ``DATABASE_URL`` if set), starts
gunicorn on a free port serving ``bench.server:app`` (the real app plus the floor endpoints), and drives, in the
same run with the same wrk settings:

* ``bare``: ``POST /bench/bare``, a Flask endpoint that parses a JSON body and answers JSON;
* ``validate``: ``POST /bench/validate``, the claims body validation alone;
* ``engine``: ``POST /bench/engine``, the rule engine alone on the stored facts of a real bench claim;
* ``claims``: ``POST /v1/claims``, every request a distinct claim of a real demo participant, decided and stored.

The numbers go to ``bench/results/claims-<time>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, call, demo_database, gunicorn, quiet_env

# one claim body per type, a Lua format string over (kpj, event date, event date); Lua ignores an unused argument
BODIES = {
    "JKK": '{"claim_type":"JKK","kpj":"%s","filed_on":"2026-11-01","incident":{"date":"%s","kind":"workplace",'
           '"reported_on":"%s","outcome":{"type":"temporary_incapacity","incapacity_months":2},'
           '"costs":{"transport":[{"mode":"land","amount":250000}],"medical":0}},'
           '"documents":["kpj_card","ktp","doctor_statement","stage1_report_form","stage2_report_form"]}',
    "JKM": '{"claim_type":"JKM","kpj":"%s","filed_on":"2026-11-01","incident":{"date":"%s","cause":"natural"},'
           '"heirs":[{"relation":"spouse"}],"documents":["kpj_card","heir_ktp","family_card","death_certificate",'
           '"heir_certificate","bank_book"]}',
    "JHT": '{"claim_type":"JHT","kpj":"%s","filed_on":"2026-11-01","incident":{"reason":"resignation",'
           '"date":"%s"},"documents":["kpj_card","ktp","resignation_certificate","bank_book"]}',
}

LUA = r"""
local kpjs = {%(kpjs)s}
local counter = 0
local thread_id = 0
setup = function(thread) thread:set("tid", thread_id); thread_id = thread_id + 1 end
init = function(args) counter = 0 end
request = function()
  counter = counter + 1
  local kpj = kpjs[(counter %% #kpjs) + 1]
  local day = os.date("!%%Y-%%m-%%d", %(base)d + 86400 * ((tid * 100000 + counter) %% 600))
  local body = string.format('%(body)s', kpj, day, day)
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(token)s",
                   ["Idempotency-Key"] = string.format("bench-%%d-%%d-%%d", %(run)d, tid, counter)}
  return wrk.format("POST", "/v1/claims", headers, body)
end
"""

FIXED_LUA = r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '%s'
"""


def parse_wrk(output: str) -> dict[str, float]:
    """Requests/s and latency percentiles (ms) from ``wrk --latency`` output."""
    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    result = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}  # type: ignore
    for pct in ("50", "90", "99"):
        match = re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", output, re.M)
        if match:
            result[f"p{pct}_ms"] = ms(match.group(1))
    total = re.search(r"(\d+) requests in", output)
    result["requests"] = float(total.group(1)) if total else 0
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = float(errors.group(1)) if errors else 0
    return result


def wrk(url: str, script: Path, duration: int, connections: int) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url],
                         check=True, capture_output=True, text=True).stdout
    return parse_wrk(out)


def lua_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claim", choices=sorted(BODIES), default="JKK", help="claim type to submit (default JKK)")
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="bpjs-bench-"))
    env = quiet_env(os.environ.get("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3"))
    print("building the demo database ...", flush=True)
    tokens = demo_database(env, "officer", "auditor")
    officer, auditor = tokens["officer"], tokens["auditor"]
    people = json.loads((ROOT / "fixtures/registry/participants.json").read_text())
    kpjs = [p["kpj"] for p in people if p["segment"] in ("PU", "BPU")]
    base = int(dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp())
    body = BODIES[args.claim]
    # bare and validate post the same fixed sample claim
    scripts = {"claims": tmp / "claims.lua", "bare": tmp / "sample.lua", "validate": tmp / "sample.lua",
               "engine": tmp / "engine.lua"}
    scripts["claims"].write_text(LUA % {"kpjs": ",".join(f'"{k}"' for k in kpjs), "base": base, "token": officer,
                                        "run": int(time.time()), "body": body})
    # the fixed bodies: one claim of the same shape, of the first PU worker enrolled in the claim's programme
    sample_kpj = next(p["kpj"] for p in people if p["segment"] == "PU" and args.claim in p["programs"])

    runs: dict[str, dict[str, float]] = {}
    with gunicorn(env, "bench.server:app") as base_url:
        # its event falls before the claims' dates, on a day the worker has no claim yet (a reused PostgreSQL
        # database keeps earlier runs' samples): a duplicate would take the engine down a shorter path
        earlier = call(f"{base_url}/v1/claims?kpj={sample_kpj}", officer)
        day = dt.date(2024, 12, 1) - dt.timedelta(days=len(earlier))
        sample = body.replace("%s", sample_kpj, 1).replace("%s", day.isoformat())
        scripts["bare"].write_text(FIXED_LUA % lua_string(sample))
        # the engine floor evaluates the facts the service gathered and stored for that sample claim
        decided = call(f"{base_url}/v1/claims", officer, json.loads(sample), key=f"bench-sample-{time.time()}")
        facts = call(f"{base_url}/v1/decisions/{decided['decision']['decision_id']}", auditor)["facts"]
        scripts["engine"].write_text(FIXED_LUA % lua_string(json.dumps(facts, separators=(",", ":"))))
        paths = {"bare": "/bench/bare", "validate": "/bench/validate", "engine": "/bench/engine",
                 "claims": "/v1/claims"}
        for name, path in paths.items():  # warm-up: every worker has compiled and run each path
            wrk(base_url + path, scripts[name], 3, args.connections)
        for name, path in paths.items():
            print(f"{name} ...", flush=True)
            runs[name] = wrk(base_url + path, scripts[name], args.duration, args.connections)
    bare = runs["bare"]["requests_per_s"]
    workers = gunicorn_workers()
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": env["DATABASE_URL"].split(":", 1)[0],
        "claim_type": args.claim,
        "sample": {"kpj_index": kpjs.index(sample_kpj), "outcome": decided["decision"]["outcome"],
                   "reasons": [r["code"] for r in decided["decision"]["reasons"]]},
        "gunicorn": "gunicorn.conf.py (sync workers, one per core)",
        "wrk": f"1 thread, {args.connections} connections, {args.duration} s per endpoint",
        "endpoints": runs,
        "ratio_to_bare": {name: round(run["requests_per_s"] / bare, 3) for name, run in runs.items()},
        # the CPU a request adds over the bare endpoint, per worker: workers / (req/s) - workers / (bare req/s)
        "added_worker_ms_per_request": {
            name: round(1000 * (workers / run["requests_per_s"] - workers / bare), 3) for name, run in runs.items()},
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"claims-{args.claim}-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)


def gunicorn_workers() -> int:
    """Worker processes in the committed gunicorn config: one per core unless WEB_CONCURRENCY says otherwise."""
    return int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))


if __name__ == "__main__":
    main()
