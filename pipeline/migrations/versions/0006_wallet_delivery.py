"""Wallet delivery: several credentials per award (holder-bound copies), offers and nonces.

Revision ID: 0006
Revises: 0005
Create Date: delivery into wallets (OID4VCI, VC API exchange)

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Drop UNIQUE(credentials.award_id) (index it instead), add `derived_from` and `bound_to_did`,
    create `wallet_offers` and `wallet_nonces`."""
    with op.batch_alter_table('credentials') as batch:
        batch.drop_constraint('uq_credentials_award_id', type_='unique')
        batch.add_column(sa.Column('derived_from', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('bound_to_did', sa.String(length=500), nullable=True))
        batch.create_foreign_key('fk_credentials_derived_from_credentials', 'credentials', ['derived_from'], ['id'])
        batch.create_index('ix_credentials_award_id', ['award_id'], unique=False)
    op.create_table('wallet_offers',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('credential_id', sa.String(length=100), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('challenge', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('redeemed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('access_token_hash', sa.String(length=64), nullable=True),
    sa.Column('token_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('holder_did', sa.String(length=500), nullable=True),
    sa.Column('issued_credential_id', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['credential_id'], ['credentials.id'], name=op.f('fk_wallet_offers_credential_id_credentials')),
    sa.ForeignKeyConstraint(['issued_credential_id'], ['credentials.id'],
                            name=op.f('fk_wallet_offers_issued_credential_id_credentials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_offers')),
    sa.UniqueConstraint('access_token_hash', name=op.f('uq_wallet_offers_access_token_hash')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_wallet_offers_code_hash'))
    )
    op.create_index(op.f('ix_wallet_offers_credential_id'), 'wallet_offers', ['credential_id'], unique=False)
    op.create_table('wallet_nonces',
    sa.Column('value_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('value_hash', name=op.f('pk_wallet_nonces'))
    )


def downgrade() -> None:
    """Drop the tables and columns; UNIQUE(award_id) comes back (fails if an award has copies)."""
    op.drop_table('wallet_nonces')
    op.drop_index(op.f('ix_wallet_offers_credential_id'), table_name='wallet_offers')
    op.drop_table('wallet_offers')
    with op.batch_alter_table('credentials') as batch:
        batch.drop_index('ix_credentials_award_id')
        batch.drop_constraint('fk_credentials_derived_from_credentials', type_='foreignkey')
        batch.drop_column('bound_to_did')
        batch.drop_column('derived_from')
        batch.create_unique_constraint('uq_credentials_award_id', ['award_id'])
