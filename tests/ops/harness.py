"""One fault run: the service under mixed load (locust), a fault injected while it runs, and every check after it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.load_plan import make_plan
from bench.mixed import (
    finish_locust,
    head_seq,
    read_journal,
    reconcile,
    retry_unanswered,
    start_locust,
    whole,
)
from bench.service import Service

from .conftest import Demo


@dataclass
class Run:
    """What a fault run leaves to assert on."""

    journal: list[dict[str, Any]]
    log: dict[str, Any]
    retried: dict[str, Any]
    checks: dict[str, Any]
    service_log: str
    fault: dict[str, Any]

    def statuses(self, entries: list[dict[str, Any]] | None = None) -> dict[int, int]:
        counts: dict[int, int] = {}
        for entry in self.journal if entries is None else entries:
            if "status" in entry:
                counts[entry["status"]] = counts.get(entry["status"], 0) + 1
        return counts


def wait_for(predicate: Callable[[], bool], seconds: float, step: float = 0.05) -> bool:
    """Poll ``predicate`` until it holds or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


Journal = Callable[[], list[dict[str, Any]]]


def under_load(demo: Demo, seconds: float | Callable[[Service], float],
               fault: Callable[[Service, Journal], dict[str, Any]], users: int = 4, workers: int = 2) -> Run:
    """Serve ``demo``, load it for ``seconds`` (or as long as a function of the started service says) while
    ``fault(service, journal)`` runs, then check everything.

    ``journal()`` reads the requests answered so far. After the load: the log against the answers, every claim
    that got no 2xx sent again with its key, the chain online and offline and ``db check``.
    """
    journal_path = demo.work / "journal.jsonl"
    plan = make_plan(demo.tokens, journal_path, registry=demo.registry)
    plan_path = demo.work / "plan.json"
    plan_path.write_text(json.dumps(plan))
    service = Service(demo.env, workers=workers, log=demo.work / "gunicorn.log")
    service.start()
    try:
        after = head_seq(demo.url)
        if callable(seconds):
            seconds = seconds(service)
        locust = start_locust(service.base_url, plan_path, users, seconds, demo.work / "stats",
                              demo.work / "locust.log")
        try:
            happened = fault(service, lambda: read_journal(journal_path))
        finally:
            finish_locust(locust, seconds + 60)
        journal = read_journal(journal_path)
        log = reconcile(demo.url, journal, after)
        retried = retry_unanswered(service.base_url, plan, journal, demo.url)
        checks = whole(service.base_url, demo.tokens["auditor"], demo.env, demo.work)
    finally:
        service.stop()
    run = Run(journal, log, retried, checks, (demo.work / "gunicorn.log").read_text(errors="replace"), happened)
    # shown with pytest -s: the numbers docs/operations.md reports
    print(json.dumps({"backend": demo.backend, "statuses": run.statuses(), "fault": happened,
                      "log": {k: v if not isinstance(v, list) else len(v) for k, v in log.items()},
                      "retried": retried, "records": checks["consistency"]["chain"]["checked"]}))
    return run


def assert_whole(run: Run) -> None:
    """Every acknowledged decision stored; every other stored one traced to a request left without an answer;
    each retried claim decided once; nothing half-written; the chain verifies online, offline and in db check."""
    log = run.log
    assert log["lost"] == [], log["lost"]
    assert log["unexplained"] == [], log["unexplained"]
    assert log["acknowledged"] + len(log["committed_unacknowledged"]) == log["stored"], log
    assert run.retried["mismatched"] == [], run.retried
    # a claim whose commit finished before its answer was lost comes back as the stored decision (200), not again
    unanswered_claims = sum(1 for u in log["committed_unacknowledged"] if u["request"] == "POST /v1/claims")
    assert run.retried["answers"].get("200", 0) == unanswered_claims, (run.retried, log["committed_unacknowledged"])
    consistency = run.checks["consistency"]
    assert consistency["half_written"] == {"claims_without_decision": 0, "claim_decisions_without_claim": 0}
    assert consistency["chain_head"]["ok"], consistency["chain_head"]
    assert consistency["chain"]["ok"] and consistency["chain"]["checkpoints_matched"] > 0, consistency["chain"]
    assert consistency["replays"]["differing"] == []
    assert run.checks["verify_status"] == 200 and run.checks["verify"]["ok"], run.checks["verify"]
    assert run.checks["offline_ok"], run.checks["offline"]
    assert consistency["ok"], consistency
    assert "Traceback" not in run.service_log
