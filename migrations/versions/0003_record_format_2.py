"""decision records keep inputs, trace, actor and service version; token expiry; claim history columns

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))

    # records written before this revision are format 1: their hash covers only the original fields; a kind
    # may now be as long as 'contribution_assessment'
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=20), type_=sa.String(length=32),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('format', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('inputs', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('trace', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('actor', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('service_version', sa.String(length=64), nullable=True))

    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('officer_token_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_claims_outcome'), ['outcome'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_outcome'))
        batch_op.drop_column('updated_at')
        batch_op.drop_column('officer_token_id')

    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_column('service_version')
        batch_op.drop_column('request_id')
        batch_op.drop_column('actor')
        batch_op.drop_column('trace')
        batch_op.drop_column('inputs')
        batch_op.drop_column('format')
        batch_op.alter_column('kind', existing_type=sa.String(length=32), type_=sa.String(length=20),
                              existing_nullable=False)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
