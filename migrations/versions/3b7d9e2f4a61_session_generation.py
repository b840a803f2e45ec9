"""sign-in: users.session_generation, bumped to end every session and remember cookie

Revision ID: 3b7d9e2f4a61
Revises: 7a3e5c1d9b20
Create Date: 2026-12-07 10:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7d9e2f4a61'
down_revision = "7a3e5c1d9b20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
