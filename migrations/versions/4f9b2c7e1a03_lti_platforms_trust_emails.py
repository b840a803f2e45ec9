"""lti_platforms.trust_emails: whether a platform's addresses may link existing accounts

Revision ID: 4f9b2c7e1a03
Revises: 5c7e2a9b1f04
Create Date: 2026-12-07 14:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4f9b2c7e1a03'
down_revision = '5c7e2a9b1f04'
branch_labels = None
depends_on = None


def upgrade():
    # Existing registrations keep not linking by address unless an administrator says so.
    with op.batch_alter_table('lti_platforms') as batch_op:
        batch_op.add_column(sa.Column('trust_emails', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('lti_platforms') as batch_op:
        batch_op.drop_column('trust_emails')
