"""The licence service's repository on the platform's database (SQLite or PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from govledger.records import RecordCipher
from ledger.merkle import MerkleTree
from licence_service.domain.document import Anchor, LicenceDocument
from licence_service.domain.seal import Seal
from licence_service.ports import (
    BatchState,
    LicenceFact,
    NewLicence,
    StoredBatch,
    StoredEvent,
    StoredLicence,
    StoredSeal,
    TxRecord,
)
from licence_service.tables import (
    BatchRow,
    LicenceEventRow,
    LicenceRow,
    PresentationRow,
    SealRow,
    SerialRow,
    document_identity,
    presentation_identity,
)


def _batch(row: BatchRow) -> StoredBatch:
    return StoredBatch(
        batch_id=row.id,
        issuer_code=row.issuer_code,
        state=row.state,
        count=row.count,
        root=None if row.root is None else bytes.fromhex(row.root),
        opened_at=row.opened_at,
        anchored_at=row.anchored_at,
        tx=None
        if row.tx_hash is None or row.block_number is None
        else TxRecord(row.tx_hash, row.block_number),
        refused_reason=row.refused_reason,
        refused_at=row.refused_at,
    )


def _seal(row: SealRow) -> StoredSeal:
    return StoredSeal(
        seal=Seal.model_validate_json(row.seal_json),
        owner_code=row.owner_code,
        created_at=row.created_at,
        tx_hash=row.tx_hash,
        revoked_at=row.revoked_at,
        revocation_reason=row.revocation_reason,
    )


def _licence(row: LicenceRow, batch: StoredBatch, cipher: RecordCipher) -> StoredLicence:
    document = LicenceDocument.model_validate_json(
        cipher.open(row.document_sealed, document_identity(row.licence_id))
    )
    if batch.root is not None and row.proof_json is not None:
        proof = tuple(bytes.fromhex(step) for step in json.loads(row.proof_json))
        document = document.model_copy(update={"anchor": Anchor(root=batch.root, proof=proof)})
    return StoredLicence(
        licence_id=row.licence_id,
        issuer_code=row.issuer_code,
        previous_id=row.previous_id,
        leaf=bytes.fromhex(row.leaf),
        document=document,
        batch=batch,
        issued_at=row.issued_at,
        holder_token_id=row.holder_token_id,
    )


def _rowcount(result: object) -> int:
    assert isinstance(result, CursorResult)
    return result.rowcount


class SqlLicenceStore:
    """:class:`~licence_service.ports.LicenceStore` in the caller's session; documents and
    presentations are sealed with ``cipher`` on the way in and opened on the way out."""

    def __init__(self, session: Session, cipher: RecordCipher) -> None:
        self._session = session
        self._cipher = cipher

    # -- seals ------------------------------------------------------------------------------

    def add_seal(self, stored: StoredSeal) -> None:
        seal = stored.seal
        prop = seal.info.property
        self._session.add(
            SealRow(
                seal_hash=seal.hash.hex(),
                seal_id=seal.info.seal_id,
                owner_code=stored.owner_code,
                name=prop.name,
                seal_json=seal.model_dump_json(),
                valid_start=prop.valid_start,
                valid_end=prop.valid_end,
                created_at=stored.created_at,
                tx_hash=stored.tx_hash,
                revoked_at=stored.revoked_at,
                revocation_reason=stored.revocation_reason,
            )
        )
        self._session.flush()

    def seal(self, seal_hash: bytes) -> StoredSeal | None:
        row = self._session.get(SealRow, seal_hash.hex())
        return None if row is None else _seal(row)

    def seals(self, owner_code: str | None) -> list[StoredSeal]:
        query = select(SealRow).order_by(SealRow.created_at, SealRow.seal_hash)
        if owner_code is not None:
            query = query.where(SealRow.owner_code == owner_code)
        return [_seal(row) for row in self._session.scalars(query)]

    def mark_seal_revoked(self, seal_hash: bytes, at: datetime, reason_code: int) -> None:
        self._session.execute(
            update(SealRow)
            .where(SealRow.seal_hash == seal_hash.hex())
            .values(revoked_at=at, revocation_reason=reason_code)
        )

    # -- serials and batches --------------------------------------------------------------------

    def allocate_serials(self, issuer_code: str, type_code: str, count: int) -> int:
        dialect = self._session.get_bind().dialect.name
        insert_row = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SerialRow)
        self._session.execute(
            insert_row.values(
                issuer_code=issuer_code, type_code=type_code, next_serial=1
            ).on_conflict_do_nothing()
        )
        # The UPDATE locks the row until commit: concurrent allocations queue up behind it.
        self._session.execute(
            update(SerialRow)
            .where(SerialRow.issuer_code == issuer_code, SerialRow.type_code == type_code)
            .values(next_serial=SerialRow.next_serial + count)
        )
        after = self._session.scalar(
            select(SerialRow.next_serial).where(
                SerialRow.issuer_code == issuer_code, SerialRow.type_code == type_code
            )
        )
        assert after is not None
        return after - count

    def join_open_batch(self, issuer_code: str, max_size: int, now: datetime) -> int:
        candidates = self._session.scalars(
            select(BatchRow.id).where(
                BatchRow.issuer_code == issuer_code,
                BatchRow.state == BatchState.OPEN,
                BatchRow.count < max_size,
            )
        ).all()
        for batch_id in candidates:
            # Conditional: a batch sealed meanwhile takes no more licences.
            joined = self._session.execute(
                update(BatchRow)
                .where(
                    BatchRow.id == batch_id,
                    BatchRow.state == BatchState.OPEN,
                    BatchRow.count < max_size,
                )
                .values(count=BatchRow.count + 1)
                .execution_options(synchronize_session=False)
            )
            if _rowcount(joined) == 1:
                return batch_id
        row = BatchRow(issuer_code=issuer_code, state=BatchState.OPEN, count=1, opened_at=now)
        self._session.add(row)
        self._session.flush()
        return row.id

    def add_sealed_batch(self, issuer_code: str, root: bytes, count: int, now: datetime) -> int:
        row = BatchRow(
            issuer_code=issuer_code,
            state=BatchState.SEALED,
            count=count,
            root=root.hex(),
            opened_at=now,
            sealed_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def add_licences(self, batch_id: int, licences: Sequence[NewLicence], now: datetime) -> None:
        # One Core executemany (the ORM's bulk path costs as much again in Python per row).
        table = LicenceRow.__table__
        assert isinstance(table, Table)
        self._session.execute(
            insert(table),
            [
                {
                    "licence_id": licence.licence_id,
                    "issuer_code": licence.issuer_code,
                    "previous_id": licence.previous_id,
                    "batch_id": batch_id,
                    "leaf": licence.leaf.hex(),
                    "document_sealed": self._cipher.seal(
                        licence.document_json.encode("utf-8"),
                        document_identity(licence.licence_id),
                    ),
                    "proof_json": None
                    if licence.proof is None
                    else json.dumps([step.hex() for step in licence.proof]),
                    "issued_at": now,
                    "holder_token_id": licence.holder_token_id,
                }
                for licence in licences
            ],
        )

    def open_batches_due(self, now: datetime, max_size: int, max_wait_s: float) -> list[int]:
        return list(
            self._session.scalars(
                select(BatchRow.id)
                .where(
                    BatchRow.state == BatchState.OPEN,
                    (BatchRow.count >= max_size)
                    | (BatchRow.opened_at <= now - timedelta(seconds=max_wait_s)),
                )
                .order_by(BatchRow.id)
            )
        )

    def seal_batch(self, batch_id: int, now: datetime) -> bytes | None:
        closed = self._session.execute(
            update(BatchRow)
            .where(BatchRow.id == batch_id, BatchRow.state == BatchState.OPEN)
            .values(state=BatchState.SEALED, sealed_at=now)
            .execution_options(synchronize_session=False)
        )
        if _rowcount(closed) != 1:
            return None
        members = self._session.execute(
            select(LicenceRow.licence_id, LicenceRow.leaf)
            .where(LicenceRow.batch_id == batch_id)
            .order_by(LicenceRow.licence_id)
        ).all()
        tree = MerkleTree([bytes.fromhex(member.leaf) for member in members])
        self._session.execute(
            update(LicenceRow),
            [
                {
                    "licence_id": member.licence_id,
                    "proof_json": json.dumps([step.hex() for step in tree.proof(index)]),
                }
                for index, member in enumerate(members)
            ],
        )
        self._session.execute(
            update(BatchRow)
            .where(BatchRow.id == batch_id)
            .values(root=tree.root.hex(), count=len(members))
        )
        return tree.root

    def batches(self, state: str | None, issuer_code: str | None = None) -> list[StoredBatch]:
        query = select(BatchRow).order_by(BatchRow.id)
        if state is not None:
            query = query.where(BatchRow.state == state)
        if issuer_code is not None:
            query = query.where(BatchRow.issuer_code == issuer_code)
        return [_batch(row) for row in self._session.scalars(query)]

    def batch(self, batch_id: int) -> StoredBatch:
        found = self.find_batch(batch_id)
        assert found is not None
        return found

    def find_batch(self, batch_id: int) -> StoredBatch | None:
        row = self._session.get(BatchRow, batch_id, populate_existing=True)
        return None if row is None else _batch(row)

    def mark_anchored(self, batch_id: int, tx: TxRecord, at: datetime) -> None:
        self._session.execute(
            update(BatchRow)
            .where(BatchRow.id == batch_id)
            .values(
                state=BatchState.ANCHORED,
                anchored_at=at,
                tx_hash=tx.tx_hash,
                block_number=tx.block_number,
            )
            .execution_options(synchronize_session=False)
        )

    def mark_refused(self, batch_id: int, reason: str, at: datetime) -> None:
        self._session.execute(
            update(BatchRow)
            .where(BatchRow.id == batch_id, BatchRow.state == BatchState.SEALED)
            .values(state=BatchState.REFUSED, refused_reason=reason, refused_at=at)
            .execution_options(synchronize_session=False)
        )

    def reseal(self, batch_id: int) -> bool:
        resealed = self._session.execute(
            update(BatchRow)
            .where(BatchRow.id == batch_id, BatchRow.state == BatchState.REFUSED)
            .values(state=BatchState.SEALED, refused_reason=None, refused_at=None)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(resealed) == 1

    # -- licences -------------------------------------------------------------------------------

    def licence(self, licence_id: str) -> StoredLicence | None:
        row = self._session.get(LicenceRow, licence_id, populate_existing=True)
        if row is None:
            return None
        return _licence(row, self.batch(row.batch_id), self._cipher)

    def batch_licences(self, batch_id: int) -> list[StoredLicence]:
        batch = self.batch(batch_id)
        rows = self._session.scalars(
            select(LicenceRow)
            .where(LicenceRow.batch_id == batch_id)
            .order_by(LicenceRow.licence_id)
        )
        return [_licence(row, batch, self._cipher) for row in rows]

    def licence_ids(self, issuer_code: str, limit: int, offset: int) -> tuple[list[str], int]:
        where = LicenceRow.issuer_code == issuer_code
        total = self._session.scalar(select(func.count()).select_from(LicenceRow).where(where))
        ids = self._session.scalars(
            select(LicenceRow.licence_id)
            .where(where)
            .order_by(LicenceRow.licence_id)
            .limit(limit)
            .offset(offset)
        )
        return list(ids), total or 0

    def set_holder_token(self, licence_id: str, token_id: str) -> None:
        self._session.execute(
            update(LicenceRow)
            .where(LicenceRow.licence_id == licence_id)
            .values(holder_token_id=token_id)
            .execution_options(synchronize_session=False)
        )

    def add_event(self, event: StoredEvent) -> None:
        self._session.add(
            LicenceEventRow(
                licence_id=event.licence_id,
                action=event.action,
                reason_code=event.reason_code,
                reason=event.reason,
                department_code=event.department_code,
                tx_hash=event.tx_hash,
                at=event.at,
            )
        )
        self._session.flush()

    def licence_facts(self) -> tuple[list[LicenceFact], dict[str, int]]:
        last_actions: dict[str, str] = {}
        actions: dict[str, int] = {}
        for licence_id, action in self._session.execute(
            select(LicenceEventRow.licence_id, LicenceEventRow.action).order_by(LicenceEventRow.id)
        ):
            last_actions[licence_id] = action
            actions[action] = actions.get(action, 0) + 1
        rows = self._session.execute(
            select(
                LicenceRow.licence_id, LicenceRow.issuer_code, LicenceRow.issued_at, BatchRow.state
            )
            .join(BatchRow, BatchRow.id == LicenceRow.batch_id)
            .order_by(LicenceRow.issued_at)
        )
        facts = [
            LicenceFact(licence_id, issuer, issued_at, state, last_actions.get(licence_id))
            for licence_id, issuer, issued_at, state in rows
        ]
        return facts, actions

    def events(self, licence_id: str) -> list[StoredEvent]:
        rows = self._session.scalars(
            select(LicenceEventRow)
            .where(LicenceEventRow.licence_id == licence_id)
            .order_by(LicenceEventRow.id)
        )
        return [
            StoredEvent(
                row.licence_id,
                row.action,
                row.reason_code,
                row.reason,
                row.department_code,
                row.tx_hash,
                row.at,
            )
            for row in rows
        ]

    # -- presentations --------------------------------------------------------------------------

    def add_presentation(
        self, digest: bytes, licence_id: str, presentation_json: bytes, expires_at: datetime
    ) -> None:
        self._session.add(
            PresentationRow(
                digest=digest.hex(),
                licence_id=licence_id,
                presentation_sealed=self._cipher.seal(
                    presentation_json, presentation_identity(digest.hex())
                ),
                expires_at=expires_at,
            )
        )
        self._session.flush()

    def presentation(self, digest: bytes, now: datetime) -> bytes | None:
        row = self._session.get(PresentationRow, digest.hex())
        if row is None or row.expires_at <= now:
            return None
        return self._cipher.open(row.presentation_sealed, presentation_identity(row.digest))
