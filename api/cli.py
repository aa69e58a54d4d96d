"""Command-line interface: ``flask --app wsgi db | tokens | registry | rules | audit`` (see README "Commands")."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .audit_cli import audit_cli
from .auth import MAX_ID, ROLES, create_token
from .backup import db_backup, db_check
from .db import session_scope
from .models import ApiToken, utc_now

db_cli = AppGroup("db", help="Database schema, backup and consistency check.")
db_cli.add_command(db_backup)
db_cli.add_command(db_check)
tokens_cli = AppGroup("tokens", help="API tokens.")
registry_cli = AppGroup("registry", help="Registry data.")
rules_cli = AppGroup("rules", help="Rule files and rule cases.")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    from .migrate import upgrade

    upgrade(current_app.extensions["db_engine"])
    click.echo("database is at the latest schema")


class Expiry(click.ParamType):
    """When a token stops working: a duration from now (``90d``, ``12h``, ``30m``), a date (``2027-03-31``: from
    00:00 UTC that day) or a date and time (``2027-03-31T17:00+07:00``; without an offset, UTC)."""

    name = "expiry"
    DURATION = re.compile(r"([1-9][0-9]{0,5})([dhm])")
    UNITS = {"d": "days", "h": "hours", "m": "minutes"}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        text = str(value).strip()
        now = utc_now()
        if (duration := self.DURATION.fullmatch(text)) is not None:
            expires_at = now + dt.timedelta(**{self.UNITS[duration[2]]: int(duration[1])})
        else:
            try:
                parsed = dt.datetime.fromisoformat(text)
            except ValueError:
                self.fail(f"{text!r} is neither a duration such as 90d, 12h or 30m nor an ISO date or date-time",
                          param, ctx)
            expires_at = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
        if expires_at <= now:
            self.fail(f"{text!r} is not in the future", param, ctx)
        return expires_at.astimezone(dt.UTC)


def _when(moment: dt.datetime | None) -> str:
    """A stored time in UTC to the minute; SQLite hands it back without its zone."""
    if moment is None:
        return "-"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%MZ")


@tokens_cli.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", required=True, help="Who or what holds the token (e.g. 'kc-pontianak-officer-1').")
@click.option("--expires", type=Expiry(), default=None,
              help="When it stops working: 90d, 12h or 30m from now, a date (2027-03-31, from 00:00 UTC) or an "
                   "ISO date-time (2027-03-31T17:00+07:00; UTC without an offset). Default: never.")
def tokens_create(role: str, name: str, expires: dt.datetime | None) -> None:
    """Create a token; it is printed alone on the last line and never shown again."""
    with session_scope(current_app) as session:
        token = create_token(session, role, name, expires)
    until = f", expires {_when(expires)}" if expires else ""
    click.echo(f"created {role} token '{name}'{until} (stored hashed; copy it now):")
    click.echo(token)


@tokens_cli.command("list")
def tokens_list() -> None:
    """List every token: id, name, role, created, expires, revoked (times in UTC; never the token or its hash)."""
    with session_scope(current_app) as session:
        rows = [(str(t.id), t.name, t.role, _when(t.created_at), _when(t.expires_at), _when(t.revoked_at))
                for t in session.scalars(select(ApiToken).order_by(ApiToken.id))]
    table = [("id", "name", "role", "created", "expires", "revoked"), *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@tokens_cli.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by its id (see ``tokens list``); it is refused from the next request on, in every worker."""
    with session_scope(current_app) as session:
        token = session.get(ApiToken, token_id) if 0 < token_id <= MAX_ID else None
        if token is None:
            click.echo(f"no token with id {token_id}; nothing revoked", err=True)
            sys.exit(1)
        what = f"token {token.id} ({token.role} '{token.name}')"
        if token.revoked_at is not None:
            click.echo(f"{what} was already revoked at {_when(token.revoked_at)}; nothing changed")
            return
        token.revoked_at = utc_now()
    click.echo(f"revoked {what}; it is refused from now on")


@registry_cli.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def registry_import(directory: Path) -> None:
    """Load employers, projects, participants and contributions (JSON or CSV) in one transaction."""
    from .registry_import import RegistryImportError, import_directory

    try:
        with session_scope(current_app) as session:
            counts = import_directory(session, directory)
    except RegistryImportError as error:
        click.echo(f"import failed, nothing stored: {error}", err=True)
        sys.exit(1)
    for kind, (created, updated) in counts.items():
        click.echo(f"{kind}: {created} created, {updated} updated")


@rules_cli.command("check")
@click.option("--quick", is_flag=True,
              help="Skip the parameter exercise (a ruleset per parameter, changed, must decide some case "
                   "differently): the cases and rule coverage in seconds instead of a minute.")
def rules_check(quick: bool) -> None:
    """Validate rules/, run every rule case, list the rules no case fires and the parameters no case depends on."""
    from adjudication.check import check_rules

    report = check_rules(current_app.config["RULES_DIR"], parameters=not quick)
    click.echo(report.format())
    if not report.ok:
        sys.exit(1)


@rules_cli.command("facts")
def rules_facts() -> None:
    """Print the fact catalogue as the Markdown table of rules/README.md."""
    from adjudication.fact_catalogue import facts_table

    click.echo(facts_table(), nl=False)


def register(app: Flask) -> None:
    """Attach the command groups to the app."""
    from .replay_cli import replay_command

    audit_cli.add_command(replay_command)
    for group in (db_cli, tokens_cli, registry_cli, rules_cli, audit_cli):
        app.cli.add_command(group)
