"""Learners named only by a provider's account of them (xAPI `actor.account`).

Adds `learners.account` (`provider id|homePage#name`, a unique index): see `pipeline.store.learners`.

Revision ID: 0010
Revises: 0006
Create Date: learner accounts

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add `learners.account` and its unique index (no table rebuild on SQLite)."""
    op.add_column('learners', sa.Column('account', sa.String(length=800), nullable=True))
    op.create_index(op.f('ix_learners_account'), 'learners', ['account'], unique=True)


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index(op.f('ix_learners_account'), table_name='learners')
    with op.batch_alter_table('learners') as batch:
        batch.drop_column('account')
