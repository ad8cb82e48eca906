"""The licence service's ports: what the application layer needs from storage and the chain.

The verifier's port, :class:`~licence_service.domain.ports.LicenceChainView`, is the domain's;
these are the service's: the repository (:class:`LicenceStore`, one unit of work) and the
chain writes (:class:`LicenceLedger`). Adapters: ``adapters/sql.py`` and ``adapters/chain.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from eth_account.signers.local import LocalAccount

from ledger.contracts.values import LicenceStatus
from licence_service.domain.document import LicenceDocument
from licence_service.domain.model import IssuingAuthority
from licence_service.domain.seal import Seal
from sm_crypto import SM2PrivateKey


class BatchState:
    """``open`` (taking single issues), ``sealed`` (root fixed, anchoring due), ``anchored``, or
    ``refused``: the chain refused to anchor it, so it is set aside (with the reason) until its
    issuer sends it again."""

    OPEN = "open"
    SEALED = "sealed"
    ANCHORED = "anchored"
    REFUSED = "refused"


@dataclass(frozen=True)
class TxRecord:
    """A mined transaction."""

    tx_hash: str
    block_number: int


@dataclass(frozen=True)
class StoredBatch:
    batch_id: int
    issuer_code: str
    state: str
    count: int
    root: bytes | None
    opened_at: datetime
    anchored_at: datetime | None
    tx: TxRecord | None
    refused_reason: str | None = None
    refused_at: datetime | None = None


@dataclass(frozen=True)
class StoredLicence:
    """A licence as stored: its document carries the anchor once its batch is sealed."""

    licence_id: str
    issuer_code: str
    previous_id: str | None
    leaf: bytes
    document: LicenceDocument
    batch: StoredBatch
    issued_at: datetime
    holder_token_id: str | None


@dataclass(frozen=True)
class NewLicence:
    """A signed licence to store (its document without anchor)."""

    licence_id: str
    issuer_code: str
    previous_id: str | None
    leaf: bytes
    document_json: str
    proof: Sequence[bytes] | None
    holder_token_id: str | None = None


@dataclass(frozen=True)
class StoredSeal:
    seal: Seal
    owner_code: str
    created_at: datetime
    tx_hash: str
    revoked_at: datetime | None
    revocation_reason: int | None


@dataclass(frozen=True)
class StoredEvent:
    licence_id: str
    action: str
    reason_code: int
    reason: str
    department_code: str
    tx_hash: str
    at: datetime


@dataclass(frozen=True)
class LicenceFact:
    """What the statistics count of one stored licence."""

    licence_id: str
    issuer_code: str
    issued_at: datetime
    batch_state: str
    last_action: str | None  # its newest stored status change, if any


@dataclass(frozen=True)
class ChainStatusChange:
    status: LicenceStatus
    previous_status: LicenceStatus
    reason_code: int
    tx: TxRecord
    at: datetime | None


class LicenceStore(Protocol):
    """The service's rows, in one unit of work (committed by whoever opened it)."""

    def add_seal(self, stored: StoredSeal) -> None: ...
    def seal(self, seal_hash: bytes) -> StoredSeal | None: ...
    def seals(self, owner_code: str | None) -> list[StoredSeal]: ...
    def mark_seal_revoked(self, seal_hash: bytes, at: datetime, reason_code: int) -> None: ...

    def allocate_serials(self, issuer_code: str, type_code: str, count: int) -> int:
        """Reserve ``count`` consecutive serial numbers; return the first."""
        ...

    def join_open_batch(self, issuer_code: str, max_size: int, now: datetime) -> int:
        """The id of ``issuer_code``'s open batch with room for one more (counted), or of a
        new one."""
        ...

    def add_sealed_batch(self, issuer_code: str, root: bytes, count: int, now: datetime) -> int: ...
    def add_licences(
        self, batch_id: int, licences: Sequence[NewLicence], now: datetime
    ) -> None: ...

    def open_batches_due(self, now: datetime, max_size: int, max_wait_s: float) -> list[int]: ...
    def seal_batch(self, batch_id: int, now: datetime) -> bytes | None:
        """Close open batch ``batch_id``: fix its root and every member's proof; None if it was
        no longer open."""
        ...

    def batches(self, state: str | None, issuer_code: str | None = None) -> list[StoredBatch]:
        """Batches in ``state`` (any with None), of ``issuer_code`` (any with None), by id."""
        ...

    def batch(self, batch_id: int) -> StoredBatch: ...
    def find_batch(self, batch_id: int) -> StoredBatch | None: ...
    def mark_anchored(self, batch_id: int, tx: TxRecord, at: datetime) -> None: ...
    def mark_refused(self, batch_id: int, reason: str, at: datetime) -> None:
        """Set sealed batch ``batch_id`` aside: the chain refused it for ``reason``."""
        ...

    def reseal(self, batch_id: int) -> bool:
        """Make refused batch ``batch_id`` sealed again (to be sent again); False if it was not
        refused."""
        ...

    def licence(self, licence_id: str) -> StoredLicence | None: ...
    def licence_ids(self, issuer_code: str, limit: int, offset: int) -> tuple[list[str], int]: ...
    def batch_licences(self, batch_id: int) -> list[StoredLicence]:
        """Every licence of a batch, in tree order (an export of the batch)."""
        ...

    def set_holder_token(self, licence_id: str, token_id: str) -> None: ...
    def add_event(self, event: StoredEvent) -> None: ...
    def events(self, licence_id: str) -> list[StoredEvent]: ...
    def licence_facts(self) -> tuple[list[LicenceFact], dict[str, int]]:
        """Every licence's facts, and the stored status changes counted by action."""
        ...

    def add_presentation(
        self, digest: bytes, licence_id: str, presentation_json: bytes, expires_at: datetime
    ) -> None: ...
    def presentation(self, digest: bytes, now: datetime) -> bytes | None: ...


