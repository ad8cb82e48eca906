"""The gateway's ports: what the service needs from storage and the chain.

The store of its rows (:class:`GatewayStore`, one unit of work, and :class:`ReleaseReads`, the
reads of one release), the access log (:class:`AccessLogStore`, and :class:`LogWriter`, which
commits log entries with what they record), crash-safe catalogue writes (:class:`Catalogue`)
and the cached chain reads (:class:`GatewayChainView`). Adapters: ``adapters/``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from govledger.auth.directory import DepartmentRecord
from ledger.contracts.values import Dataset, DatasetVersion, Grant
from sharing_gateway.domain.accesslog import Entry

T = TypeVar("T")


@dataclass(frozen=True)
class StoredDataset:
    dataset_id: str
    title: str
    provider_code: str
    share_class: str
    schema_json: str
    schema_hash: str
    tx_hash: str
    registered_at: datetime


@dataclass(frozen=True)
class StoredVersion:
    """A version as the release checks read it (on every release, so only these columns)."""

    dataset_id: str
    version: int
    blob_cid: str
    wrapped_key: str  # base64 of SM2 encrypt(gateway key, data key)
    content_hash: str
    signature: str
    signer_key_version: int
    tx_hash: str
    block_number: int


@dataclass(frozen=True)
class PublishedVersion(StoredVersion):
    """A version as the catalogue shows it."""

    record_count: int
    published_at: datetime


@dataclass(frozen=True)
class StoredRequest:
    grant_id: int
    dataset_id: str
    requester_code: str
    provider_code: str
    fields: tuple[str, ...]
    purpose: str
    use_scenario: str
    scenario_code: int
    document: str  # canonical JSON, its SM3 is the purpose hash
    signature: str  # hex DER, the requester's SM2 signature
    tx_hash: str
    requested_at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class GrantUsage:
    """The gateway's exact use count of a grant, and why the chain refused its uses (if)."""

    used: int
    blocked: str | None


@dataclass(frozen=True)
class UsesToRecord:
    grant_id: int
    provider_code: str
    used: int
    chain_recorded: int


@dataclass(frozen=True)
class Landed:
    """Where a chain write landed: its transaction and block, and the value it returned (a
    version's number; 0 for a registration)."""

    tx_hash: str
    block_number: int
    value: int


@dataclass(frozen=True)
class StoredSegment:
    """An anchored segment of the access log, as recorded with its transaction."""

    segment_index: int
    first_seq: int
    last_seq: int
    root: str
    tx_hash: str
    block_number: int


@dataclass(frozen=True)
class OutcomeCount:
    """How many release entries of the access log have this outcome and code."""

    outcome: str
    code: str
    count: int


@dataclass(frozen=True)
class TraceFilter:
    dataset_id: str | None = None
    requester: str | None = None
    grant_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


EVERY_ENTRY = TraceFilter()


class ReleaseReads(Protocol):
    """What one release reads of the gateway's rows."""

    def purpose(self, grant_id: int) -> str | None: ...
    def usage(self, grant_id: int) -> GrantUsage | None: ...
    def version(self, dataset_id: str, version: int) -> StoredVersion | None: ...


class GatewayStore(ReleaseReads, Protocol):
    """The gateway's rows, in one unit of work (committed by whoever opened it)."""

    def dataset(self, dataset_id: str) -> StoredDataset | None: ...
    def datasets(self) -> list[StoredDataset]: ...
    def versions(self, dataset_id: str | None) -> list[PublishedVersion]:
        """The versions of ``dataset_id`` (of every dataset with None), by dataset and number."""
        ...

    def request(self, grant_id: int) -> StoredRequest | None: ...
    def requests_of(self, code: str) -> list[StoredRequest]:
        """The requests ``code`` made or provides the dataset of, by grant id."""
        ...

    def blocked_requests(self) -> list[StoredRequest]: ...
    def all_requests(self) -> list[StoredRequest]: ...
    def add_request(self, request: StoredRequest) -> None: ...
    def set_reason(self, grant_id: int, reason: str) -> None: ...
    def add_usage(self, grant_id: int, provider_code: str, max_uses: int) -> None: ...
    def count_use(
        self, grant_id: int, provider_code: str, max_uses: int, chain_used: int
    ) -> int | None:
        """Count one use if one is left, from at least ``chain_used`` (a row behind the chain
        is raised to it first; a grant without a row gets one); the uses left, or None."""
        ...

    def uses_to_record(self, *, blocked_too: bool = False) -> list[UsesToRecord]:
        """Grants with uses counted and not yet on chain, by grant id (without the blocked
        ones unless ``blocked_too``)."""
        ...

    def raise_chain_recorded(self, grant_id: int, chain_used: int) -> None: ...
    def set_chain_recorded(self, grant_id: int, recorded: int) -> None: ...
    def block(self, grant_id: int, reason: str) -> None: ...


class AccessLogStore(Protocol):
    """The access log's entries and anchored segments, in one unit of work."""

    def entries(self, criteria: TraceFilter = EVERY_ENTRY) -> list[Entry]: ...
    def last_seq(self) -> int | None: ...
    def entry_hashes(self, first: int, last: int, limit: int | None = None) -> list[str]: ...
    def segment_of(self, seq: int) -> StoredSegment | None: ...
    def segment_count(self) -> int: ...
    def first_unanchored(self) -> tuple[int, datetime] | None:
        """The sequence number and recording time of the first entry no segment covers."""
        ...

    def release_counts(self) -> list[OutcomeCount]:
        """The log's release entries counted by outcome and code."""
        ...

    def next_unanchored(self) -> int:
        """The first entry no recorded segment holds."""
        ...

    def add_segment(self, segment: StoredSegment) -> None: ...


class LogAppender(Protocol):
    def append(
        self,
        *,
        action: str,
        outcome: str,
        code: str,
        caller: str,
        grant_id: int | None = None,
        dataset_id: str | None = None,
        fields: Sequence[str] = (),
        purpose: str = "",
    ) -> Entry: ...


class LogWriter(Protocol):
    """Runs units of work that append to the access log; each commits with its entries."""

    def submit(self, unit: Callable[[GatewayStore, LogAppender], T]) -> T:
        """Run ``unit`` in a writer transaction; its value once that has committed."""
        ...

    def close(self) -> None: ...


Columns = Mapping[str, Any]


class Catalogue(Protocol):
    """Catalogue writes that survive a crash between the chain transaction and the row:
    ``columns`` are the row's, less what the chain gives; ``send`` puts it on chain."""

    def register(self, columns: Columns, send: Callable[[], Landed]) -> StoredDataset: ...
    def publish(self, columns: Columns, send: Callable[[], Landed]) -> PublishedVersion: ...
    def recover(self) -> None:
        """Settle the writes a crash left between the chain and their rows."""
        ...


class GatewayChainView(Protocol):
    """Chain reads for the release path, as fresh as the last :meth:`sync`."""

    def sync(self) -> int: ...
    def grant(self, grant_id: int) -> Grant | None: ...
    def dataset(self, dataset_id: bytes) -> Dataset | None: ...
    def version(self, dataset_id: bytes, version: int) -> DatasetVersion: ...
    def key_in_force(self, code: str, key_version: int, at: int) -> bytes | None:
        """Key ``key_version`` of ``code`` (``04 || x || y``) if it was in force at ``at``."""
        ...

    def department(self, code: str) -> DepartmentRecord | None: ...
