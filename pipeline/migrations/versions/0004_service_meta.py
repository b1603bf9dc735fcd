"""Record facts about the deployment with the data: the public base URL and its aliases.

Revision ID: 0004
Revises: 0003
Create Date: public URL recorded in the store

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Create `service_meta` (key, JSON value, updated_at)."""
    op.create_table('service_meta',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_service_meta'))
    )


def downgrade() -> None:
    """Drop `service_meta`."""
    op.drop_table('service_meta')
