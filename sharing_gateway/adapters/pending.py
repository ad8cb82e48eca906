"""Catalogue writes that survive a crash between the chain transaction and the database row.

A registration or a version is first recorded as a :class:`PendingWriteRow` (everything the row
will hold but what the chain gives; a version's wrapped data key above all), then sent, then
replaced by its row in one transaction. :meth:`PendingWrites.recover`, run at start, finds each
pending write on chain by its content (a registration by provider and schema hash, a version by
content and signature hash) and writes its row, or drops it if the chain never got it
(docs/sharing-gateway.md, "Crash safety").
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from govledger.auth.clock import Clock
from govledger.db import session_scope
from ledger.contracts.data_sharing import DataSharing
from ledger.contracts.values import code_to_bytes32
from ledger.exceptions import ContractRevert
from sharing_gateway.adapters.sql import stored
from sharing_gateway.domain.records import to_bytes32
from sharing_gateway.ports import Columns, Landed, PublishedVersion, StoredDataset
from sharing_gateway.tables import DatasetRow, PendingWriteRow, VersionRow
from sm_crypto import sm3

_logger = logging.getLogger(__name__)
R = TypeVar("R", DatasetRow, VersionRow)


def _dataset_row(columns: Columns, created_at: datetime, landed: Landed) -> DatasetRow:
    return DatasetRow(**columns, tx_hash=landed.tx_hash, registered_at=created_at)


def _version_row(columns: Columns, created_at: datetime, landed: Landed) -> VersionRow:
    return VersionRow(
        **columns,
        version=landed.value,
        tx_hash=landed.tx_hash,
        block_number=landed.block_number,
        published_at=created_at,
    )


def _registered(sharing: DataSharing, dataset_id: str, columns: Columns) -> Landed | None:
    provider = code_to_bytes32(columns["provider_code"])
    schema_hash = bytes.fromhex(columns["schema_hash"])
    for event in sharing.events("DatasetRegistered", {"datasetId": to_bytes32(dataset_id)}):
        if event.args["provider"] == provider and event.args["schemaHash"] == schema_hash:
            return Landed(event.tx_hash, event.block_number, 0)
    return None


def _published(sharing: DataSharing, dataset_id: str, columns: Columns) -> Landed | None:
    content_hash = bytes.fromhex(columns["content_hash"])
    signature_hash = sm3(bytes.fromhex(columns["signature"]))
    for event in sharing.events("DatasetVersionPublished", {"datasetId": to_bytes32(dataset_id)}):
        if event.args["contentHash"] == content_hash and (
            event.args["signatureHash"] == signature_hash
        ):
            return Landed(event.tx_hash, event.block_number, int(event.args["version"]))
    return None


@dataclass(frozen=True)
class PendingKind(Generic[R]):
    """A kind of pending write: how its row is built, and how it is found on chain."""

    name: str
    row: Callable[[Columns, datetime, Landed], R]
    find: Callable[[DataSharing, str, Columns], Landed | None]


DATASET = PendingKind("dataset", _dataset_row, _registered)
VERSION = PendingKind("version", _version_row, _published)
_KINDS: dict[str, PendingKind[Any]] = {kind.name: kind for kind in (DATASET, VERSION)}


class PendingWrites:
    def __init__(
        self, session_factory: sessionmaker[Session], sharing: DataSharing, clock: Clock
    ) -> None:
        self._session_factory = session_factory
        self._sharing = sharing
        self._clock = clock

    def register(self, columns: Columns, send: Callable[[], Landed]) -> StoredDataset:
        return stored(StoredDataset, self._write(DATASET, columns, send))

    def publish(self, columns: Columns, send: Callable[[], Landed]) -> PublishedVersion:
        return stored(PublishedVersion, self._write(VERSION, columns, send))

    def _write(self, kind: PendingKind[R], columns: Columns, send: Callable[[], Landed]) -> R:
        """Record the write as pending, ``send`` it, then replace it by its row."""
        pending = PendingWriteRow(
            kind=kind.name,
            dataset_id=columns["dataset_id"],
            row_json=json.dumps(dict(columns)),
            created_at=self._clock(),
        )
        with session_scope(self._session_factory) as session:
            session.add(pending)
        try:
            landed = send()
        except ContractRevert:  # refused: nothing went on chain
            self._settle(pending.pending_id, None)
            raise
        row = kind.row(columns, pending.created_at, landed)
        self._settle(pending.pending_id, row)
        return row

    def recover(self) -> None:
        """Settle every pending write from the chain: write its row if the chain has it, drop
        it if not (kept while the ledger still has unsettled transactions: it may yet land)."""
        with self._session_factory() as session:
            pending = list(session.scalars(select(PendingWriteRow).order_by("pending_id")))
        in_flight = bool(self._sharing.ledger.outbox.pending())
        for write in pending:
            kind = _KINDS[write.kind]
            columns: Columns = json.loads(write.row_json)
            landed = kind.find(self._sharing, write.dataset_id, columns)
            if landed is None and in_flight:
                continue
            row = None if landed is None else kind.row(columns, write.created_at, landed)
            with self._session_factory() as session:
                if row is not None and session.get(type(row), _key(row)) is not None:
                    row = None  # the row was written; only the pending record was left
            self._settle(write.pending_id, row)
            _logger.info(
                "pending %s of %s settled: %s",
                write.kind,
                write.dataset_id,
                "not on chain" if landed is None else f"on chain in {landed.tx_hash}",
            )

    def _settle(self, pending_id: int, row: DatasetRow | VersionRow | None) -> None:
        with session_scope(self._session_factory) as session:
            if row is not None:
                session.add(row)
            session.execute(delete(PendingWriteRow).where(PendingWriteRow.pending_id == pending_id))


def _key(row: DatasetRow | VersionRow) -> str | tuple[str, int]:
    return row.dataset_id if isinstance(row, DatasetRow) else (row.dataset_id, row.version)
