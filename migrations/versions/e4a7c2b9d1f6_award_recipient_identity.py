"""awards: the recipient identity each credential names, fixed when the badge is issued

Existing awards get the hash of their earner's current address with their own salt, which
is what their credentials have named until now.

Revision ID: e4a7c2b9d1f6
Revises: 9ded17ea4000
Create Date: 2026-12-07 14:20:00

"""
import hashlib

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4a7c2b9d1f6'
down_revision = '9ded17ea4000'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('badge_awards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient_identity', sa.String(length=80), nullable=True))
    connection = op.get_bind()
    awards = connection.execute(sa.text(
        "SELECT badge_awards.id, badge_awards.salt, users.email FROM badge_awards "
        "JOIN users ON users.id = badge_awards.user_id")).all()
    for award_id, salt, email in awards:
        identity = "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
        connection.execute(sa.text("UPDATE badge_awards SET recipient_identity = :identity "
                                   "WHERE id = :id"), {"identity": identity, "id": award_id})
    with op.batch_alter_table('badge_awards', schema=None) as batch_op:
        batch_op.alter_column('recipient_identity', existing_type=sa.String(length=80),
                              nullable=False)


def downgrade():
    with op.batch_alter_table('badge_awards', schema=None) as batch_op:
        batch_op.drop_column('recipient_identity')
