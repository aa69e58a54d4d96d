"""``flask audit replay``: the same summary as the API's job and the auditor's page, in worker processes; shards add
up to the whole."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from flask import Flask
from sqlalchemy import update

from api import replay_jobs
from api.db import session_scope
from api.models import ReplayChunk, ReplayJob
from tests.pages.helpers import csrf, sign_in

from .conftest import LOG_SIZE, StoreLog, bpu_inactive_at_once, changed_rules, raise_funeral, store_ruleset
from .test_replays import WINDOW, YEAR, post

SUMMED = ("checked", "identical", "changed_outcome", "changed_amount", "changed_other", "failed", "skipped")


def replay_cli(app: Flask, *args: str) -> Any:
    """Run ``flask audit replay`` on the app; the click result."""
    return app.test_cli_runner().invoke(args=["audit", "replay", *args])


def window_args(ruleset: str) -> list[str]:
    return ["--from", WINDOW["from"], "--to", WINDOW["to"], "--ruleset", ruleset]


def add_up(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """Shard summaries added into one."""
    total: dict[str, Any] = {"ruleset": summaries[0]["ruleset"], **dict.fromkeys(SUMMED, 0), "transitions": {},
                             "money": {}}
    for summary in summaries:
        for name in SUMMED:
            total[name] += summary[name]
        for name, count in summary["transitions"].items():
            total["transitions"][name] = total["transitions"].get(name, 0) + count
        for claim, money in summary["money"].items():
            mine = total["money"].setdefault(claim, dict.fromkeys(money, 0))
            for name, value in money.items():
                mine[name] += value
    total["transitions"] = dict(sorted(total["transitions"].items()))
    total["money"] = dict(sorted(total["money"].items()))
    return total


def through_the_page(app: Flask, token: str, ruleset: str) -> tuple[dict[str, Any], list[int]]:
    """An impact analysis of the window started on the auditor's page: the job's stored summary and the counts its
    page shows in the summary table (in the table's order)."""
    client = app.test_client()
    assert sign_in(client, token, "/audit").status_code == 303
    form = client.get("/audit/replays").get_data(as_text=True)
    started = client.post("/audit/replays", data={"csrf_token": csrf(form), **WINDOW, "kind": "", "ruleset": ruleset})
    assert started.status_code == 303, started.get_data(as_text=True)
    job_id = started.headers["Location"].rsplit("/", 1)[1]
    with session_scope(app) as session:
        job = session.get(ReplayJob, job_id)
        assert job is not None and job.status == "done"
        summary = dict(job.summary or {})
    html = client.get(started.headers["Location"]).get_data(as_text=True)
    table = re.search(r'<table class="summary">(.*?)</table>', html, re.S)
    assert table is not None
    return summary, [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', table.group(1))]


def test_the_cli_gives_the_api_jobs_summary_and_its_shards_add_up(app: Flask, job_app: Flask, auth: Any,
                                                                   store_log: StoreLog, tmp_path: Any):
    store_log(app, LOG_SIZE)
    changed = store_ruleset(app, changed_rules(jkk=raise_funeral, membership=bpu_inactive_at_once))
    client = job_app.test_client()
    job_id = post(client, auth, changed.version).get_json()["job_id"]
    through_api = client.get(f"/v1/replays/{job_id}", headers=auth("auditor")).get_json()
    api_changes = client.get(f"/v1/replays/{job_id}/changes?per_page=1000", headers=auth("auditor")).get_json()
    assert through_api["summary"]["changed_outcome"] and through_api["summary"]["changed_amount"]

    # the auditor's page: the same window and ruleset give the same summary, and the page shows its counts
    on_page, shown = through_the_page(job_app, auth("auditor")["Authorization"].split()[1],
                                                   changed.version)
    assert on_page == through_api["summary"]
    assert shown == [on_page[name] for name in ("checked", "identical", "skipped", "changed_outcome",
                                                "changed_amount", "changed_other", "failed")]

    whole = replay_cli(job_app, *window_args(changed.version), "--workers", "2", "--out", str(tmp_path / "all.json"))
    assert whole.exit_code == 0, whole.output
    assert json.loads(whole.stdout) == through_api["summary"]
    written = json.loads((tmp_path / "all.json").read_text())
    assert written["job"]["summary"] == through_api["summary"] and written["job"]["origin"] == "cli"
    assert written["changes"] == api_changes["items"] and len(written["changes"]) == api_changes["total"]

    shards = []
    for index in (1, 2, 3):
        out = tmp_path / f"shard{index}.csv"
        run = replay_cli(job_app, *window_args(changed.version), "--shard", f"{index}/3", "--out", str(out))
        assert run.exit_code == 0, run.output
        shards.append(json.loads(run.stdout))
        rows = list(csv.DictReader(io.StringIO(out.read_text())))
        assert len(rows) == sum(shards[-1][name] for name in SUMMED[2:6])
        assert all(int(row["seq"]) % 3 == index - 1 for row in rows)
    assert [s["checked"] for s in shards] == [1000, 1000, 1000]
    assert add_up(shards) == through_api["summary"]


def test_an_interrupted_cli_run_continues_with_job(job_app: Flask, store_log: StoreLog, tmp_path: Any):
    store_log(job_app, 400)
    with session_scope(job_app) as session:
        job_id = replay_jobs.create(session, YEAR, "original", "cli", 100).job_id
        # a run killed while it worked on chunk 0 left it claimed by a process that no longer exists
        session.execute(update(ReplayChunk).where(ReplayChunk.job_id == job_id, ReplayChunk.number == 0)
                        .values(attempt=1, claimed_by=f"{replay_jobs.worker_name().rpartition(':')[0]}:999999999",
                                claimed_at=replay_jobs.utc_now()))
    run = replay_cli(job_app, "--job", job_id, "--out", str(tmp_path / "out.json"))
    assert run.exit_code == 0, run.output
    summary = json.loads(run.stdout)
    assert (summary["checked"], summary["identical"]) == (400, 400)
    with session_scope(job_app) as session:
        chunk = session.get(ReplayChunk, (job_id, 0))
        assert chunk is not None and chunk.attempt == 2 and chunk.done_at is not None


def test_bad_cli_arguments_say_what_is_wrong(job_app: Flask, tmp_path: Any):
    out = str(tmp_path / "out.json")
    for args, message in (
        ([*window_args("original"), "--shard", "4/3"], "K/N"),
        ([*window_args("original"), "--shard", "x"], "K/N"),
        (["--to", "2025-01-01", "--ruleset", "original"], "--from"),
        (["--from", "2025-02-01", "--to", "2025-01-01", "--ruleset", "original"], "--to must not be before"),
        (window_args("sha256:" + "0" * 64), "No ruleset"),
        (["--job", "no-such-job"], "no replay job"),
    ):
        run = replay_cli(job_app, *args, "--out", out)
        assert run.exit_code == 2 and message in run.output, (args, run.output)


def test_a_window_of_another_kind_is_empty(job_app: Flask, store_log: StoreLog, tmp_path: Any):
    store_log(job_app, 50)
    run = replay_cli(job_app, *window_args("original"), "--kind", "clearance", "--out", str(tmp_path / "o.json"))
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["checked"] == 0
