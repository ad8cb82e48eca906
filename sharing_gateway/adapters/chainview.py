"""Chain reads for the release path, cached until an event says they changed.

Grants and datasets are kept in the platform's :class:`~govledger.directory.ChainEventCache`
until a ``DataSharing`` event in a new block names them; departments come from the platform's
directory, cached the same way on ``DepartmentRegistry`` events. A revocation or suspension is
therefore seen by the first release after the block that holds it. Dataset versions never
change once published and are kept.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from govledger.auth.directory import DepartmentDirectory, DepartmentRecord
from govledger.directory import ChainEventCache
from govledger.lru import DEFAULT_MAXSIZE
from ledger.contracts import Dataset, DatasetVersion, Grant, Registries
from ledger.events import DecodedEvent
from ledger.exceptions import ContractRevert

# GrantUsed changes only the chain's use count, which the gateway keeps itself (exactly).
_IGNORED_EVENTS = frozenset({"GrantUsed", "AccessRequested"})


def _named_by(event: DecodedEvent) -> Iterable[Hashable]:
    if event.name in _IGNORED_EVENTS:
        return ()
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

    @property
    def registries(self) -> Registries:
        return self._registries

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

    def department(self, code: str) -> DepartmentRecord | None:
        """The platform directory's record (it brings itself up to the head first)."""
        return self._directory.get(code)
