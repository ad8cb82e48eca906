"""The gateway's tables (branch ``sharing`` of the platform's migrations).

The chain is the source of truth for datasets, versions, requests and grants; these rows keep
what the chain holds only as hashes (titles, schemas, the signed request documents), where the
encrypted data is, the exact local use count per grant, and the access log with its segments.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govledger.db import Base, UtcDateTime


class DatasetRow(Base):
    __tablename__ = "gateway_datasets"

    dataset_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    provider_code: Mapped[str] = mapped_column(String(18), index=True)
    share_class: Mapped[str] = mapped_column(String(16))
    schema_json: Mapped[str] = mapped_column(Text)
    schema_hash: Mapped[str] = mapped_column(String(64))
    tx_hash: Mapped[str] = mapped_column(String(66))
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class VersionRow(Base):
    __tablename__ = "gateway_versions"

    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("gateway_datasets.dataset_id"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    blob_cid: Mapped[str] = mapped_column(String(80))
    wrapped_key: Mapped[str] = mapped_column(Text)  # base64 of SM2 encrypt(gateway key, k)
    record_count: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(Text)  # hex DER, the provider's SM2 signature
    signer_key_version: Mapped[int] = mapped_column(Integer)
    tx_hash: Mapped[str] = mapped_column(String(66))
    block_number: Mapped[int] = mapped_column(BigInteger)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PendingWriteRow(Base):
    """A dataset registration (``kind`` "dataset") or version publication ("version") about to
    go on chain: the row it will become, less what the chain gives (``row_json``: the columns
    by name; a version's wrapped data key among them). Written before the transaction, replaced
    by that row after it, so a crash in between loses nothing: :meth:`Gateway.recover` settles
    what is left at start, from the chain."""

    __tablename__ = "gateway_pending_writes"

    pending_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    dataset_id: Mapped[str] = mapped_column(String(32))
    row_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RequestRow(Base):
    __tablename__ = "gateway_requests"

    grant_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    dataset_id: Mapped[str] = mapped_column(String(32), index=True)
    requester_code: Mapped[str] = mapped_column(String(18), index=True)
    provider_code: Mapped[str] = mapped_column(String(18), index=True)
    fields_json: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)
    use_scenario: Mapped[str] = mapped_column(Text)
    scenario_code: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)  # canonical JSON, its SM3 is the purpose hash
    signature: Mapped[str] = mapped_column(Text)  # hex DER, the requester's SM2 signature
    tx_hash: Mapped[str] = mapped_column(String(66))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class GrantUsageRow(Base):
    """The exact use count of a grant. ``used`` only grows, by a conditional UPDATE;
    ``chain_recorded`` is how much of it ``consumeUses`` has put on chain."""

    __tablename__ = "gateway_grant_usage"

    grant_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    provider_code: Mapped[str] = mapped_column(String(18))
    max_uses: Mapped[int] = mapped_column(Integer)
    used: Mapped[int] = mapped_column(Integer)
    chain_recorded: Mapped[int] = mapped_column(Integer)
    chain_error: Mapped[str | None] = mapped_column(Text, nullable=True)


# The access log's tables keep the names they were created with (``gateway_audit_*``): renaming
# stored tables is a migration of its own, not worth one for a word.


class AccessLogHeadRow(Base):
    """The log's tip; appends serialise on this row (an UPDATE locks it until commit)."""

    __tablename__ = "gateway_audit_head"

    log_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))


class AccessLogEntryRow(Base):
    __tablename__ = "gateway_audit_entries"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    action: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    caller: Mapped[str] = mapped_column(String(64), index=True)
    grant_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    dataset_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    fields_json: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AccessLogSegmentRow(Base):
    __tablename__ = "gateway_audit_segments"

    segment_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    first_seq: Mapped[int] = mapped_column(BigInteger)
    last_seq: Mapped[int] = mapped_column(BigInteger, index=True)
    root: Mapped[str] = mapped_column(String(64))
    tx_hash: Mapped[str] = mapped_column(String(66))
    block_number: Mapped[int] = mapped_column(BigInteger)
