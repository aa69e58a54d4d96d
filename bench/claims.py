"""Throughput and latency of POST /v1/claims on gunicorn (the committed gunicorn.conf.py) against the rule engine
alone, per claim type, in the same run.

Run: ``.venv/bin/python bench/claims.py [--claim JKK JKM JHT] [--database sqlite|postgresql] [--duration 20]
[--connections 8] [--repeat N]`` (needs ``wrk``: apt-get install wrk). It builds a fresh demo database (SQLite in a
temp dir; PostgreSQL in a throwaway cluster with fsync on, made as scripts/test-all.sh makes one, or
``DATABASE_URL`` if set), starts gunicorn on a free port serving ``bench.server:app`` (the real app plus the floor
endpoints) with a checkpoint signing key, and drives with the same wrk settings:

* ``bare``: ``POST /bench/bare``, a Flask endpoint that parses a JSON body and answers JSON (once);
* per claim type, in turn and ``--repeat`` times:
  * ``engine``: ``POST /bench/engine``, the rule engine alone on the stored facts of a real claim of that type;
  * ``claims``: ``POST /v1/claims``, every request a distinct claim of a real demo participant, decided and stored.

``ratio`` is claims/s over engine/s of the same round. Latencies are wrk's (p50, p95 and p99 from its histogram).
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: bench.pg and adjudication

from common import BODIES, ROOT, call, demo_database, gunicorn, quiet_env  # noqa: E402

from adjudication.signing import write_private_key  # noqa: E402
from bench.pg import Cluster  # noqa: E402

# wrk's --latency prints p50, p75, p90 and p99; this prints the percentiles the targets name
DONE = r"""
done = function(summary, latency, requests)
  for _, p in ipairs({50, 95, 99}) do io.write(string.format("bench-p%d %d\n", p, latency:percentile(p))) end
end
"""

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
                   ["Idempotency-Key"] = string.format("bench-%%s-%%d-%%d", "%(run)s", tid, counter)}
  return wrk.format("POST", "/v1/claims", headers, body)
end
"""

FIXED_LUA = r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '%s'
"""


def parse_wrk(output: str) -> dict[str, float]:
    """Requests/s, latency percentiles (ms) and non-2xx answers from wrk's output."""
    result = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}  # type: ignore
    for pct in ("50", "95", "99"):
        match = re.search(rf"^bench-p{pct} (\d+)$", output, re.M)
        if match:
            result[f"p{pct}_ms"] = int(match.group(1)) / 1000  # wrk's histogram counts microseconds
    total = re.search(r"(\d+) requests in", output)
    result["requests"] = float(total.group(1)) if total else 0
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = float(errors.group(1)) if errors else 0
    socket_errors = re.search(r"Socket errors: (.*)", output)
    result["socket_errors"] = socket_errors.group(1) if socket_errors else ""  # type: ignore[assignment]
    return result


def wrk(url: str, script: Path, duration: int, connections: int) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url],
                         check=True, capture_output=True, text=True).stdout
    return parse_wrk(out)


def lua_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claim", nargs="+", choices=sorted(BODIES), default=["JKK", "JKM", "JHT"])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite",
                        help="postgresql: a throwaway cluster with fsync on, unless DATABASE_URL is set")
    parser.add_argument("--duration", type=int, default=20, help="seconds per endpoint and round")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=1, help="rounds of engine, then claims, per claim type")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="bpjs-bench-"))
    cluster = None
    if args.database == "postgresql" and not os.environ.get("DATABASE_URL"):
        cluster = Cluster(fsync=True)
        cluster.start()
    try:
        url = os.environ.get("DATABASE_URL") or (cluster.url() if cluster else f"sqlite:///{tmp}/bench.sqlite3")
        result = run(url, args, tmp)
    finally:
        if cluster is not None:
            cluster.remove()
        shutil.rmtree(tmp, ignore_errors=True)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"claims-{result['database']}-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(
        json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    print(summary(result))


