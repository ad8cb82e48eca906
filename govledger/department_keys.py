"""A registered department's keys: where the keystore keeps them and which ones the chain
knows as the department's now.

Keystore names: ``<code>`` for a department's chain account and first SM2 key, ``<code>.v<n>``
for its SM2 key version n ≥ 2 (keys in the keystore are never replaced).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount

from govledger.directory import check_uscc
from govledger.errors import ConfigurationError, NotFound
from govledger.keystore import Keystore
from ledger.contracts import Registries
from ledger.contracts.values import Department
from sm_crypto import SM2PrivateKey


def department_key_name(code: str, key_version: int = 1) -> str:
    """The keystore entry of ``code``'s SM2 key version ``key_version`` (version 1's entry also
    holds the department's chain account)."""
    return code if key_version == 1 else f"{code}.v{key_version}"


def registered_department(registries: Registries, code: str) -> Department:
    department = registries.departments.find_department(check_uscc(code))
    if department is None:
        raise NotFound(f"department {code} is not registered")
    return department


@dataclass(frozen=True)
class DepartmentKeys:
    """A registered department's chain account and its current SM2 key (``key_version``)."""

    code: str
    account: LocalAccount
    sm2: SM2PrivateKey
    key_version: int


def load_department_keys(registries: Registries, keystore: Keystore, code: str) -> DepartmentKeys:
    """The keys ``code`` acts and signs with, checked against the registry: the account must be
    one of the department's and the SM2 key the one in force."""
    department = registered_department(registries, code)
    account = keystore.load(department_key_name(code)).account
    sm2 = keystore.load(department_key_name(code, department.key_version)).sm2
    if account.address not in department.accounts:
        raise ConfigurationError(f"the keystore's account for {code} no longer acts for it")
    if sm2.public_key().to_bytes()[1:] != department.public_key:
        raise ConfigurationError(
            f"the keystore's SM2 key for {code} is not the one the registry has "
            f"(version {department.key_version})"
        )
    return DepartmentKeys(code, account, sm2, department.key_version)
