"""Alembic migrations run programmatically, so `flask db upgrade` and the tests share one code path."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from .config import ROOT


def alembic_config(engine: Engine) -> Config:
    """An Alembic config bound to ``engine`` (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema down to ``revision``."""
    command.downgrade(alembic_config(engine), revision)
