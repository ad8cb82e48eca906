"""Chain reads for the release path, cached until an event says they changed.

Grants and datasets are kept in the platform's :class:`~govledger.directory.ChainEventCache`
until a ``DataSharing`` event in a new block names them; departments come from the platform's
directory, cached the same way on ``DepartmentRegistry`` events. A revocation or suspension is
therefore seen by the first release after the block that holds it. Dataset versions and
past department keys never change once on chain and are kept. :class:`ChainAnchoredLog` reads
an access log's anchored segments live.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from govledger.auth.directory import DepartmentDirectory, DepartmentRecord
from govledger.directory import ChainEventCache
from govledger.lru import DEFAULT_MAXSIZE
from ledger.contracts import Registries
from ledger.contracts.values import Dataset, DatasetVersion, Grant
from ledger.events import DecodedEvent
from ledger.exceptions import ContractRevert
from sharing_gateway.domain.accesslog import AnchoredSegment
from sharing_gateway.domain.records import to_bytes32


def _named_by(event: DecodedEvent) -> Iterable[Hashable]:
    # Every event counts, GrantUsed too: the chain's use count bounds the releases.
    stale: list[Hashable] = []
    if "grantId" in event.args:
        stale.append(("grant", int(event.args["grantId"])))
    if "datasetId" in event.args:
        stale.append(("dataset", bytes(event.args["datasetId"])))
    return stale


class ChainView:
    """Cached reads of grants, datasets, versions and departments (thread-safe)."""

    def __init__(
        self,
        registries: Registries,
        directory: DepartmentDirectory,
        *,
        cache_entries: int = DEFAULT_MAXSIZE,
    ) -> None:
        self._registries = registries
        self._directory = directory
        self._cache = ChainEventCache([registries.sharing], _named_by, cache_entries=cache_entries)

    def sync(self) -> int:
        """Bring the cache up to the chain's head; return the head."""
        return self._cache.sync()

    def grant(self, grant_id: int) -> Grant | None:
        def read() -> Grant | None:
            try:
                return self._registries.sharing.get_grant(grant_id)
            except ContractRevert:  # SharingUnknownGrant
                return None

        return self._cache.get(("grant", grant_id), read)

    def dataset(self, dataset_id: bytes) -> Dataset | None:
        def read() -> Dataset | None:
            try:
                return self._registries.sharing.get_dataset(dataset_id)
            except ContractRevert:  # SharingUnknownDataset
                return None

        return self._cache.get(("dataset", bytes(dataset_id)), read)

    def version(self, dataset_id: bytes, version: int) -> DatasetVersion:
        return self._cache.get(
            ("version", bytes(dataset_id), version),
            lambda: self._registries.sharing.get_version(dataset_id, version),
        )

    def key_in_force(self, code: str, key_version: int, at: int) -> bytes | None:
        """Key ``key_version`` of department ``code`` (``04 || x || y``) if it was in force at
        time ``at``: it took effect at or before ``at`` and the next version, if any, not
        before. None otherwise (or for an unknown department or version). Kept: key history
        only grows, and a later version takes effect later still."""

        def read() -> bytes | None:
            departments = self._registries.departments
            try:
                public_key, effective_at = departments.public_key_at(code, key_version)
            except ContractRevert:  # DepartmentUnknown: no such department or version
                return None
            if effective_at > at:
                return None
            try:
                _, next_effective_at = departments.public_key_at(code, key_version + 1)
            except ContractRevert:  # the key in force now
                return b"\x04" + public_key
            return b"\x04" + public_key if next_effective_at >= at else None

        return self._cache.get(("key", code, key_version, at), read)

    def department(self, code: str) -> DepartmentRecord | None:
        """The platform directory's record (it brings itself up to the head first)."""
        return self._directory.get(code)


class ChainAnchoredLog:
    """The segments anchored on chain for one log, and who keeps it (``AuditAnchors``)."""

    def __init__(self, registries: Registries, log_id: str) -> None:
        self._anchors = registries.audit
        self._log_id = to_bytes32(log_id)

    def owner(self) -> str | None:
        chain_log = self._anchors.get_log(self._log_id)
        return None if chain_log is None else chain_log.owner

    def segments(self) -> list[AnchoredSegment]:
        chain_log = self._anchors.get_log(self._log_id)
        if chain_log is None:
            return []
        return [
            AnchoredSegment(s.index, s.first_seq, s.last_seq, s.root)
            for s in (
                self._anchors.get_segment(self._log_id, index)
                for index in range(chain_log.segment_count)
            )
        ]
