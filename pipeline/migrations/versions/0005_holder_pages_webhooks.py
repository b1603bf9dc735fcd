"""Holder pages, collections and provider webhooks (issue 9).

Adds `credentials.hidden_at` (`credentials.valid_until` comes with migration 0003), the learner's
collection link (`learner_collections`: salt and token hash only), provider
webhooks and their delivery outbox.

Revision ID: 0005
Revises: 0009
Create Date: holder pages and webhooks

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add `credentials.hidden_at` and the three tables."""
    with op.batch_alter_table('credentials') as batch:
        batch.add_column(sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('learner_collections',
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_learner_collections_learner_id_learners')),
    sa.PrimaryKeyConstraint('learner_id', name=op.f('pk_learner_collections')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_learner_collections_token_hash'))
    )
    op.create_table('webhooks',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('provider_id', sa.String(length=36), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('secret', sa.String(length=128), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_webhooks_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhooks'))
    )
    op.create_index(op.f('ix_webhooks_provider_id'), 'webhooks', ['provider_id'], unique=False)
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('webhook_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('credential_id', sa.String(length=100), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'delivered', 'failed')", name=op.f('ck_webhook_deliveries_state')),
    sa.ForeignKeyConstraint(['credential_id'], ['credentials.id'],
                            name=op.f('fk_webhook_deliveries_credential_id_credentials')),
    sa.ForeignKeyConstraint(['webhook_id'], ['webhooks.id'], name=op.f('fk_webhook_deliveries_webhook_id_webhooks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('webhook_id', 'event_type', 'credential_id',
                        name=op.f('uq_webhook_deliveries_webhook_id_event_type_credential_id'))
    )
    op.create_index(op.f('ix_webhook_deliveries_credential_id'), 'webhook_deliveries', ['credential_id'], unique=False)
    op.create_index(op.f('ix_webhook_deliveries_state_next_attempt_at'), 'webhook_deliveries',
                    ['state', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    """Drop the three tables and the column."""
    op.drop_index(op.f('ix_webhook_deliveries_state_next_attempt_at'), table_name='webhook_deliveries')
    op.drop_index(op.f('ix_webhook_deliveries_credential_id'), table_name='webhook_deliveries')
    op.drop_table('webhook_deliveries')
    op.drop_index(op.f('ix_webhooks_provider_id'), table_name='webhooks')
    op.drop_table('webhooks')
    op.drop_table('learner_collections')
    with op.batch_alter_table('credentials') as batch:
        batch.drop_column('hidden_at')