def run(url: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    key = tmp / "signing-key.pem"
    write_private_key(key)
    env = {**quiet_env(url), "AUDIT_SIGNING_KEY": str(key)}
    print("building the demo database ...", flush=True)
    tokens = demo_database(env, "officer", "auditor")
    officer, auditor = tokens["officer"], tokens["auditor"]
    people = json.loads((ROOT / "fixtures/registry/participants.json").read_text())
    kpjs = [p["kpj"] for p in people if p["segment"] in ("PU", "BPU")]
    base = int(dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp())
    rounds: list[dict[str, Any]] = []
    with gunicorn(env, "bench.server:app") as base_url:
        scripts = {}
        for claim_type in args.claim:
            body = BODIES[claim_type]
            scripts[f"claims-{claim_type}"] = tmp / f"claims-{claim_type}.lua"
            scripts[f"claims-{claim_type}"].write_text(LUA % {
                "kpjs": ",".join(f'"{k}"' for k in kpjs), "base": base, "token": officer, "body": body,
                "run": f"{claim_type}-{time.time_ns()}"} + DONE)
            # the engine floor evaluates the facts the service gathered and stored for one claim of the same shape,
            # of the first PU worker enrolled in the programme, on an event before the measured claims' dates
            sample_kpj = next(p["kpj"] for p in people if p["segment"] == "PU" and claim_type in p["programs"])
            earlier = call(f"{base_url}/v1/claims?kpj={sample_kpj}", officer)
            day = dt.date(2024, 12, 1) - dt.timedelta(days=int(earlier["total"]))
            sample = body.replace("%s", sample_kpj, 1).replace("%s", day.isoformat())
            decided = call(f"{base_url}/v1/claims", officer, json.loads(sample), key=f"bench-sample-{time.time_ns()}")
            facts = call(f"{base_url}/v1/decisions/{decided['decision']['decision_id']}", auditor)["facts"]
            scripts[f"engine-{claim_type}"] = tmp / f"engine-{claim_type}.lua"
            scripts[f"engine-{claim_type}"].write_text(
                FIXED_LUA % lua_string(json.dumps(facts, separators=(",", ":"))) + DONE)
            if "bare" not in scripts:
                scripts["bare"] = tmp / "bare.lua"
                scripts["bare"].write_text(FIXED_LUA % lua_string(sample) + DONE)
        paths = {"bare": "/bench/bare", **{name: "/bench/engine" for name in scripts if name.startswith("engine")},
                 **{name: "/v1/claims" for name in scripts if name.startswith("claims")}}
        for name, path in paths.items():  # warm-up: every worker has compiled and run each path
            wrk(base_url + path, scripts[name], 3, args.connections)
        print("bare ...", flush=True)
        bare = wrk(base_url + "/bench/bare", scripts["bare"], args.duration, args.connections)
        for number in range(args.repeat):
            for claim_type in args.claim:
                found: dict[str, Any] = {"round": number + 1, "claim_type": claim_type, "load_before": load_average()}
                for name in ("engine", "claims"):
                    print(f"{claim_type} {name} (round {number + 1}) ...", flush=True)
                    found[name] = wrk(base_url + paths[f"{name}-{claim_type}"], scripts[f"{name}-{claim_type}"],
                                      args.duration, args.connections)
                found["ratio"] = round(found["claims"]["requests_per_s"] / found["engine"]["requests_per_s"], 3)
                found["load_after"] = load_average()
                rounds.append(found)
    workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
    return {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": url.split(":", 1)[0].split("+")[0],
        "gunicorn": f"gunicorn.conf.py ({workers} sync workers)",
        "wrk": f"1 thread, {args.connections} connections, {args.duration} s per endpoint and round",
        "bare": bare,
        "rounds": rounds,
    }


def summary(result: dict[str, Any]) -> str:
    lines = [f"{result['database']}, {result['gunicorn']}, wrk {result['wrk']}; bare "
             f"{result['bare']['requests_per_s']:.0f}/s",
             "claim round  engine/s  claims/s  ratio  claims p50 / p95 / p99 ms  non-2xx  load before -> after"]
    for found in result["rounds"]:
        claims = found["claims"]
        lines.append(f"{found['claim_type']:<5} {found['round']:>5}  {found['engine']['requests_per_s']:>8.0f}  "
                     f"{claims['requests_per_s']:>8.0f}  {found['ratio']:>5.2f}  {claims.get('p50_ms', 0):>6.1f} / "
                     f"{claims.get('p95_ms', 0):>5.1f} / {claims.get('p99_ms', 0):>5.1f}  "
                     f"{claims['non_2xx'] + found['engine']['non_2xx']:>7.0f}  {found['load_before']} -> "
                     f"{found['load_after']}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
