"""speed: content_state, the stamp every change of live content draws anew

Revision ID: 5e1c0a7d2b9f
Revises: fbe994756818
Create Date: 2026-11-21 09:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1c0a7d2b9f'
down_revision = 'fbe994756818'
branch_labels = None
depends_on = None


def upgrade():
    state = op.create_table(
        'content_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_state')),
    )
    op.bulk_insert(state, [{'id': 1, 'stamp': 0}])


def downgrade():
    op.drop_table('content_state')
