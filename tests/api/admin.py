"""What a database administrator can do that the service cannot: lift the append-only triggers for a while.

The decision log's triggers (migration 0004) refuse UPDATE and DELETE to the service and to anyone who does not
take them away first. An administrator can: on PostgreSQL by disabling them, on SQLite by dropping and
re-creating them, inside the transaction of the change. The tamper tests do exactly that; what catches them
then is the chain and, for a rewrite that recomputes every hash, a checkpoint saved earlier.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

APPEND_ONLY = ("decisions", "checkpoints", "signing_keys")


@contextmanager
def append_only_lifted(session: Session, tables: tuple[str, ...] = APPEND_ONLY) -> Iterator[None]:
    """Within the session's transaction: triggers off, the caller's changes, triggers back on."""
    if session.get_bind().dialect.name == "postgresql":
        for table in tables:
            session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        yield
        for table in tables:
            session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        return
    names = ", ".join(f"'{table}'" for table in tables)
    triggers = session.execute(text(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                    f"AND tbl_name IN ({names})")).all()
    assert triggers, "the append-only triggers are missing"
    for name, _ in triggers:
        session.execute(text(f"DROP TRIGGER {name}"))
    yield
    for _, sql in triggers:
        session.execute(text(sql))
