"""credit per module: a module version's own credit; a claim's module (blank for the series)

Revision ID: 5c7e2a9b1f04
Revises: e4a7c2b9d1f6
Create Date: 2026-12-07 14:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c7e2a9b1f04'
down_revision = 'e4a7c2b9d1f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('module_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit', sa.JSON(), nullable=True))

    # Existing claims are the series' own: module_slug "" keeps them valid and unique.
    with op.batch_alter_table('credit_claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('module_slug', sa.String(length=100), server_default='',
                                      nullable=False))
        batch_op.drop_constraint('uq_credit_claims_user_id_series_id_credit_type', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_credit_claims_user_id_series_id_module_slug_credit_type'),
            ['user_id', 'series_id', 'module_slug', 'credit_type'])


def downgrade():
    # Module claims can't fit the series-only constraint: they go with the column.
    op.execute("DELETE FROM credit_claims WHERE module_slug <> ''")
    with op.batch_alter_table('credit_claims', schema=None) as batch_op:
        batch_op.drop_constraint('uq_credit_claims_user_id_series_id_module_slug_credit_type',
                                 type_='unique')
        batch_op.create_unique_constraint('uq_credit_claims_user_id_series_id_credit_type',
                                          ['user_id', 'series_id', 'credit_type'])
        batch_op.drop_column('module_slug')

    with op.batch_alter_table('module_versions', schema=None) as batch_op:
        batch_op.drop_column('credit')
