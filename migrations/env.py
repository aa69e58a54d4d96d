"""Alembic environment: the engine comes from api.migrate (the app's DATABASE_URL)."""

from alembic import context

from api.models import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
