"""Credential lifecycle: revocation reason and audit trail, status-list signing versions,
expiry (`valid_until`) and renewals (`awards.renewal` in the unique key, `replaces_id`).

Revision ID: 0003
Revises: 0002
Create Date: credential lifecycle (issue 8)

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OLD_AWARD_KEY = 'uq_awards_learner_id_framework_code_framework_version_level'
NEW_AWARD_KEY = 'uq_awards_learner_level_renewal'


def _not_null_int(table: str, *names: str) -> None:
    """Add NOT NULL integer columns filled with 0, then drop the server default (the models
    keep every default Python-side)."""
    with op.batch_alter_table(table) as batch:
        for name in names:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table(table) as batch:
        for name in names:
            batch.alter_column(name, existing_type=sa.Integer(), server_default=None)


def upgrade() -> None:
    """Add the columns and the audit table; widen the award key with `renewal`."""
    _not_null_int('awards', 'renewal')
    with op.batch_alter_table('awards') as batch:
        batch.drop_constraint(OLD_AWARD_KEY, type_='unique')
        batch.create_unique_constraint(NEW_AWARD_KEY,
                                       ['learner_id', 'framework_code', 'framework_version', 'level', 'renewal'])
    _not_null_int('status_lists', 'bits_version', 'signed_bits_version')
    with op.batch_alter_table('credentials') as batch:
        batch.add_column(sa.Column('revocation_reason', sa.Text(), nullable=True))
        batch.add_column(sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('replaces_id', sa.String(length=100), nullable=True))
        batch.create_foreign_key(op.f('fk_credentials_replaces_id_credentials'), 'credentials',
                                 ['replaces_id'], ['id'])
        batch.create_index(op.f('ix_credentials_valid_until'), ['valid_until'], unique=False)
        batch.create_index(op.f('ix_credentials_replaces_id'), ['replaces_id'], unique=False)
    op.create_table(
        'credential_audit',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('credential_id', sa.String(length=100), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('actor', sa.String(length=16), nullable=False),
        sa.Column('provider_id', sa.String(length=36), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("actor IN ('provider', 'admin', 'cli')", name=op.f('ck_credential_audit_actor')),
        sa.ForeignKeyConstraint(['credential_id'], ['credentials.id'],
                                name=op.f('fk_credential_audit_credential_id_credentials')),
        sa.ForeignKeyConstraint(['provider_id'], ['providers.id'],
                                name=op.f('fk_credential_audit_provider_id_providers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_credential_audit')),
    )
    op.create_index(op.f('ix_credential_audit_credential_id'), 'credential_audit', ['credential_id'], unique=False)


def downgrade() -> None:
    """Drop what upgrade added (renewed awards must be deleted first: the old key refuses them)."""
    op.drop_index(op.f('ix_credential_audit_credential_id'), table_name='credential_audit')
    op.drop_table('credential_audit')
    with op.batch_alter_table('credentials') as batch:
        batch.drop_index(op.f('ix_credentials_replaces_id'))
        batch.drop_index(op.f('ix_credentials_valid_until'))
        batch.drop_constraint(op.f('fk_credentials_replaces_id_credentials'), type_='foreignkey')
        batch.drop_column('replaces_id')
        batch.drop_column('valid_until')
        batch.drop_column('revocation_reason')
    with op.batch_alter_table('status_lists') as batch:
        batch.drop_column('signed_bits_version')
        batch.drop_column('bits_version')
    with op.batch_alter_table('awards') as batch:
        batch.drop_constraint(NEW_AWARD_KEY, type_='unique')
        batch.create_unique_constraint(OLD_AWARD_KEY, ['learner_id', 'framework_code', 'framework_version', 'level'])
        batch.drop_column('renewal')
