"""The licence service's tables (Alembic branch ``licence``).

Documents are stored whole (their JSON, without the anchor); the anchor is the batch's root and
the licence's ``proof``, attached once the batch is sealed. Status lives on chain; the rows keep
what the chain does not: why a status changed, which holder token is current, and presentations
kept for QR references.

Documents and presentations hold holders' personal data (names, ID numbers, addresses), so they
are stored sealed (:class:`govledger.records.RecordCipher`, the keystore's data key
:data:`RECORD_KEY_NAME`), bound to their row by :func:`document_identity` and
:func:`presentation_identity`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govledger.db import Base, UtcDateTime

# The keystore's data key that seals documents and presentations.
RECORD_KEY_NAME = "licence-records"


def document_identity(licence_id: str) -> str:
    """What a licence's sealed document is bound to."""
    return f"licences/{licence_id}"


def presentation_identity(digest_hex: str) -> str:
    """What a sealed presentation is bound to."""
    return f"licence_presentations/{digest_hex}"


class SealRow(Base):
    """A seal made by a SEAL_ADMIN department, by its SM3 hash (its id on chain)."""

    __tablename__ = "licence_seals"

    seal_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    seal_id: Mapped[str] = mapped_column(String(64))
    owner_code: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(Text)
    seal_json: Mapped[str] = mapped_column(Text)
    valid_start: Mapped[datetime] = mapped_column(UtcDateTime())
    valid_end: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    tx_hash: Mapped[str] = mapped_column(String(66))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revocation_reason: Mapped[int | None] = mapped_column(Integer)


class SerialRow(Base):
    """The next serial number of an issuer's licence type, allocated by conditional UPDATE."""

    __tablename__ = "licence_serials"

    issuer_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    type_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_serial: Mapped[int] = mapped_column(BigInteger)


class BatchRow(Base):
    """A batch of one issuer's licences: ``open`` (taking single issues), ``sealed`` (root
    fixed, anchoring due), ``anchored``, or ``refused`` (set aside: the chain refused it, for
    ``refused_reason``)."""

    __tablename__ = "licence_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    issuer_code: Mapped[str] = mapped_column(String(18), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    count: Mapped[int] = mapped_column(Integer)
    root: Mapped[str | None] = mapped_column(String(64), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sealed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    anchored_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    refused_reason: Mapped[str | None] = mapped_column(Text)
    refused_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LicenceRow(Base):
    """An issued licence: its document (JSON, no anchor, sealed), leaf, batch and proof."""

    __tablename__ = "licences"

    licence_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    issuer_code: Mapped[str] = mapped_column(String(18), index=True)
    previous_id: Mapped[str | None] = mapped_column(String(160))
    batch_id: Mapped[int] = mapped_column(ForeignKey("licence_batches.id"), index=True)
    leaf: Mapped[str] = mapped_column(String(64))
    document_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # JSON list of hex hashes; set when the batch is sealed.
    proof_json: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The id (jti) of the one holder token that is honoured; a new one revokes the old.
    holder_token_id: Mapped[str | None] = mapped_column(String(64))


class LicenceEventRow(Base):
    """A lifecycle change written on chain, with the reason text the chain does not keep."""

    __tablename__ = "licence_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    licence_id: Mapped[str] = mapped_column(ForeignKey("licences.licence_id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    department_code: Mapped[str] = mapped_column(String(18))
    tx_hash: Mapped[str] = mapped_column(String(66))
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class PresentationRow(Base):
    """A presentation (sealed) kept under its digest until it expires (for QR references)."""

    __tablename__ = "licence_presentations"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    licence_id: Mapped[str] = mapped_column(ForeignKey("licences.licence_id"), index=True)
    presentation_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
