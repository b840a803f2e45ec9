"""credentials that mean something: quiz policies per version, drawn attempts, viewing;
case guides' participant handouts

Revision ID: 7a3e5c1d9b20
Revises: 5e1c0a7d2b9f
Create Date: 2026-12-07 10:50:00

Versions stored before this get the defaults their front matter would give them today:
a required module reveals its key after a pass and completes when viewed and passed; an
optional one reveals always and completes when passed. Existing completions are kept.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a3e5c1d9b20'
down_revision = '5e1c0a7d2b9f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('module_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('questions_per_attempt', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reveal', sa.String(length=10), nullable=False,
                                      server_default='after_pass'))
        batch_op.add_column(sa.Column('retake_after_minutes', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('max_attempts_per_day', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('complete_when', sa.String(length=20), nullable=False,
                                      server_default='viewed_and_passed'))
        # Filled by the next sync (the renderer version moves, so stored versions render again).
        batch_op.add_column(sa.Column('handout_html', sa.Text(), nullable=True))
    versions = sa.table('module_versions', sa.column('required', sa.Boolean()),
                        sa.column('reveal', sa.String()), sa.column('complete_when', sa.String()))
    op.execute(versions.update().where(versions.c.required == sa.false())
               .values(reveal='always', complete_when='passed'))
    with op.batch_alter_table('module_versions', schema=None) as batch_op:
        batch_op.alter_column('reveal', server_default=None)
        batch_op.alter_column('retake_after_minutes', server_default=None)
        batch_op.alter_column('complete_when', server_default=None)

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('questions', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('choice_orders', sa.JSON(), nullable=True))

    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('viewed_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        'quiz_draws',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('module_id', sa.Integer(), nullable=False),
        sa.Column('module_version_id', sa.Integer(), nullable=False),
        sa.Column('questions', sa.JSON(), nullable=False),
        sa.Column('choice_orders', sa.JSON(), nullable=False),
        sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'],
                                name=op.f('fk_quiz_draws_attempt_id_attempts')),
        sa.ForeignKeyConstraint(['module_id'], ['modules.id'],
                                name=op.f('fk_quiz_draws_module_id_modules')),
        sa.ForeignKeyConstraint(['module_version_id'], ['module_versions.id'],
                                name=op.f('fk_quiz_draws_module_version_id_module_versions')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_quiz_draws_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_draws')),
        sa.UniqueConstraint('attempt_id', name=op.f('uq_quiz_draws_attempt_id')),
    )
    op.create_index('ix_quiz_draws_user_module', 'quiz_draws',
                    ['user_id', 'module_id', 'drawn_at'], unique=False)


def downgrade():
    op.drop_index('ix_quiz_draws_user_module', table_name='quiz_draws')
    op.drop_table('quiz_draws')
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.drop_column('viewed_at')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('choice_orders')
        batch_op.drop_column('questions')
    with op.batch_alter_table('module_versions', schema=None) as batch_op:
        batch_op.drop_column('handout_html')
        batch_op.drop_column('complete_when')
        batch_op.drop_column('max_attempts_per_day')
        batch_op.drop_column('retake_after_minutes')
        batch_op.drop_column('reveal')
        batch_op.drop_column('questions_per_attempt')
