"""``flask --app wsgi audit keygen | export``: the checkpoint signing key and the export auditors verify offline."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from adjudication.signing import Signer, write_private_key

from .db import session_scope

audit_cli = AppGroup("audit", help="Decision-log checkpoints and exports.")


@audit_cli.command("keygen")
@click.option("--rotate", is_flag=True, help="Retire the existing key (renamed beside it) and create a new one.")
def keygen(rotate: bool) -> None:
    """Create the Ed25519 key that signs checkpoints (AUDIT_SIGNING_KEY, mode 0600), unless it exists."""
    path = Path(current_app.config["AUDIT_SIGNING_KEY"])
    if path.exists():
        old = Signer(path).key_id
        if not rotate:
            click.echo(f"signing key {path} exists (key id {old})")
            return
        # the retired key's public half is stored with the checkpoints it signed; the file is kept for the operator
        path.rename(path.with_name(f"{path.name}.{old[:16]}.retired"))
    key_id = write_private_key(path)
    click.echo(f"created signing key {path} (mode 0600), key id {key_id}; restart the service to sign with it")


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


@audit_cli.command("export")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day (decided_at, UTC).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day, inclusive.")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export(start: dt.datetime | None, end: dt.datetime | None, file: Path) -> None:
    """Write the decisions of a window, with the checkpoints covering it, as JSON lines to FILE.

    Check it offline with `python -m adjudication.verify FILE [--checkpoint SAVED.json]`.
    """
    from .audit_export import export as write_export

    if start is not None and end is not None and start > end:
        click.echo("--to must not be before --from", err=True)
        sys.exit(2)
    with session_scope(current_app) as session, file.open("w", encoding="utf-8") as out:
        header = write_export(session, out, _date(start), _date(end))
    span = f" (seq {header['first_seq']}..{header['last_seq']})" if header["records"] else ""
    click.echo(f"wrote {header['records']} records{span} and {header['checkpoints']} checkpoints to {file}")
