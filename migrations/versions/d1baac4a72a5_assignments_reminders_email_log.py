"""assignments with due dates, email preferences and the reminders' sent-log

Revision ID: d1baac4a72a5
Revises: b2d2f7fc7450
Create Date: 2026-12-07 12:55:36.647254

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd1baac4a72a5'
down_revision = 'b2d2f7fc7450'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=True),
    sa.Column('everyone', sa.Boolean(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('new_member_days', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_assignments_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_assignments_department_id_departments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_department_id'), ['department_id'], unique=False)

    op.create_table('email_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reminders', sa.Boolean(), nullable=False),
    sa.Column('digest', sa.Boolean(), nullable=False),
    sa.Column('messages', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_email_preferences'))
    )
    op.create_table('email_sends',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_sends_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_sends')),
    sa.UniqueConstraint('user_id', 'kind', 'period', name=op.f('uq_email_sends_user_id_kind_period'))
    )
    with op.batch_alter_table('email_sends', schema=None) as batch_op:
        batch_op.create_index('ix_email_sends_kind_period', ['kind', 'period'], unique=False)
    op.create_table('assigned_learners',
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('relative', sa.Boolean(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_assigned_learners_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assigned_learners_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assignment_id', 'user_id', name=op.f('pk_assigned_learners'))
    )
    with op.batch_alter_table('assigned_learners', schema=None) as batch_op:
        batch_op.create_index('ix_assigned_learners_user_id', ['user_id'], unique=False)

    op.create_table('assignment_modules',
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_assignment_modules_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_assignment_modules_module_id_modules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assignment_id', 'module_id', name=op.f('pk_assignment_modules'))
    )


def downgrade():
    op.drop_table('assignment_modules')
    with op.batch_alter_table('assigned_learners', schema=None) as batch_op:
        batch_op.drop_index('ix_assigned_learners_user_id')

    op.drop_table('assigned_learners')
    with op.batch_alter_table('email_sends', schema=None) as batch_op:
        batch_op.drop_index('ix_email_sends_kind_period')
    op.drop_table('email_sends')
    op.drop_table('email_preferences')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_department_id'))

    op.drop_table('assignments')
