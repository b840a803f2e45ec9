"""continuing education credit: claims, credit profiles, disclosure acknowledgements; a
series's credit and disclosures; the evaluation's outcome questions and follow-up

Revision ID: 9ded17ea4000
Revises: d1baac4a72a5
Create Date: 2026-12-07 12:57:25.531293

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9ded17ea4000'
down_revision = 'd1baac4a72a5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('credit_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('learner_name', sa.String(length=120), nullable=False),
    sa.Column('learner_email', sa.String(length=254), nullable=True),
    sa.Column('profession', sa.String(length=30), nullable=False),
    sa.Column('credit_type', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('seconds_recorded', sa.Integer(), nullable=False),
    sa.Column('activity_title', sa.String(length=300), nullable=False),
    sa.Column('provider', sa.String(length=300), nullable=False),
    sa.Column('release', sa.Date(), nullable=False),
    sa.Column('expires', sa.Date(), nullable=False),
    sa.Column('designation', sa.JSON(), nullable=False),
    sa.Column('share_name', sa.Boolean(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retain_until', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_credit_claims_series_id_series')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_credit_claims_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_claims')),
    sa.UniqueConstraint('uid', name=op.f('uq_credit_claims_uid')),
    sa.UniqueConstraint('user_id', 'series_id', 'credit_type', name=op.f('uq_credit_claims_user_id_series_id_credit_type'))
    )
    with op.batch_alter_table('credit_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_claims_user_id'), ['user_id'], unique=False)

    op.create_table('credit_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('profession', sa.String(length=30), nullable=True),
    sa.Column('pars_consented_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('board', sa.String(length=120), nullable=True),
    sa.Column('board_id', sa.String(length=40), nullable=True),
    sa.Column('birth_month', sa.Integer(), nullable=True),
    sa.Column('birth_day', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_credit_profiles_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_credit_profiles'))
    )
    op.create_table('disclosure_acknowledgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_disclosure_acknowledgements_series_id_series')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_disclosure_acknowledgements_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_acknowledgements')),
    sa.UniqueConstraint('user_id', 'series_id', 'digest', name=op.f('uq_disclosure_acknowledgements_user_id_series_id_digest'))
    )
    with op.batch_alter_table('programme_evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('competence', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('performance', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('follow_up', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('follow_up_sent_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('disclosures', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.drop_column('disclosures')
        batch_op.drop_column('credit')

    with op.batch_alter_table('programme_evaluations', schema=None) as batch_op:
        batch_op.drop_column('follow_up_sent_at')
        batch_op.drop_column('follow_up')
        batch_op.drop_column('performance')
        batch_op.drop_column('competence')

    op.drop_table('disclosure_acknowledgements')
    op.drop_table('credit_profiles')
    with op.batch_alter_table('credit_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_claims_user_id'))

    op.drop_table('credit_claims')
