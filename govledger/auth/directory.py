"""The department directory port: who a department is, its SM2 key, roles and status.

The source of truth is the ``DepartmentRegistry`` contract on the chain; its adapter implements
:class:`DepartmentDirectory`. :class:`StaticDepartmentDirectory` holds records in memory, for
development and as the chain's stand-in in tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from govledger.errors import InvalidInput

# Department codes go into the signed sign-in message line by line: no spaces, no line breaks.
DEPARTMENT_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_DEPARTMENT_CODE = re.compile(DEPARTMENT_CODE_PATTERN)


def check_department_code(code: str) -> str:
    """Return ``code`` if it is a well-formed department code, else raise ``InvalidInput``."""
    if not _DEPARTMENT_CODE.fullmatch(code):
        raise InvalidInput("department code must be 1-64 letters, digits, '.', '_' or '-'")
    return code


@dataclass(frozen=True)
class DepartmentRecord:
    """A department as the registry knows it; ``sm2_public_key`` is ``04 || x || y`` (65 bytes),
    version ``key_version`` of its key (1 at registration, one more at each rotation)."""

    code: str
    name: str
    sm2_public_key: bytes = field(repr=False)
    roles: frozenset[str]
    active: bool
    key_version: int


class DepartmentDirectory(Protocol):
    """Looks departments up by code; ``None`` when no such department is registered."""

    def get(self, code: str) -> DepartmentRecord | None: ...


class StaticDepartmentDirectory:
    """A directory held in memory: records are put in by the caller."""

    def __init__(self, records: list[DepartmentRecord] | None = None) -> None:
        self._records = {record.code: record for record in records or []}

    def put(self, record: DepartmentRecord) -> None:
        self._records[record.code] = record

    def remove(self, code: str) -> None:
        self._records.pop(code, None)

    def get(self, code: str) -> DepartmentRecord | None:
        return self._records.get(code)
