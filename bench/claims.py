"""Throughput of POST /v1/claims on gunicorn (the committed gunicorn.conf.py) against a bare Flask endpoint.

Run: ``.venv/bin/python bench/claims.py [--duration 20] [--connections 4]`` (needs ``wrk``: apt-get install wrk).
It builds a fresh demo database (SQLite in a temp dir, or ``DATABASE_URL`` if set), starts gunicorn on a
free port serving ``bench.server:app`` (the real app plus ``POST /bench/bare``), drives both endpoints with
wrk in the same run, and writes the numbers to ``bench/results/claims-<time>.json``.
Every claim is a distinct JKK event of a real demo participant, so each request is decided and stored.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

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
  local body = string.format('{"claim_type":"JKK","kpj":"%%s","filed_on":"2026-11-01","incident":{"date":"%%s",'
    .. '"kind":"workplace","reported_on":"%%s","outcome":{"type":"temporary_incapacity","incapacity_months":2},'
    .. '"costs":{"transport":[{"mode":"land","amount":250000}],"medical":0}},'
    .. '"documents":["kpj_card","ktp","doctor_statement","stage1_report_form","stage2_report_form"]}', kpj, day, day)
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(token)s",
                   ["Idempotency-Key"] = string.format("bench-%%d-%%d-%%d", %(run)d, tid, counter)}
  return wrk.format("POST", "/v1/claims", headers, body)
end
"""

BARE_LUA = r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"claim_type":"JKK","kpj":"12345678901","filed_on":"2026-11-01","incident":{"date":"2025-01-01"}}'
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env: dict[str, str], *args: str) -> str:
    out = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)
    return out.stdout


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="bpjs-bench-"))
    env = {**os.environ, "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3"),
           "LOG_LEVEL": "WARNING"}
    print("building the demo database ...", flush=True)
    flask(env, "db", "upgrade")
    flask(env, "registry", "import", "fixtures/registry")
    token = flask(env, "tokens", "create", "--role", "officer", "--name", "bench").strip().splitlines()[-1]
    people = json.loads((ROOT / "fixtures/registry/participants.json").read_text())
    kpjs = [p["kpj"] for p in people if p["segment"] in ("PU", "BPU")]
    base = int(dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp())
    script = tmp / "claims.lua"
    script.write_text(LUA % {"kpjs": ",".join(f'"{k}"' for k in kpjs), "base": base, "token": token,
                             "run": int(time.time())})
    bare_script = tmp / "bare.lua"
    bare_script.write_text(BARE_LUA)

    port = free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "bench.server:app"], cwd=ROOT,
                              env={**env, "BIND": f"127.0.0.1:{port}"}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        wrk(f"http://127.0.0.1:{port}/bench/bare", bare_script, 3, args.connections)  # warm-up
        wrk(f"http://127.0.0.1:{port}/v1/claims", script, 3, args.connections)
        bare = wrk(f"http://127.0.0.1:{port}/bench/bare", bare_script, args.duration, args.connections)
        claims = wrk(f"http://127.0.0.1:{port}/v1/claims", script, args.duration, args.connections)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": env["DATABASE_URL"].split(":", 1)[0],
        "gunicorn": "gunicorn.conf.py (sync workers, one per core)",
        "wrk": f"1 thread, {args.connections} connections, {args.duration} s per endpoint",
        "bare_flask_post": bare,
        "post_claims": claims,
        "claims_to_bare_ratio": round(claims["requests_per_s"] / bare["requests_per_s"], 3),
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"claims-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
