"""Impact analysis at national scale: replay 100,000 stored decisions with 1 and 2 worker processes.

Run: ``.venv/bin/python bench/replay.py [--decisions 100000] [--runs 3] [--profile 3000]``. It builds (once, then
reuses ``bench/results/replay-<n>.sqlite3``) a database of ``n`` claims decided by the shipped rules from the
committed seed claims of the demo registry (``fixtures/decisions.py``: JKK, JKM and JHT, approved, rejected and
referred), appended to the hash chain in bulk. Then, per run:

* full replay with the ``original`` ruleset (each decision's own: every one must come back identical), every
  decision evaluated (no pruning: with its own ruleset pruning would skip them all), 1 worker;
* the same with 2 workers;
* the same as a job runs it, pruned (every decision skipped: nothing differs between a ruleset and itself), 2
  workers, for the record;
* an impact analysis of a one-parameter change, a new JKK death multiplier (56 months of wage) for deaths from
  2025-07-01, with 2 workers: as a job runs it (decisions the change cannot touch are skipped, ``pruning``), and
  without pruning (every decision is evaluated); both must give the same counts.

Each worker is a forked process running ``api.replay_jobs.drive``, as the consumer's workers and ``flask audit
replay`` do; the time is the job's wall time from the first claim to the summary. Peak memory is each process's
VmHWM. ``--profile N`` also profiles one worker over N decisions. Results go to ``bench/results/replay-<time>.json``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import resource
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adjudication.ruleset import read_rules_dir  # noqa: E402
from api import create_app, decision_log, replay_jobs  # noqa: E402
from api.db import make_engine, session_scope  # noqa: E402
from api.migrate import upgrade  # noqa: E402
from api.models import DecisionRecord, ReplayJob  # noqa: E402
from api.replay_run import Window  # noqa: E402
from api.rulesets import compiled  # noqa: E402
from fixtures import decisions  # noqa: E402

RESULTS = ROOT / "bench" / "results"
START, END = dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
WINDOW = Window(dt.date(2025, 1, 1), dt.date(2026, 12, 31))
NEW_DEATH_MULTIPLIER = ("2025-07-01", 56)


def vm_hwm_mb(pid: int | str = "self") -> float:
    """A process's peak resident memory (VmHWM), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def database(count: int) -> str:
    """The URL of a database holding ``count`` decided claims, built on first use."""
    path = RESULTS / f"replay-{count}.sqlite3"
    url = f"sqlite:///{path}"
    if path.exists():
        engine = make_engine(url)
        upgrade(engine)  # a database built by an older checkout gets the newer tables
        engine.dispose()
        return url
    RESULTS.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    app = create_app({"DATABASE_URL": f"sqlite:///{partial}", "LOG_LEVEL": "WARNING"})
    upgrade(app.extensions["db_engine"])
    began = time.perf_counter()
    print(f"deciding {count} claims into {path.name} (once) ...", flush=True)
    decisions.build(app, count, START, END, workers=2)
    print(f"  built in {time.perf_counter() - began:.0f} s", flush=True)
    app.extensions["db_engine"].dispose()
    # a WAL left beside an older database of this name would be replayed into the new file: corrupt pages
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    partial.rename(path)
    return url


def one_parameter_change(app: Any) -> str:
    """Store the ruleset most of the log was decided with, with a new JKK death multiplier from a date; its version.

    (Not the shipped rules/: a database built by an older checkout was decided under older rules, and the change
    measured must be the one parameter, not everything that changed in rules/ since.)"""
    with session_scope(app) as session:
        base = session.execute(select(DecisionRecord.ruleset_version, func.count()).group_by(
            DecisionRecord.ruleset_version).order_by(func.count().desc()).limit(1)).first()
        files = dict(app.extensions["rulesets"].get(session, base[0]).files) if base else read_rules_dir(ROOT / "rules")
    jkk = yaml.safe_load(files["parameters/jkk.yaml"])
    day, value = NEW_DEATH_MULTIPLIER
    jkk["death"]["multiplier"]["values"][dt.date.fromisoformat(day)] = {
        "value": value, "reference": "bench: a new regulation raising the JKK death lump sum"}
    files["parameters/jkk.yaml"] = yaml.safe_dump(jkk, allow_unicode=True, sort_keys=False)
    ruleset = compiled(files)
    with session_scope(app) as session:
        app.extensions["rulesets"].ensure_stored(session, ruleset)
    return ruleset.version


def _never_prune(before: Any, after: Any) -> None:
    return None


