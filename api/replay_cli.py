"""``flask --app wsgi audit replay``: an impact analysis run from a terminal, in parallel worker processes.

The run is a job like the API's (``api.replay_jobs``, origin ``cli``), so it is kept in the database and gives the
same summary; ``--shard K/N`` takes the decisions whose ``seq`` modulo N is K-1, so N machines (or runs) against
one PostgreSQL database split a window and their summaries add up to the whole. ``--job`` continues a run that was
interrupted. The summary is printed; ``--out`` gets the changed decisions (CSV for a ``.csv`` file, else JSON).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from adjudication.kinds import CASE_KINDS

from . import replay_jobs
from .db import session_scope
from .errors import ApiError
from .models import ReplayJob
from .replay_run import Window

POLL_SECONDS = 0.5


def _shard(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[int, int]:
    index, _, count = value.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise click.BadParameter("must be K/N with 1 <= K <= N, e.g. 2/3")
    return int(index), int(count)


def _drive_in_child(app: Flask, job_id: str) -> None:
    # forked (nothing is pickled): the parent's pooled connections are not ours to use
    app.extensions["db_engine"].dispose(close=False)
    replay_jobs.drive(app, job_id)


def _checked(app: Flask, job_id: str) -> int:
    with session_scope(app) as session:
        job = session.get(ReplayJob, job_id)
        return replay_jobs.progress(session, job)["checked"] if job is not None else 0


def run_workers(app: Flask, job_id: str, workers: int, bar: tqdm) -> None:
    """Drive a job with ``workers`` processes (this one alone when 1), showing progress on ``bar``."""
    if workers == 1:
        replay_jobs.drive(app, job_id, on_chunk=bar.update)
        return
    app.extensions["db_engine"].dispose()  # no open connection may cross the fork
    context = get_context("fork")
    children = [context.Process(target=_drive_in_child, args=(app, job_id), name=f"replay-{n}") for n in range(workers)]
    for child in children:
        child.start()
    while any(child.is_alive() for child in children):
        time.sleep(POLL_SECONDS)
        bar.update(_checked(app, job_id) - bar.n)
    bar.update(_checked(app, job_id) - bar.n)


def _write(path: Path, job: dict[str, Any], changes: Any) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        if path.suffix.lower() == ".csv":
            out.writelines(replay_jobs.csv_lines(changes))
        else:
            json.dump({"job": job, "changes": list(changes)}, out, ensure_ascii=False, indent=1)
            out.write("\n")


@click.command("replay")
@with_appcontext
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day (decided_at, UTC).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day, inclusive.")
@click.option("--ruleset", help="original (each decision's own), current, or a stored version sha256:...")
@click.option("--kind", type=click.Choice(CASE_KINDS), help="Only decisions of this kind.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes.")
@click.option("--shard", default="1/1", callback=_shard, show_default=True,
              help="K/N: this run takes the decisions whose seq modulo N is K-1.")
@click.option("--job", "job_id", help="Continue this unfinished job instead of starting one.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="File for the job and its changed decisions: CSV if it ends in .csv, else JSON.")
def replay_command(start: dt.datetime | None, end: dt.datetime | None, ruleset: str | None, kind: str | None,
                   workers: int, shard: tuple[int, int], job_id: str | None, out: Path) -> None:
    """Replay every decision of a window with a ruleset and count what would change (impact analysis)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with session_scope(app) as session:
        if job_id is None:
            if start is None or end is None or ruleset is None:
                raise click.UsageError("--from, --to and --ruleset are needed (or --job to continue one)")
            if start > end:
                raise click.UsageError("--to must not be before --from")
            try:
                target = replay_jobs.target_version(session, app.extensions["rulesets"], ruleset)
            except ApiError as error:
                raise click.UsageError(error.message) from error
            job = replay_jobs.create(session, Window(start.date(), end.date(), kind, shard), target, "cli",
                                     app.config["REPLAY_CHUNK"])
        else:
            found = session.get(ReplayJob, job_id)
            if found is None:
                raise click.UsageError(f"no replay job {job_id}")
            job = found
        job_id, total = job.job_id, job.total
    click.echo(f"replay job {job_id}: {total} decisions, {workers} worker(s)", err=True)
    with tqdm(total=total, unit="decision", file=sys.stderr, dynamic_ncols=True) as bar:
        bar.update(_checked(app, job_id))
        run_workers(app, job_id, workers, bar)
    with session_scope(app) as session:
        done = session.get(ReplayJob, job_id)
        assert done is not None
        shown = replay_jobs.view(session, done)
        _write(out, shown, replay_jobs.all_changes(session, job_id))
    if shown["status"] != "done":
        click.echo(f"job {job_id} is {shown['status']}: {shown['error'] or 'not finished'}; "
                   f"continue it with --job {job_id}", err=True)
        sys.exit(1)
    click.echo(json.dumps(shown["summary"], ensure_ascii=False, indent=1))

