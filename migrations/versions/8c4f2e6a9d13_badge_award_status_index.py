"""credentials: each award's index in the issuer's Bitstring Status List

Revision ID: 8c4f2e6a9d13
Revises: 3b7d9e2f4a61
Create Date: 2026-12-07 11:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c4f2e6a9d13'
down_revision = "3b7d9e2f4a61"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('badge_awards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_index', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_badge_awards_status_index'), ['status_index'])
    # Awards issued before status lists take their id, as new ones do.
    op.execute('UPDATE badge_awards SET status_index = id')


def downgrade():
    with op.batch_alter_table('badge_awards', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_badge_awards_status_index'), type_='unique')
        batch_op.drop_column('status_index')
