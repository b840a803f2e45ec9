"""accounts: verified email, creating department, link generation, invite limits, requests

Existing accounts count as verified only where the audit log shows the person used a
reset-password link (mailed to that address). A set-password link doesn't count: a lead may
have handed it over in person, so it proves nothing about the mailbox. Every other existing
account verifies by link the next time it matters. Existing invites keep working
but now expire 30 days after this upgrade.

Revision ID: a7c3e91b5d20
Revises: 8c4f2e6a9d13
Create Date: 2026-12-07 11:05:00

"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e91b5d20'
down_revision = "8c4f2e6a9d13"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('created_by_department_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('link_generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_users_created_by_department_id_departments'), 'departments', ['created_by_department_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('department_invites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('max_uses', sa.Integer(), nullable=True))

    op.create_table('membership_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_membership_requests_department_id_departments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_membership_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_membership_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_requests'))
    )
    with op.batch_alter_table('membership_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_requests_user_id'), ['user_id'], unique=False)

    # Who used a link that reached them by mail has proved the address.
    op.execute(
        "UPDATE users SET email_verified_at = (SELECT MIN(audit_events.created_at) "
        "FROM audit_events WHERE audit_events.target_type = 'user' "
        "AND audit_events.target_id = users.id "
        "AND audit_events.action = 'auth.reset-password')"
    )
    invites = sa.table('department_invites', sa.column('expires_at', sa.DateTime(timezone=True)),
                       sa.column('revoked_at', sa.DateTime(timezone=True)))
    op.execute(invites.update().where(invites.c.revoked_at.is_(None))
               .values(expires_at=datetime.now(UTC) + timedelta(days=30)))


def downgrade():
    with op.batch_alter_table('membership_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_requests_user_id'))

    op.drop_table('membership_requests')
    with op.batch_alter_table('department_invites', schema=None) as batch_op:
        batch_op.drop_column('max_uses')
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_created_by_department_id_departments'), type_='foreignkey')
        batch_op.drop_column('link_generation')
        batch_op.drop_column('created_by_department_id')
        batch_op.drop_column('email_verified_at')
