"""The licence service's tables: seals, serials, batches, licences, events, presentations.

Revision ID: licence_0001
Revises:
Created: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "licence_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("licence",)
depends_on: str | Sequence[str] | None = "platform_0001"

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "licence_seals",
        sa.Column("seal_hash", sa.String(64), nullable=False),
        sa.Column("seal_id", sa.String(64), nullable=False),
        sa.Column("owner_code", sa.String(18), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("seal_json", sa.Text(), nullable=False),
        sa.Column("valid_start", _TZ, nullable=False),
        sa.Column("valid_end", _TZ, nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=False),
        sa.Column("revoked_at", _TZ, nullable=True),
        sa.Column("revocation_reason", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("seal_hash", name=op.f("pk_licence_seals")),
    )
    op.create_index(op.f("ix_licence_seals_owner_code"), "licence_seals", ["owner_code"])
    op.create_table(
        "licence_serials",
        sa.Column("issuer_code", sa.String(18), nullable=False),
        sa.Column("type_code", sa.String(40), nullable=False),
        sa.Column("next_serial", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("issuer_code", "type_code", name=op.f("pk_licence_serials")),
    )
    op.create_table(
        "licence_batches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("issuer_code", sa.String(18), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(64), nullable=True),
        sa.Column("opened_at", _TZ, nullable=False),
        sa.Column("sealed_at", _TZ, nullable=True),
        sa.Column("anchored_at", _TZ, nullable=True),
        sa.Column("tx_hash", sa.String(66), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_batches")),
        sa.UniqueConstraint("root", name=op.f("uq_licence_batches_root")),
    )
    op.create_index(op.f("ix_licence_batches_issuer_code"), "licence_batches", ["issuer_code"])
    op.create_index(op.f("ix_licence_batches_state"), "licence_batches", ["state"])
    op.create_table(
        "licences",
        sa.Column("licence_id", sa.String(160), nullable=False),
        sa.Column("issuer_code", sa.String(18), nullable=False),
        sa.Column("previous_id", sa.String(160), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("leaf", sa.String(64), nullable=False),
        sa.Column("document_json", sa.Text(), nullable=False),
        sa.Column("proof_json", sa.Text(), nullable=True),
        sa.Column("issued_at", _TZ, nullable=False),
        sa.Column("holder_token_id", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["licence_batches.id"], name=op.f("fk_licences_batch_id_licence_batches")
        ),
        sa.PrimaryKeyConstraint("licence_id", name=op.f("pk_licences")),
    )
    op.create_index(op.f("ix_licences_batch_id"), "licences", ["batch_id"])
    op.create_index(op.f("ix_licences_issuer_code"), "licences", ["issuer_code"])
    op.create_table(
        "licence_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("licence_id", sa.String(160), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reason_code", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("department_code", sa.String(18), nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=False),
        sa.Column("at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["licence_id"],
            ["licences.licence_id"],
            name=op.f("fk_licence_events_licence_id_licences"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_events")),
    )
    op.create_index(op.f("ix_licence_events_licence_id"), "licence_events", ["licence_id"])
    op.create_table(
        "licence_presentations",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("licence_id", sa.String(160), nullable=False),
        sa.Column("presentation_json", sa.Text(), nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["licence_id"],
            ["licences.licence_id"],
            name=op.f("fk_licence_presentations_licence_id_licences"),
        ),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_licence_presentations")),
    )
    op.create_index(
        op.f("ix_licence_presentations_licence_id"), "licence_presentations", ["licence_id"]
    )
    op.create_index(
        op.f("ix_licence_presentations_expires_at"), "licence_presentations", ["expires_at"]
    )


def downgrade() -> None:
    for table in (
        "licence_presentations",
        "licence_events",
        "licences",
        "licence_batches",
        "licence_serials",
        "licence_seals",
    ):
        op.drop_table(table)
