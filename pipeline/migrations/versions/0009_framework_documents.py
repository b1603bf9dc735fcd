"""Framework versions and crosswalks stored as data, shared by every process (issue 14).

Revision ID: 0009
Revises: 0004
Create Date: frameworks are data

Seeds the bundled framework version (`issuer/frameworks/data/`, its exact bytes and policy)
so a new store holds what the package ships.
"""
import hashlib
from datetime import datetime, timezone
from importlib import resources
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _bundled() -> list[dict]:
    """The bundled framework files as rows (document bytes, digest, policy bytes)."""
    from issuer.frameworks.loader import is_framework_file, load_framework, policy_path_for
    from pathlib import Path

    data = resources.files("issuer.frameworks").joinpath("data")
    rows = []
    for entry in sorted(data.iterdir(), key=lambda e: e.name):
        if not entry.is_file() or not is_framework_file(Path(entry.name)):
            continue
        raw = entry.read_bytes()
        policy_entry = data.joinpath(policy_path_for(Path(entry.name)).name)
        policy = policy_entry.read_bytes() if policy_entry.is_file() else None
        framework = load_framework(raw, policy=policy, source=entry.name)
        rows.append({"occupation_code": framework.code, "version": framework.version, "document": raw,
                     "sha256": hashlib.sha256(raw).hexdigest(), "policy": policy,
                     "added_at": datetime.now(timezone.utc), "retired_at": None})
    return rows


def upgrade() -> None:
    """Create `framework_documents` and `framework_crosswalks`; seed the bundled versions."""
    documents = op.create_table('framework_documents',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('occupation_code', sa.String(length=20), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('document', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('policy', sa.LargeBinary(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_framework_documents')),
    sa.UniqueConstraint('occupation_code', 'version', name=op.f('uq_framework_documents_occupation_code_version'))
    )
    op.create_table('framework_crosswalks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('from_code', sa.String(length=20), nullable=False),
    sa.Column('from_version', sa.String(length=40), nullable=False),
    sa.Column('to_code', sa.String(length=20), nullable=False),
    sa.Column('to_version', sa.String(length=40), nullable=False),
    sa.Column('document', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_framework_crosswalks')),
    sa.UniqueConstraint('from_code', 'from_version', 'to_code', 'to_version',
                        name='uq_framework_crosswalks_pair')
    )
    rows = _bundled()
    if op.get_bind().dialect.name == "sqlite":  # naive UTC, as the models' UtcDateTime stores it
        for row in rows:
            row["added_at"] = row["added_at"].replace(tzinfo=None)
    if rows:
        op.bulk_insert(documents, rows)


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table('framework_crosswalks')
    op.drop_table('framework_documents')
