"""The port the verifier reads the chain through, and the answers it gets.

An adapter over the ``LicenceRegistry``, ``SealRegistry`` and ``DepartmentRegistry`` contracts
implements :class:`LicenceChainView`; tests use a dict-backed one. :class:`LicenceRecords` is
what an issuing service adds (anchors of copies handed out before their batch was anchored,
successors' identifiers). Moments are timezone-aware
UTC datetimes (the contracts' Unix seconds), department codes the 18-character USCC text (the
contracts' left-aligned ``bytes32``), and public keys the 64-byte ``x || y``. The answers
describe the chain as it is now; failures to reach the chain propagate as the adapter's errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ledger.contracts.values import LicenceStatus

ISSUER_ROLE = "ISSUER_ROLE"
SEAL_ADMIN_ROLE = "SEAL_ADMIN_ROLE"


@dataclass(frozen=True)
class AnchoredBatch:
    """A batch root anchored by department ``issuer_code``."""

    root: bytes
    issuer_code: str
    count: int
    anchored_at: datetime


@dataclass(frozen=True)
class LicenceStatusRecord:
    """The status of one licence (root, leaf). A licence of an anchored batch that was never
    changed is VALID with ``reason_code`` 0; one of a root not anchored is UNKNOWN."""

    status: LicenceStatus
    reason_code: int = 0
    changed_at: datetime | None = None
    superseded_by: tuple[bytes, bytes] | None = None


@dataclass(frozen=True)
class DepartmentKey:
    """Version ``version`` of a department's SM2 key, in force from ``effective_at`` until the
    next version takes effect."""

    version: int
    public_key: bytes
    effective_at: datetime


@dataclass(frozen=True)
class RoleGrant:
    """A role held from ``granted_at`` until ``revoked_at`` (None: still held)."""

    role: str
    granted_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class DepartmentRecord:
    """A registered department: ``active`` is false while it is suspended."""

    code: str
    name: str
    active: bool
    keys: tuple[DepartmentKey, ...]
    role_grants: tuple[RoleGrant, ...]

    def key_at(self, moment: datetime) -> DepartmentKey | None:
        """The key in force at ``moment``: the latest that took effect at or before it."""
        in_force = [key for key in self.keys if key.effective_at <= moment]
        return max(in_force, key=lambda key: key.version, default=None)

    def held_role_at(self, role: str, moment: datetime) -> bool:
        return any(
            grant.role == role
            and grant.granted_at <= moment
            and (grant.revoked_at is None or moment < grant.revoked_at)
            for grant in self.role_grants
        )


@dataclass(frozen=True)
class SealRecord:
    """A registered seal, by its hash. Valid from ``valid_from`` to ``valid_to`` inclusive, and
    only before ``revoked_at`` once revoked. ``holder_key_hashes`` are SM3 of the holders'
    64-byte public keys."""

    seal_hash: bytes
    owner_code: str
    holder_key_hashes: frozenset[bytes]
    valid_from: datetime
    valid_to: datetime
    registered_at: datetime
    revoked_at: datetime | None = None
    revocation_reason: int = 0


class LicenceChainView(Protocol):
    """What the verifier asks the chain."""

    def batch(self, root: bytes) -> AnchoredBatch | None:
        """The batch anchored under ``root``, or None."""
        ...

    def licence_status(self, root: bytes, leaf: bytes) -> LicenceStatusRecord:
        """The status of licence ``leaf`` in batch ``root``."""
        ...

    def department(self, code: str) -> DepartmentRecord | None:
        """The department with credit code ``code``, with its key and role history, or None."""
        ...

    def seal(self, seal_hash: bytes) -> SealRecord | None:
        """The seal registered under ``seal_hash``, or None."""
        ...


class LicenceRecords(Protocol):
    """What an issuing service knows beyond the chain, for the verifier. Its answers are hints:
    the verifier checks an anchor like any other, and a successor only names what the chain
    already says superseded the licence."""

    def anchor_of(self, licence_id: str, leaf: bytes) -> tuple[bytes, tuple[bytes, ...]] | None:
        """The (root, proof) of licence ``licence_id`` with ``leaf`` once its batch is
        anchored, for a copy handed out before (which carries none); else None."""
        ...

    def successor_id(self, licence_id: str, root: bytes, leaf: bytes) -> str | None:
        """The identifier of the licence (``root``, ``leaf``) that superseded ``licence_id`` on
        chain (the chain keeps hashes, not identifiers), or None if unknown."""
        ...
