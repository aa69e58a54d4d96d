"""impact analysis jobs: replay_jobs, their chunks and the decisions they changed

Revision ID: 0006
Revises: 0004

(0005 is another branch's number; whoever merges sets down_revision to the latest revision on main.)
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('replay_jobs',
    sa.Column('job_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('date_from', sa.Date(), nullable=False),
    sa.Column('date_to', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=True),
    sa.Column('ruleset', sa.String(length=71), nullable=False),
    sa.Column('shard_index', sa.Integer(), server_default='1', nullable=False),
    sa.Column('shard_count', sa.Integer(), server_default='1', nullable=False),
    sa.Column('upto_seq', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('error', sa.String(length=2000), nullable=True),
    sa.Column('actor', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('job_id')
    )
    with op.batch_alter_table('replay_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_replay_jobs_status'), ['status'], unique=False)

    op.create_table('replay_chunks',
    sa.Column('job_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('first_seq', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('attempt', sa.Integer(), server_default='0', nullable=False),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tally', sa.JSON(), nullable=True),
    sa.Column('error', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['replay_jobs.job_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', 'number')
    )
    op.create_table('replay_changes',
    sa.Column('job_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('claim_type', sa.String(length=3), nullable=True),
    sa.Column('bucket', sa.String(length=20), nullable=False),
    sa.Column('outcome_before', sa.String(length=10), nullable=True),
    sa.Column('outcome_after', sa.String(length=10), nullable=True),
    sa.Column('total_before', sa.BigInteger(), nullable=True),
    sa.Column('total_after', sa.BigInteger(), nullable=True),
    sa.Column('differences', sa.JSON(), nullable=False),
    sa.Column('error', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['replay_jobs.job_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', 'seq')
    )


def downgrade() -> None:
    op.drop_table('replay_changes')
    op.drop_table('replay_chunks')
    with op.batch_alter_table('replay_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_replay_jobs_status'))
    op.drop_table('replay_jobs')
