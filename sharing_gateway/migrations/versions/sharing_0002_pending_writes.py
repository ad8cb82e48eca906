"""Pending chain writes: registrations and versions recorded before their transaction.

Revision ID: sharing_0002
Revises: sharing_0001
Created: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sharing_0002"
down_revision: str | Sequence[str] | None = "sharing_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gateway_pending_writes",
        sa.Column("pending_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("dataset_id", sa.String(32), nullable=False),
        sa.Column("row_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pending_id", name=op.f("pk_gateway_pending_writes")),
    )


def downgrade() -> None:
    op.drop_table("gateway_pending_writes")
