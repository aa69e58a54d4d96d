"""``flask --app wsgi db backup FILE | db check``: a consistent copy of a SQLite database while it serves, and the
checks a database must pass before it serves again (after a restore, a crash or a full disk).

PostgreSQL is backed up with its own tools (``pg_dump -Fc``, see docs/operations.md); ``db check`` is the same
for both.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .consistency import check
from .db import session_scope


@click.command("backup")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(file: Path) -> None:
    """Copy the SQLite database to FILE with SQLite's online backup, consistent while the service writes."""
    engine = current_app.extensions["db_engine"]
    if engine.dialect.name != "sqlite":
        click.echo("db backup copies SQLite files; back PostgreSQL up with pg_dump -Fc (docs/operations.md)", err=True)
        sys.exit(2)
    if file.exists():
        click.echo(f"{file} exists; choose a new file", err=True)
        sys.exit(2)
    source = sqlite3.connect(engine.url.database)
    target = sqlite3.connect(file)
    try:
        # in one step, one read transaction: in WAL mode writers go on meanwhile, and the copy is the database as
        # of the step's start (a copy in steps would start over after every write of the service)
        source.backup(target)
    finally:
        target.close()
        source.close()
    click.echo(f"backed up {engine.url.database} to {file}")


@click.command("check")
@with_appcontext
@click.option("--replays", default=20, show_default=True, help="How many of the newest decisions to replay.")
def db_check(replays: int) -> None:
    """Check the database is whole (decision log, chain head, claims, replays); JSON out, exit 1 on a problem."""
    with session_scope(current_app) as session:
        report = check(session, current_app.extensions["rulesets"], replays)
    click.echo(json.dumps(report, indent=2, default=str))
    if not report["ok"]:
        sys.exit(1)
