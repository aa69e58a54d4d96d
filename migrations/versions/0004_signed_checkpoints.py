"""signed checkpoints of the decision log and their keys; triggers refuse UPDATE and DELETE on the log

Revision ID: 0004
Revises: 0003

The triggers are dialect-specific SQL, so a later migration that rebuilds one of these tables on SQLite
(``batch_alter_table`` copies the table and drops the old one, with its triggers) must create them again.
TRUNCATE is not refused: PostgreSQL does not fire row triggers for it; a saved checkpoint catches an emptied log.
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

APPEND_ONLY = ('decisions', 'checkpoints', 'signing_keys')


def _create_triggers() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("""
            CREATE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'restrict_violation';
            END $$""")
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()")
        return
    for table in APPEND_ONLY:
        for action in ('UPDATE', 'DELETE'):
            op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} BEGIN "
                       f"SELECT RAISE(ABORT, '{action} on {table} refused: the table is append-only'); END")


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION refuse_append_only_change()")
        return
    for table in APPEND_ONLY:
        for action in ('update', 'delete'):
            op.execute(f"DROP TRIGGER {table}_no_{action}")


def upgrade() -> None:
    op.create_table('signing_keys',
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.Column('algorithm', sa.String(length=16), nullable=False),
    sa.Column('public_key', sa.Text(), nullable=False),
    sa.Column('first_used_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key_id')
    )
    op.create_table('checkpoints',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.Column('signature', sa.String(length=88), nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['signing_keys.key_id'], ),
    sa.PrimaryKeyConstraint('seq')
    )
    with op.batch_alter_table('checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkpoints_signed_at'), ['signed_at'], unique=False)
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    with op.batch_alter_table('checkpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkpoints_signed_at'))
    op.drop_table('checkpoints')
    op.drop_table('signing_keys')
