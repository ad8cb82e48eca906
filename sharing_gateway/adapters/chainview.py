"""Chain reads for the release path, cached until an event says they changed.

A contract read on the embedded chain costs 4-25 ms (py-evm state from SQLite), while the head's
block number costs ~15 µs. Chain state changes only in a new block, so every read first looks at
the head: if it moved, the events of the new blocks (DataSharing and DepartmentRegistry) are read
and exactly the grants, datasets and departments they name are dropped from the cache, before the
read is answered. A revocation or suspension is therefore seen by the first release after the
block that holds it, with no polling delay. Dataset versions never change once published and are
kept. A value read while the head moved is not cached (it may predate an event just processed).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from govledger.auth.directory import DepartmentRecord
from govledger.directory import department_record
from ledger.contracts import (
    Dataset,
    DatasetVersion,
    Department,
    Grant,
    InvalidArgument,
    Registries,
    bytes32_to_code,
)
from ledger.exceptions import ContractRevert

K = TypeVar("K")
V = TypeVar("V")
# GrantUsed changes only the chain's use count, which the gateway keeps itself (exactly).
_IGNORED_EVENTS = frozenset({"GrantUsed", "AccessRequested"})


class ChainView:
    """Cached reads of grants, datasets, versions and departments (thread-safe)."""

    def __init__(self, registries: Registries) -> None:
        self._registries = registries
        self._ledger = registries.sharing.ledger
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._head = self._ledger.block_number()
        self._grants: dict[int, Grant | None] = {}
        self._datasets: dict[bytes, Dataset | None] = {}
        self._versions: dict[tuple[bytes, int], DatasetVersion] = {}
        self._departments: dict[str, Department | None] = {}

    @property
    def registries(self) -> Registries:
        return self._registries

    def sync(self) -> int:
        """Bring the cache up to the chain's head; return the head."""
        head = self._ledger.block_number()
        with self._lock:
            if head <= self._head:
                return head
        # One thread reads the new blocks' events; the others wait for it instead of reading
        # the same events again (each read holds the embedded chain's lock).
        with self._sync_lock:
            with self._lock:
                if head <= self._head:
                    return head
                start = self._head + 1
            self._invalidate(start, head)
        return head

    def _invalidate(self, start: int, head: int) -> None:
        stale_grants: set[int] = set()
        stale_datasets: set[bytes] = set()
        stale_departments: set[str] = set()
        for wrapper in (self._registries.sharing, self._registries.departments):
            for event in self._ledger.get_events(
                wrapper.address, wrapper.abi, from_block=start, to_block=head, with_timestamps=False
            ):
                if event.name in _IGNORED_EVENTS:
                    continue
                if "grantId" in event.args:
                    stale_grants.add(int(event.args["grantId"]))
                if "datasetId" in event.args:
                    stale_datasets.add(bytes(event.args["datasetId"]))
                if "code" in event.args:
                    stale_departments.add(bytes32_to_code(event.args["code"]))
        with self._lock:
            for grant_id in stale_grants:
                self._grants.pop(grant_id, None)
            for dataset_id in stale_datasets:
                self._datasets.pop(dataset_id, None)
            for code in stale_departments:
                self._departments.pop(code, None)
            self._head = head

    def _cached(self, cache: dict[K, V], key: K, read: Callable[[], V]) -> V:
        with self._lock:
            if key in cache:
                return cache[key]
            head = self._head
        value = read()
        with self._lock:
            if self._head == head:
                cache[key] = value
        return value

    def grant(self, grant_id: int) -> Grant | None:
        def read() -> Grant | None:
            try:
                return self._registries.sharing.get_grant(grant_id)
            except ContractRevert:  # SharingUnknownGrant
                return None

        return self._cached(self._grants, grant_id, read)

    def dataset(self, dataset_id: bytes) -> Dataset | None:
        def read() -> Dataset | None:
            try:
                return self._registries.sharing.get_dataset(dataset_id)
            except ContractRevert:  # SharingUnknownDataset
                return None

        return self._cached(self._datasets, bytes(dataset_id), read)

    def version(self, dataset_id: bytes, version: int) -> DatasetVersion:
        return self._cached(
            self._versions,
            (bytes(dataset_id), version),
            lambda: self._registries.sharing.get_version(dataset_id, version),
        )

    def department(self, code: str) -> Department | None:
        def read() -> Department | None:
            try:
                return self._registries.departments.find_department(code)
            except InvalidArgument:
                return None

        return self._cached(self._departments, code, read)


class CachedChainDirectory:
    """The platform's ``DepartmentDirectory`` port over a :class:`ChainView`: the registry's
    answer, re-read only after a block that changed the department."""

    def __init__(self, view: ChainView) -> None:
        self._view = view

    def get(self, code: str) -> DepartmentRecord | None:
        self._view.sync()
        department = self._view.department(code)
        return None if department is None else department_record(department)
