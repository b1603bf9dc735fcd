"""Store the signed status list credential on its row, so the web process can serve it.

Revision ID: 0002
Revises: 0001
Create Date: status lists published by the worker

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add `status_lists.document` (signed list credential, JSON) and `signed_at`."""
    with op.batch_alter_table('status_lists') as batch:
        batch.add_column(sa.Column('document', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop the two columns."""
    with op.batch_alter_table('status_lists') as batch:
        batch.drop_column('signed_at')
        batch.drop_column('document')
