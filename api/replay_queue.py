"""The queue of impact-analysis jobs and the consumer that runs them outside the web workers.

huey keeps the queue in an SQLite file (``REPLAY_QUEUE``, under ``instance/`` by default); what a job has done is
in the service's database (``api.replay_jobs``), so the queue only says "drive job X". A job is enqueued as
``REPLAY_WORKERS`` tasks, which the consumer's worker *processes* (the rule engine is not thread-safe) run at once,
each claiming chunks until none is left. A task lost with a killed worker costs nothing: its chunk is claimed
again by a sibling, and a restarted consumer enqueues every unfinished job again before it starts
(``python -m api.replay_queue``, which ``make run`` starts beside gunicorn).

With ``REPLAY_IMMEDIATE`` (the default when ``TESTING``) a task runs at once in the enqueuing process: tests get
deterministic jobs without a consumer.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import SqliteHuey
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import replay_jobs
from .db import session_scope
from .models import ReplayJob
from .replay_run import ORIGINAL, Window

log = logging.getLogger(__name__)
_EXTENSION, _TASK = "replay_queue", "replay_task"
# this process's app for the consumer's tasks, and the pid it belongs to (a forked worker adopts its parent's)
_PROCESS_APP: dict[str, object] = {}


def _app() -> Flask:
    """The app a task runs in: the enqueuing request's in immediate mode, else this worker process's own."""
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]
    app = _PROCESS_APP.get("app")
    if app is None:
        from . import create_app

        app = _PROCESS_APP["app"] = create_app()
    elif _PROCESS_APP.get("pid") != os.getpid():
        # forked from the consumer's main process: keep its compiled rulesets, not its database connections
        app.extensions["db_engine"].dispose(close=False)  # type: ignore[attr-defined]
    _PROCESS_APP["pid"] = os.getpid()
    return app  # type: ignore[return-value]


def run_job(job_id: str) -> str:
    """A queue task: drive one job in this process (see ``replay_jobs.drive``)."""
    return replay_jobs.drive(_app(), job_id)


def queue_of(app: Flask) -> SqliteHuey:
    """The app's job queue, made on first use."""
    queue = app.extensions.get(_EXTENSION)
    if queue is None:
        immediate = bool(app.config.get("REPLAY_IMMEDIATE", app.config.get("TESTING", False)))
        path = Path(app.config["REPLAY_QUEUE"])
        if not immediate:
            path.parent.mkdir(parents=True, exist_ok=True)
        queue = SqliteHuey("replays", filename=str(path), results=False, immediate=immediate)
        app.extensions[_EXTENSION] = queue
        app.extensions[_TASK] = queue.task(name="replay_job")(run_job)
    return queue  # type: ignore[no-any-return]


def enqueue(app: Flask, job_id: str) -> None:
    """Queue a job as one task per consumer worker, so they drive it together."""
    queue_of(app)
    for _ in range(max(1, int(app.config["REPLAY_WORKERS"]))):
        app.extensions[_TASK](job_id)


def submit(app: Flask, session: Session, window: Window, target: str,
           actor: dict[str, Any] | None) -> tuple[str, str]:
    """Make a job over ``window`` for the consumer, commit it and queue it; its id and the status it was made with
    (``queued``, or ``done`` for an empty window)."""
    job = replay_jobs.create(session, window, target, "api", app.config["REPLAY_CHUNK"], actor)
    job_id, status = job.job_id, job.status
    # committed before it is queued: a worker (or immediate mode, at once) must find the job
    session.commit()
    enqueue(app, job_id)
    return job_id, status


def resume(app: Flask) -> list[str]:
    """Enqueue every unfinished job again (a consumer starting after a crash or restart); their ids.

    Their rulesets are compiled here, before the workers fork, so that each worker does not compile them again.
    """
    registry = app.extensions["rulesets"]
    with session_scope(app) as session:
        jobs = replay_jobs.unfinished(session)
        targets = session.scalars(select(ReplayJob.ruleset).where(ReplayJob.job_id.in_(jobs))).all()
        for version in set(targets) - {ORIGINAL}:
            registry.get(session, version)
    for job_id in jobs:
        enqueue(app, job_id)
    return jobs


def consume(app: Flask, workers: int) -> None:
    """Resume unfinished jobs, then run the consumer with ``workers`` processes until it is stopped."""
    queue = queue_of(app)
    resumed = resume(app)
    if resumed:
        log.info("resumed %d unfinished replay job(s): %s", len(resumed), ", ".join(resumed))
    # the worker processes fork from here: none may inherit an open database or queue connection
    app.extensions["db_engine"].dispose()
    queue.storage.close()
    _PROCESS_APP.update(app=app, pid=os.getpid())
    # a new job is picked up within a second even after the queue was idle (huey's default backs off to 10 s)
    queue.create_consumer(workers=workers, worker_type="process", periodic=False, max_delay=1.0).run()


def main() -> None:
    """``python -m api.replay_queue [WORKERS]``: the consumer of the app the environment configures."""
    import sys

    from . import create_app

    app = create_app()
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else int(app.config["REPLAY_WORKERS"])
    logging.getLogger("huey").setLevel(app.config["LOG_LEVEL"])
    consume(app, workers)


if __name__ == "__main__":
    # run as api.replay_queue, not as __main__: huey names a task by its function's module, and the web workers
    # enqueue "api.replay_queue.replay_job"; a consumer whose task were "__main__.replay_job" would refuse every job
    # queued while it runs (it ran only the jobs it resumed at start)
    from api.replay_queue import main as consumer_main

    consumer_main()
