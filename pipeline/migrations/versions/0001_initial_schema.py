"""Initial schema of the badgeline store (matches pipeline.store.models at 0001).

Revision ID: 0001
Revises: 
Create Date: initial

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Create every table, constraint and index."""
    op.create_table('issuer_keys',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('public_key_multibase', sa.String(length=128), nullable=False),
    sa.Column('key_ref', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuer_keys')),
    sa.UniqueConstraint('public_key_multibase', name=op.f('uq_issuer_keys_public_key_multibase'))
    )
    op.create_table('learners',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('did', sa.String(length=500), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('email_hash', sa.String(length=64), nullable=True),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learners')),
    sa.UniqueConstraint('did', name=op.f('uq_learners_did')),
    sa.UniqueConstraint('email', name=op.f('uq_learners_email'))
    )
    op.create_index(op.f('ix_learners_email_hash'), 'learners', ['email_hash'], unique=False)
    op.create_table('providers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_providers')),
    sa.UniqueConstraint('name', name=op.f('uq_providers_name'))
    )
    op.create_table('status_lists',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('allocated', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("purpose IN ('revocation', 'suspension')", name=op.f('ck_status_lists_purpose')),
    sa.CheckConstraint('allocated >= 0 AND allocated <= size', name=op.f('ck_status_lists_allocated')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_lists'))
    )
    op.create_table('api_keys',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('provider_id', sa.String(length=36), nullable=False),
    sa.Column('prefix', sa.String(length=32), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_api_keys_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    op.create_index(op.f('ix_api_keys_provider_id'), 'api_keys', ['provider_id'], unique=False)
    op.create_table('events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('provider_id', sa.String(length=36), nullable=False),
    sa.Column('provider_event_id', sa.String(length=255), nullable=False),
    sa.Column('raw_payload', sa.LargeBinary(), nullable=False),
    sa.Column('payload_sha256', sa.String(length=64), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=False),
    sa.Column('parsed', sa.JSON(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('outcome_code', sa.String(length=64), nullable=True),
    sa.Column('outcome_message', sa.Text(), nullable=True),
    sa.Column('learner_id', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('task_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("format IN ('native', 'xapi', 'caliper', 'csv')", name=op.f('ck_events_format')),
    sa.CheckConstraint("state IN ('received', 'processing', 'processed', 'rejected')", name=op.f('ck_events_state')),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_events_learner_id_learners')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_events_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('provider_id', 'provider_event_id', name=op.f('uq_events_provider_id_provider_event_id'))
    )
    op.create_index(op.f('ix_events_learner_id'), 'events', ['learner_id'], unique=False)
    op.create_index(op.f('ix_events_state_received_at'), 'events', ['state', 'received_at'], unique=False)
    op.create_table('awards',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('framework_code', sa.String(length=32), nullable=False),
    sa.Column('framework_version', sa.String(length=32), nullable=False),
    sa.Column('level', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.Column('awarded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_awards_event_id_events')),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_awards_learner_id_learners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_awards')),
    sa.UniqueConstraint('learner_id', 'framework_code', 'framework_version', 'level', name=op.f('uq_awards_learner_id_framework_code_framework_version_level'))
    )
    op.create_index(op.f('ix_awards_event_id'), 'awards', ['event_id'], unique=False)
    op.create_table('evidence',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('framework_code', sa.String(length=32), nullable=False),
    sa.Column('framework_version', sa.String(length=32), nullable=False),
    sa.Column('statement_code', sa.String(length=16), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('provider_id', sa.String(length=36), nullable=False),
    sa.Column('assessment_id', sa.String(length=500), nullable=False),
    sa.Column('assessment_name', sa.String(length=500), nullable=False),
    sa.Column('assessment_url', sa.String(length=1000), nullable=True),
    sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_evidence_event_id_events')),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_evidence_learner_id_learners')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_evidence_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('event_id', 'statement_code', name=op.f('uq_evidence_event_id_statement_code'))
    )
    op.create_index(op.f('ix_evidence_learner_id_framework_code_framework_version'), 'evidence', ['learner_id', 'framework_code', 'framework_version'], unique=False)
    op.create_table('credentials',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_list_id', sa.String(length=100), nullable=True),
    sa.Column('status_index', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('suspended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'], name=op.f('fk_credentials_award_id_awards')),
    sa.ForeignKeyConstraint(['status_list_id'], ['status_lists.id'], name=op.f('fk_credentials_status_list_id_status_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credentials')),
    sa.UniqueConstraint('award_id', name=op.f('uq_credentials_award_id'))
    )
    op.create_table('status_slots',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('status_list_id', sa.String(length=100), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.String(length=100), nullable=True),
    sa.Column('allocated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['credentials.id'], name=op.f('fk_status_slots_credential_id_credentials')),
    sa.ForeignKeyConstraint(['status_list_id'], ['status_lists.id'], name=op.f('fk_status_slots_status_list_id_status_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_slots')),
    sa.UniqueConstraint('status_list_id', 'index', name=op.f('uq_status_slots_status_list_id_index'))
    )
    op.create_index(op.f('ix_status_slots_credential_id'), 'status_slots', ['credential_id'], unique=False)


def downgrade() -> None:
    """Drop everything `upgrade` created, in reverse order."""
    op.drop_index(op.f('ix_status_slots_credential_id'), table_name='status_slots')
    op.drop_table('status_slots')
    op.drop_table('credentials')
    op.drop_index(op.f('ix_evidence_learner_id_framework_code_framework_version'), table_name='evidence')
    op.drop_table('evidence')
    op.drop_index(op.f('ix_awards_event_id'), table_name='awards')
    op.drop_table('awards')
    op.drop_index(op.f('ix_events_state_received_at'), table_name='events')
    op.drop_index(op.f('ix_events_learner_id'), table_name='events')
    op.drop_table('events')
    op.drop_index(op.f('ix_api_keys_provider_id'), table_name='api_keys')
    op.drop_table('api_keys')
    op.drop_table('status_lists')
    op.drop_table('providers')
    op.drop_index(op.f('ix_learners_email_hash'), table_name='learners')
    op.drop_table('learners')
    op.drop_table('issuer_keys')
