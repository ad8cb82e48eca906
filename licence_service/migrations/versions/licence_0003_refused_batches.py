"""Batches the chain refused are set aside with their reason (state ``refused``).

Revision ID: licence_0003
Revises: licence_0002
Created: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "licence_0003"
down_revision: str | Sequence[str] | None = "licence_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("licence_batches", sa.Column("refused_reason", sa.Text(), nullable=True))
    op.add_column(
        "licence_batches", sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    # Refused batches go back to sealed: without the columns, that is all a row can say.
    op.execute("UPDATE licence_batches SET state = 'sealed' WHERE state = 'refused'")
    with op.batch_alter_table("licence_batches") as batch:
        batch.drop_column("refused_at")
        batch.drop_column("refused_reason")