def _worker(app: Any, job_id: str, report: str, prune: bool) -> None:
    app.extensions["db_engine"].dispose(close=False)
    began = time.process_time()
    replay_jobs.drive(app, job_id) if prune else replay_jobs.drive(app, job_id, pruner=_never_prune)
    Path(report).write_text(json.dumps({"pid": os.getpid(), "peak_rss_mb": round(vm_hwm_mb(), 1),
                                        "cpu_s": round(time.process_time() - began, 2)}))


def run_job(app: Any, target: str, workers: int, prune: bool = True) -> dict[str, Any]:
    """A job over the whole window driven by ``workers`` forked processes: times, rate, memory, summary."""
    with session_scope(app) as session:
        job_id = replay_jobs.create(session, WINDOW, target, "cli", app.config["REPLAY_CHUNK"]).job_id
    app.extensions["db_engine"].dispose()
    scratch = Path(tempfile.mkdtemp(prefix="replay-bench-"))
    reports = [str(scratch / f"worker-{n}.json") for n in range(workers)]
    began = time.perf_counter()
    children = [get_context("fork").Process(target=_worker, args=(app, job_id, r, prune)) for r in reports]
    for child in children:
        child.start()
    for child in children:
        child.join()
    wall = time.perf_counter() - began
    processes = [json.loads(Path(r).read_text()) for r in reports]
    for r in reports:
        os.unlink(r)
    scratch.rmdir()
    with session_scope(app) as session:
        job = session.get(ReplayJob, job_id)
        assert job is not None and job.status == "done", job and job.error
        summary = dict(job.summary or {})
    return {"workers": workers, "decisions": summary["checked"], "wall_s": round(wall, 2),
            "decisions_per_s": round(summary["checked"] / wall), "workers_cpu_s": [p["cpu_s"] for p in processes],
            "peak_rss_mb": {"parent": round(vm_hwm_mb(), 1), "workers": [p["peak_rss_mb"] for p in processes]},
            "summary": summary}


def profile(app: Any, target: str, count: int) -> str:
    """cProfile of one worker replaying ``count`` decisions; the top of the report."""
    with session_scope(app) as session:
        window = Window(WINDOW.start, WINDOW.end, upto_seq=count)
        job_id = replay_jobs.create(session, window, target, "cli", app.config["REPLAY_CHUNK"]).job_id
    profiler = cProfile.Profile()
    profiler.enable()
    replay_jobs.drive(app, job_id)
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(40)
    return stream.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--profile", type=int, default=0, help="also profile one worker over this many decisions")
    parser.add_argument("--verify", action="store_true", help="walk the hash chain of the database first")
    args = parser.parse_args()
    app = create_app({"DATABASE_URL": database(args.decisions), "LOG_LEVEL": "WARNING", "REPLAY_CHUNK": 1000})
    if args.verify:
        with session_scope(app) as session:
            print("chain:", decision_log.verify(session), flush=True)
    changed = one_parameter_change(app)
    runs = []
    for number in range(args.runs):
        run = {"full_1_worker": run_job(app, "original", 1, prune=False),
               "full_2_workers": run_job(app, "original", 2, prune=False),
               "full_2_workers_pruned": run_job(app, "original", 2),
               "impact_2_workers": run_job(app, changed, 2),
               "impact_2_workers_unpruned": run_job(app, changed, 2, prune=False)}
        run["speed_up_2_workers"] = round(run["full_2_workers"]["decisions_per_s"]
                                          / run["full_1_worker"]["decisions_per_s"], 2)
        runs.append(run)
        print(f"run {number + 1}:", json.dumps({k: {x: v[x] for x in ("wall_s", "decisions_per_s", "peak_rss_mb")}
                                                 if isinstance(v, dict) else v for k, v in run.items()}), flush=True)
        assert run["full_1_worker"]["summary"]["identical"] == args.decisions, "a replay with original must match"
        pruned, unpruned = run["impact_2_workers"]["summary"], run["impact_2_workers_unpruned"]["summary"]
        assert {k: v for k, v in pruned.items() if k != "skipped"} == \
            {k: v for k, v in unpruned.items() if k != "skipped"}, "pruning changed the impact analysis"
    result: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "decisions": args.decisions,
        "load_average": os.getloadavg(), "runs": runs,
        "impact_change": f"jkk.death.multiplier = {NEW_DEATH_MULTIPLIER[1]} from {NEW_DEATH_MULTIPLIER[0]}",
        "max_rss_children_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}
    if args.profile:
        result["profile"] = profile(app, "original", args.profile)
        print(result["profile"])
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"replay-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"results in {out}")


if __name__ == "__main__":
    main()
