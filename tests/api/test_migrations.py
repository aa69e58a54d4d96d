"""Migrations build exactly the models' schema, and go down to base and up again, on SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from api.db import make_engine
from api.migrate import alembic_config, downgrade, upgrade
from api.models import Base
from tests.conftest import PG_URL


@pytest.fixture
def engine(migrated_template: str, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, empty SQLite file; or the shared PostgreSQL test database, which is left at head."""
    if PG_URL:
        engine = make_engine(PG_URL)
        try:
            yield engine
        finally:
            upgrade(engine)
            engine.dispose()
        return
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    yield engine
    engine.dispose()


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, Base.metadata))


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def _revisions(engine: Engine) -> list[str]:
    """Revision ids from base to head."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_one_linear_history(engine: Engine) -> None:
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert len(script.get_heads()) == 1, script.get_heads()
    assert len(script.get_bases()) == 1, script.get_bases()


def test_upgrade_head_matches_the_models(engine: Engine) -> None:
    if PG_URL:
        downgrade(engine, "base")
        assert _tables(engine) == set()
    upgrade(engine)
    assert _tables(engine) == set(Base.metadata.tables)
    assert _differences(engine) == []


def test_downgrade_to_base_and_up_again(engine: Engine) -> None:
    upgrade(engine)
    downgrade(engine, "base")
    assert _tables(engine) == set()
    upgrade(engine)
    assert _tables(engine) == set(Base.metadata.tables)
    assert _differences(engine) == []


def test_each_revision_goes_down_and_up(engine: Engine) -> None:
    revisions = _revisions(engine)
    downgrade(engine, "base")
    for revision in revisions:
        upgrade(engine, revision)
        downgrade(engine, "-1")
        upgrade(engine, revision)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == (revisions[-1],)
    assert _differences(engine) == []
