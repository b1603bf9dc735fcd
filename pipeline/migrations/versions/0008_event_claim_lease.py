"""A claim lease on events: a dead worker's event is re-sent within seconds (issue 10, finding 2).

Revision ID: 0008
Revises: 0010
Create Date: event claim lease

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add `events.lease_until`: until when the worker that claimed the event holds it."""
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table('events') as batch:
        batch.drop_column('lease_until')
