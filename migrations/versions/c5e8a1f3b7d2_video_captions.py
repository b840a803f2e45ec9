"""video captions: each module version's WebVTT captions file

Revision ID: c5e8a1f3b7d2
Revises: b1d4e6f8a2c3
Create Date: 2026-12-07 13:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5e8a1f3b7d2'
down_revision = 'b1d4e6f8a2c3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('module_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('captions', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('module_versions', schema=None) as batch_op:
        batch_op.drop_column('captions')
