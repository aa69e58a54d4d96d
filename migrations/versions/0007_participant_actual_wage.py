"""participants: the actual monthly wage when the employer reported less (PDS upah)

Revision ID: 0007
Revises: 0006

(Another branch may hold 0007 too; whoever merges sets down_revision to the latest revision on main.)
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actual_wage', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('actual_wage')
