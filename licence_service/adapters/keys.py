"""Departments' signing keys: the keystore's keys, checked against the department registry."""

from __future__ import annotations

import threading

from govledger.department_keys import load_department_keys
from govledger.keystore import Keystore
from govledger.lru import DEFAULT_MAXSIZE, LRUCache
from ledger.contracts import Registries
from licence_service.domain.model import IssuingAuthority
from licence_service.ports import SigningDepartment


class KeystoreKeyring:
    """:class:`~licence_service.ports.DepartmentKeyring` over the keystore. Unsealing a key is
    slow on purpose (PBKDF2), so keys are kept per key version; a re-key on chain is picked up
    at the next call."""

    def __init__(
        self, keystore: Keystore, registries: Registries, *, cache_entries: int = DEFAULT_MAXSIZE
    ) -> None:
        self._keystore = keystore
        self._registries = registries
        self._lock = threading.Lock()  # one unsealing per key, not one per concurrent request
        self._cache: LRUCache[tuple[str, int], SigningDepartment] = LRUCache(cache_entries)

    def signer(self, code: str) -> SigningDepartment:
        department = self._registries.departments.get_department(code)
        key = (code, department.key_version)
        with self._lock:
            signer = self._cache.get(key)
            if signer is None:
                keys = load_department_keys(self._registries, self._keystore, code)
                signer = SigningDepartment(
                    authority=IssuingAuthority(code=code, name=department.name),
                    account=keys.account,
                    sm2=keys.sm2,
                    key_version=keys.key_version,
                )
                self._cache.put(key, signer)
            return signer
