"""The sharing gateway's tables (the sharing branch's root).

Revision ID: sharing_0001
Revises:
Created: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sharing_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("sharing",)
depends_on: str | Sequence[str] | None = "platform_0001"

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "gateway_datasets",
        sa.Column("dataset_id", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("provider_code", sa.String(18), nullable=False),
        sa.Column("share_class", sa.String(16), nullable=False),
        sa.Column("schema_json", sa.Text(), nullable=False),
        sa.Column("schema_hash", sa.String(64), nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=False),
        sa.Column("registered_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("dataset_id", name=op.f("pk_gateway_datasets")),
    )
    op.create_index(
        op.f("ix_gateway_datasets_provider_code"), "gateway_datasets", ["provider_code"]
    )
    op.create_table(
        "gateway_versions",
        sa.Column("dataset_id", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("blob_cid", sa.String(80), nullable=False),
        sa.Column("wrapped_key", sa.Text(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("signer_key_version", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("published_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["gateway_datasets.dataset_id"],
            name=op.f("fk_gateway_versions_dataset_id_gateway_datasets"),
        ),
        sa.PrimaryKeyConstraint("dataset_id", "version", name=op.f("pk_gateway_versions")),
    )
    op.create_table(
        "gateway_requests",
        sa.Column("grant_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("dataset_id", sa.String(32), nullable=False),
        sa.Column("requester_code", sa.String(18), nullable=False),
        sa.Column("provider_code", sa.String(18), nullable=False),
        sa.Column("fields_json", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("use_scenario", sa.Text(), nullable=False),
        sa.Column("scenario_code", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=False),
        sa.Column("requested_at", _TS, nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("grant_id", name=op.f("pk_gateway_requests")),
    )
    for column in ("dataset_id", "requester_code", "provider_code"):
        op.create_index(op.f(f"ix_gateway_requests_{column}"), "gateway_requests", [column])
    op.create_table(
        "gateway_grant_usage",
        sa.Column("grant_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("provider_code", sa.String(18), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("chain_recorded", sa.Integer(), nullable=False),
        sa.Column("chain_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("grant_id", name=op.f("pk_gateway_grant_usage")),
    )
    op.create_table(
        "gateway_audit_head",
        sa.Column("log_id", sa.String(32), nullable=False),
        sa.Column("next_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("log_id", name=op.f("pk_gateway_audit_head")),
    )
    op.create_table(
        "gateway_audit_entries",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("caller", sa.String(64), nullable=False),
        sa.Column("grant_id", sa.BigInteger(), nullable=True),
        sa.Column("dataset_id", sa.String(32), nullable=True),
        sa.Column("fields_json", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_gateway_audit_entries")),
    )
    for column in ("recorded_at", "caller", "grant_id", "dataset_id"):
        op.create_index(
            op.f(f"ix_gateway_audit_entries_{column}"), "gateway_audit_entries", [column]
        )
    op.create_table(
        "gateway_audit_segments",
        sa.Column("segment_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("segment_index", name=op.f("pk_gateway_audit_segments")),
    )
    op.create_index(
        op.f("ix_gateway_audit_segments_last_seq"), "gateway_audit_segments", ["last_seq"]
    )


def downgrade() -> None:
    for table in (
        "gateway_audit_segments",
        "gateway_audit_entries",
        "gateway_audit_head",
        "gateway_grant_usage",
        "gateway_requests",
        "gateway_versions",
        "gateway_datasets",
    ):
        op.drop_table(table)
