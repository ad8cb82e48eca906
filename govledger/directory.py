"""The department directory on the chain, and the unified social credit code it is keyed by.

:class:`ChainDepartmentDirectory` implements the platform's
:class:`~govledger.auth.directory.DepartmentDirectory` port over the ``DepartmentRegistry``
contract, the source of truth, cached by :class:`ChainEventCache` until an event names the
department. :func:`check_uscc` validates a code (GB 32100-2015) before it reaches the chain,
check character included: the contract checks only the alphabet.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar, cast

from stdnum.cn import uscc

from govledger.auth.directory import DepartmentRecord
from govledger.errors import InvalidInput
from govledger.lru import DEFAULT_MAXSIZE, LRUCache
from ledger.contracts import Registries
from ledger.contracts.base import ContractWrapper
from ledger.contracts.values import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Department,
    InvalidArgument,
    bytes32_to_code,
)
from ledger.events import DecodedEvent

V = TypeVar("V")
_ABSENT = object()  # not kept (a kept value may be None: a remembered miss)


def check_uscc(code: str) -> str:
    """Return ``code`` if it is a well-formed unified social credit code, else ``InvalidInput``."""
    # Length and alphabet first: python-stdnum computes the check character after upper-casing
    # and stripping separators, and a department has one spelling of its code.
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        raise InvalidInput(
            f"{code!r} is not a unified social credit code: {CODE_LENGTH} characters of "
            f"{CODE_ALPHABET}"
        )
    expected = uscc.calc_check_digit(code[:-1])
    if code[-1] != expected:
        raise InvalidInput(
            f"{code!r} is not a unified social credit code: the check character should be "
            f"{expected!r}"
        )
    return code


def department_record(department: Department) -> DepartmentRecord:
    """The platform's view of a registry entry (key as ``04 || x || y``, role names)."""
    return DepartmentRecord(
        code=department.code,
        name=department.name,
        sm2_public_key=b"\x04" + department.public_key,
        roles=frozenset(role.name for role in department.roles),
        active=department.active,
        key_version=department.key_version,
    )


class ChainEventCache:
    """Contract reads kept until an event in a later block names them (thread-safe).

    A contract read on the embedded chain costs 4-25 ms (py-evm state from SQLite), the head's
    block number ~15 µs. Contract state changes only in a new block, so :meth:`sync` reads the
    head and, if it moved, the new blocks' events of ``contracts``, and drops exactly the keys
    ``stale_keys`` names for each. A change is therefore seen by the first read after the block
    that holds it, with no polling delay. A value read while the head moved is not kept (it may
    predate an event just processed).
    """

    def __init__(
        self,
        contracts: Sequence[ContractWrapper],
        stale_keys: Callable[[DecodedEvent], Iterable[Hashable]],
        *,
        cache_entries: int = DEFAULT_MAXSIZE,
    ) -> None:
        self._contracts = tuple(contracts)
        self._ledger = self._contracts[0].ledger
        self._stale_keys = stale_keys
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._head = self._ledger.block_number()
        # Bounded: keys come from requests, and misses are remembered too.
        self._values: LRUCache[Hashable, object] = LRUCache(cache_entries)

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
            stale: set[Hashable] = set()
            for contract in self._contracts:
                for event in self._ledger.get_events(
                    contract.address,
                    contract.abi,
                    from_block=start,
                    to_block=head,
                    with_timestamps=False,
                ):
                    stale.update(self._stale_keys(event))
            with self._lock:
                for key in stale:
                    self._values.pop(key)
                self._head = head
        return head

    def get(self, key: Hashable, read: Callable[[], V]) -> V:
        """The value kept for ``key``, else ``read()`` (kept if no block came meanwhile).
        Call :meth:`sync` first: this does not look at the head."""
        with self._lock:
            kept = self._values.get(key, _ABSENT)
            if kept is not _ABSENT:
                return cast("V", kept)
            head = self._head
        value = read()
        with self._lock:
            if self._head == head:
                self._values.put(key, value)
        return value


def _named_department(event: DecodedEvent) -> Iterable[str]:
    # Every DepartmentRegistry event names the department it changed.
    code = event.args.get("code")
    return () if code is None else (bytes32_to_code(code),)


class ChainDepartmentDirectory:
    """Departments as the ``DepartmentRegistry`` contract has them, re-read only after a block
    whose events name the department: a registration, suspension, re-key or role change is
    seen by the next lookup, and a lookup otherwise costs one block-number read."""

    def __init__(self, registries: Registries, *, cache_entries: int = DEFAULT_MAXSIZE) -> None:
        self._registry = registries.departments
        self._cache = ChainEventCache(
            [self._registry], _named_department, cache_entries=cache_entries
        )

    def get(self, code: str) -> DepartmentRecord | None:
        self._cache.sync()
        return self._cache.get(code, lambda: self._read(code))

    def _read(self, code: str) -> DepartmentRecord | None:
        try:
            department = self._registry.find_department(code)
        except InvalidArgument:  # not even shaped like a code: no department has it
            return None
        return None if department is None else department_record(department)
