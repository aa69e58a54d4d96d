"""The real consumer (``python -m api.replay_queue``, huey with worker processes): killed in the middle of a job
and started again, it finishes the job with the summary of an uninterrupted replay, each chunk counted once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from api import create_app, replay_jobs
from api.db import session_scope
from api.models import ReplayChange, ReplayChunk, ReplayJob

from .conftest import LOG_SIZE, StoreLog, bpu_inactive_at_once, changed_rules, raise_funeral, store_ruleset
from .test_replays import post

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def consumer(database_url: str, queue: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The consumer with 2 worker processes, in its own process group; killed with the group on exit."""
    env = {**os.environ, "DATABASE_URL": database_url, "REPLAY_QUEUE": str(queue), "LOG_LEVEL": "WARNING"}
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "api.replay_queue", "2"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def job_state(app: Flask, job_id: str) -> dict[str, Any]:
    with session_scope(app) as session:
        job = session.get(ReplayJob, job_id)
        assert job is not None
        return replay_jobs.view(session, job)


def in_flight(app: Flask, job_id: str) -> list[int]:
    """The job's chunks claimed by a worker and not done."""
    with session_scope(app) as session:
        return list(session.scalars(select(ReplayChunk.number).where(
            ReplayChunk.job_id == job_id, ReplayChunk.claimed_by.is_not(None), ReplayChunk.done_at.is_(None))))


def wait_for(check: Callable[[], bool], seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, log.read_text(errors="replace")[-4000:]
        time.sleep(0.05)


def test_a_job_whose_consumer_is_killed_finishes_after_a_restart_with_the_same_summary(
        app: Flask, database_url: str, auth: Any, store_log: StoreLog, tmp_path: Path):
    store_log(app, LOG_SIZE)
    changed = store_ruleset(app, changed_rules(jkk=raise_funeral, membership=bpu_inactive_at_once))
    queue, log = tmp_path / "queue.sqlite3", tmp_path / "consumer.log"
    web = create_app({"DATABASE_URL": database_url, "TESTING": True, "REPLAY_IMMEDIATE": False,
                      "REPLAY_QUEUE": str(queue), "REPLAY_INLINE_MAX": 100, "REPLAY_CHUNK": 100, "REPLAY_WORKERS": 2})
    try:
        accepted = post(web.test_client(), auth, changed.version)
    finally:
        web.extensions["db_engine"].dispose()
    assert accepted.status_code == 202
    job_id = accepted.get_json()["job_id"]
    assert job_state(app, job_id)["status"] == "queued"  # nothing runs it until a consumer starts

    with consumer(database_url, queue, log) as first:
        wait_for(lambda: job_state(app, job_id)["progress"]["checked"] > 0, 120, log)
        os.killpg(first.pid, signal.SIGKILL)  # the consumer and its workers, mid-job
    interrupted = job_state(app, job_id)
    assert interrupted["status"] == "running" and interrupted["progress"]["checked"] < LOG_SIZE, interrupted

    with consumer(database_url, queue, log):
        wait_for(lambda: job_state(app, job_id)["status"] == "done", 180, log)
    finished = job_state(app, job_id)

    at_once = create_app({"DATABASE_URL": database_url, "TESTING": True, "REPLAY_INLINE_MAX": 10_000})
    try:
        inline = post(at_once.test_client(), auth, changed.version).get_json()
    finally:
        at_once.extensions["db_engine"].dispose()
    assert finished["summary"] == {key: value for key, value in inline.items() if key != "changes"}
    assert finished["progress"]["checked"] == finished["summary"]["checked"] == LOG_SIZE
    with session_scope(app) as session:
        chunks = session.scalars(select(ReplayChunk).where(ReplayChunk.job_id == job_id)).all()
        assert len(chunks) == LOG_SIZE // 100 and sum(c.size for c in chunks) == LOG_SIZE
        assert all(c.done_at is not None for c in chunks)
        stored = session.scalar(select(func.count()).select_from(ReplayChange).where(ReplayChange.job_id == job_id))
        assert stored == len(inline["changes"])


def test_a_running_consumer_takes_jobs_queued_after_it_started(app: Flask, database_url: str, auth: Any,
                                                                store_log: StoreLog, tmp_path: Path):
    # `python -m api.replay_queue` once registered its task as "__main__.replay_job" while the web workers queue
    # "api.replay_queue.replay_job": it ran the jobs it resumed at start and refused every later one
    store_log(app, 200)
    queue, log = tmp_path / "queue.sqlite3", tmp_path / "consumer.log"
    web = create_app({"DATABASE_URL": database_url, "TESTING": True, "REPLAY_IMMEDIATE": False,
                      "REPLAY_QUEUE": str(queue), "REPLAY_INLINE_MAX": 100, "REPLAY_CHUNK": 100, "REPLAY_WORKERS": 2})
    try:
        with consumer(database_url, queue, log):
            # the first job may be resumed by the starting consumer; once it is done, the consumer is running
            for _ in range(2):
                job_id = post(web.test_client(), auth, "original").get_json()["job_id"]
                wait_for(lambda job_id=job_id: job_state(app, job_id)["status"] == "done", 60, log)
    finally:
        web.extensions["db_engine"].dispose()
    assert "not found in TaskRegistry" not in log.read_text(errors="replace")