class LicenceLedger(Protocol):
    """The chain writes and reads the service makes beyond what the verifier reads."""

    def chain_time(self) -> datetime:
        """The latest block's timestamp: verifiers compare signing times with chain times."""
        ...

    def require_issuer(self, account: LocalAccount) -> None:
        """Refuse (``IssuerSuspended``, ``IssuerLacksRole``) unless ``account`` acts for an
        active department holding ISSUER on chain, as anchoring will require."""
        ...

    def anchor(self, account: LocalAccount, issuer_code: str, root: bytes, count: int) -> TxRecord:
        """Anchor batch ``root`` as ``issuer_code``; if it already is by ``issuer_code`` (a
        retry after a crash), the anchoring transaction found on chain. Raises ``BatchRefused``
        when the chain refuses it, or when another department anchored ``root`` first."""
        ...

    def set_status(
        self,
        account: LocalAccount,
        root: bytes,
        leaf: bytes,
        status: LicenceStatus,
        reason_code: int,
    ) -> TxRecord: ...

    def supersede(
        self,
        account: LocalAccount,
        old: tuple[bytes, bytes],
        new: tuple[bytes, bytes],
        reason_code: int,
    ) -> TxRecord: ...

    def status_changes(self, root: bytes, leaf: bytes) -> list[ChainStatusChange]: ...
    def anchored_counts(self) -> dict[str, int]:
        """Licences anchored on chain, by issuer code (from the batches' events)."""
        ...

    def status_change_count(self) -> int:
        """Status changes on chain (supersessions not counted)."""
        ...

    def register_seal(
        self,
        account: LocalAccount,
        seal_hash: bytes,
        holder_key_hashes: Sequence[bytes],
        valid_from: datetime,
        valid_to: datetime,
    ) -> TxRecord: ...

    def revoke_seal(
        self, account: LocalAccount, seal_hash: bytes, reason_code: int
    ) -> TxRecord: ...


@dataclass(frozen=True)
class SigningDepartment:
    """A department as it signs and writes: its name and code, chain account and SM2 key."""

    authority: IssuingAuthority
    account: LocalAccount
    sm2: SM2PrivateKey
    key_version: int

    @property
    def code(self) -> str:
        return self.authority.code


class DepartmentKeyring(Protocol):
    def signer(self, code: str) -> SigningDepartment:
        """The keys department ``code`` acts with now (``NotFound`` if it is not registered)."""
        ...
