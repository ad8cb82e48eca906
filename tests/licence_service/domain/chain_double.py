"""A dict-backed :class:`LicenceChainView` for the verifier's tests.

It answers exactly as the contracts' views do (an anchored batch's unchanged licences are valid,
a root not anchored gives status UNKNOWN), so the chain adapter can later run the same scenarios
end to end on a real chain. Its setters are the test's way of writing "the chain says so".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from ledger.contracts.values import LicenceStatus
from licence_service.domain.ports import (
    AnchoredBatch,
    DepartmentKey,
    DepartmentRecord,
    LicenceStatusRecord,
    RoleGrant,
    SealRecord,
)


@dataclass
class ChainDouble:
    batches: dict[bytes, AnchoredBatch] = field(default_factory=dict)
    statuses: dict[tuple[bytes, bytes], LicenceStatusRecord] = field(default_factory=dict)
    departments: dict[str, DepartmentRecord] = field(default_factory=dict)
    seals: dict[bytes, SealRecord] = field(default_factory=dict)

    # LicenceChainView

    def batch(self, root: bytes) -> AnchoredBatch | None:
        return self.batches.get(root)

    def licence_status(self, root: bytes, leaf: bytes) -> LicenceStatusRecord:
        if root not in self.batches:
            return LicenceStatusRecord(LicenceStatus.UNKNOWN)
        anchored = LicenceStatusRecord(LicenceStatus.VALID, 0, self.batches[root].anchored_at)
        return self.statuses.get((root, leaf), anchored)

    def department(self, code: str) -> DepartmentRecord | None:
        return self.departments.get(code)

    def seal(self, seal_hash: bytes) -> SealRecord | None:
        return self.seals.get(seal_hash)

    # What the contracts' transactions would record

    def register_department(
        self, code: str, name: str, public_key: bytes, roles: tuple[str, ...], at: datetime
    ) -> None:
        self.departments[code] = DepartmentRecord(
            code=code,
            name=name,
            active=True,
            keys=(DepartmentKey(1, public_key, at),),
            role_grants=tuple(RoleGrant(role, at) for role in roles),
        )

    def rotate_key(self, code: str, public_key: bytes, at: datetime) -> None:
        record = self.departments[code]
        key = DepartmentKey(len(record.keys) + 1, public_key, at)
        self.departments[code] = replace(record, keys=(*record.keys, key))

    def revoke_role(self, code: str, role: str, at: datetime) -> None:
        record = self.departments[code]
        grants = tuple(
            replace(grant, revoked_at=at)
            if grant.role == role and grant.revoked_at is None
            else grant
            for grant in record.role_grants
        )
        self.departments[code] = replace(record, role_grants=grants)

    def grant_role(self, code: str, role: str, at: datetime) -> None:
        record = self.departments[code]
        self.departments[code] = replace(
            record, role_grants=(*record.role_grants, RoleGrant(role, at))
        )

    def suspend(self, code: str) -> None:
        self.departments[code] = replace(self.departments[code], active=False)

    def anchor(self, root: bytes, issuer_code: str, count: int, at: datetime) -> None:
        self.batches[root] = AnchoredBatch(root, issuer_code, count, at)

    def set_status(
        self, root: bytes, leaf: bytes, status: LicenceStatus, at: datetime, reason_code: int = 1
    ) -> None:
        self.statuses[(root, leaf)] = LicenceStatusRecord(status, reason_code, at)

    def register_seal(self, record: SealRecord) -> None:
        self.seals[record.seal_hash] = record

    def revoke_seal(self, seal_hash: bytes, at: datetime) -> None:
        self.seals[seal_hash] = replace(self.seals[seal_hash], revoked_at=at, revocation_reason=1)
