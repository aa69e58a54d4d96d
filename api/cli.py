"""Command-line interface: ``flask --app wsgi db upgrade | tokens create | registry import | rules check | audit``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .audit_cli import audit_cli
from .auth import ROLES, create_token
from .db import session_scope

db_cli = AppGroup("db", help="Database schema.")
tokens_cli = AppGroup("tokens", help="API tokens.")
registry_cli = AppGroup("registry", help="Registry data.")
rules_cli = AppGroup("rules", help="Rule files and rule cases.")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    from .migrate import upgrade

    upgrade(current_app.extensions["db_engine"])
    click.echo("database is at the latest schema")


@tokens_cli.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", required=True, help="Who or what holds the token (e.g. 'kc-pontianak-officer-1').")
def tokens_create(role: str, name: str) -> None:
    """Create a token; it is printed alone on the last line and never shown again."""
    with session_scope(current_app) as session:
        token = create_token(session, role, name)
    click.echo(f"created {role} token '{name}' (stored hashed; copy it now):")
    click.echo(token)


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
def rules_check() -> None:
    """Validate rules/, run every rule case, and list the rules no case fires."""
    from adjudication.check import check_rules

    report = check_rules(current_app.config["RULES_DIR"])
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
