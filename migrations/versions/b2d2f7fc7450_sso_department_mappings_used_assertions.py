"""single sign-on: department mapping from the identity provider's claim; used SAML assertions

Revision ID: b2d2f7fc7450
Revises: 3c18a2c7d0ea
Create Date: 2026-12-08 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2d2f7fc7450'
down_revision = '3c18a2c7d0ea'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sso_department_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_sso_department_mappings_department_id_departments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_department_mappings')),
    sa.UniqueConstraint('value', name=op.f('uq_sso_department_mappings_value'))
    )
    with op.batch_alter_table('sso_department_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_department_mappings_department_id'), ['department_id'], unique=False)
    op.create_table('sso_used_assertions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('assertion_id', sa.String(length=255), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_used_assertions')),
    sa.UniqueConstraint('issuer', 'assertion_id', name=op.f('uq_sso_used_assertions_issuer_assertion_id'))
    )
    with op.batch_alter_table('sso_used_assertions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_used_assertions_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sso_used_assertions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_used_assertions_expires_at'))
    op.drop_table('sso_used_assertions')
    with op.batch_alter_table('sso_department_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_department_mappings_department_id'))
    op.drop_table('sso_department_mappings')
