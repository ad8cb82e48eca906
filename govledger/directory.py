"""The department directory on the chain, and the unified social credit code it is keyed by.

:class:`ChainDepartmentDirectory` implements the platform's
:class:`~govledger.auth.directory.DepartmentDirectory` port over the ``DepartmentRegistry``
contract, the source of truth. :func:`check_uscc` validates a code (GB 32100-2015) before it
reaches the chain, check character included: the contract checks only the alphabet.
"""

from __future__ import annotations

from govledger.auth.directory import DepartmentRecord
from govledger.errors import InvalidInput
from ledger.contracts import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Department,
    InvalidArgument,
    Registries,
)

# GB 32100-2015: weight of each of the first 17 characters in the check character.
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_MODULUS = len(CODE_ALPHABET)  # 31


def uscc_check_character(first17: str) -> str:
    """The check character of a code whose first 17 characters are ``first17``."""
    total = sum(
        CODE_ALPHABET.index(char) * weight
        for char, weight in zip(first17, _USCC_WEIGHTS, strict=True)
    )
    return CODE_ALPHABET[(_MODULUS - total % _MODULUS) % _MODULUS]


def check_uscc(code: str) -> str:
    """Return ``code`` if it is a well-formed unified social credit code, else ``InvalidInput``."""
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        raise InvalidInput(
            f"{code!r} is not a unified social credit code: {CODE_LENGTH} characters of "
            f"{CODE_ALPHABET}"
        )
    expected = uscc_check_character(code[:-1])
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
    )


class ChainDepartmentDirectory:
    """Departments as the ``DepartmentRegistry`` contract has them, read on every call (a
    suspension or re-key takes effect at once)."""

    def __init__(self, registries: Registries) -> None:
        self._registry = registries.departments

    def get(self, code: str) -> DepartmentRecord | None:
        try:
            department = self._registry.find_department(code)
        except InvalidArgument:  # not even shaped like a code: no department has it
            return None
        return None if department is None else department_record(department)
