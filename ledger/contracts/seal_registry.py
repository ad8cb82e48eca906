"""The ``SealRegistry`` wrapper: electronic seals, their holders, validity and revocation."""

from __future__ import annotations

from collections.abc import Sequence

from eth_account.signers.local import LocalAccount

from ledger.client import Receipt
from ledger.contracts.base import UsesDepartmentRegistry, build, bytes32, optional_time
from ledger.contracts.values import Seal, bytes32_to_code


class SealRegistry(UsesDepartmentRegistry):
    """Electronic seals (GB/T 38540): owner, holders, validity, revocation."""

    contract_name = "SealRegistry"

    def register_seal(
        self,
        admin: LocalAccount,
        seal_id: bytes,
        holder_key_hashes: Sequence[bytes],
        valid_from: int,
        valid_to: int,
    ) -> Receipt:
        """Register ``seal_id``; ``admin`` acts for a SEAL_ADMIN department, its owner."""
        return self._send(
            admin,
            "registerSeal",
            bytes32(seal_id, "seal id"),
            [bytes32(key_hash, "holder key hash") for key_hash in holder_key_hashes],
            valid_from,
            valid_to,
        )

    def revoke_seal(self, admin: LocalAccount, seal_id: bytes, reason_code: int) -> Receipt:
        return self._send(admin, "revokeSeal", bytes32(seal_id, "seal id"), reason_code)

    def get_seal(self, seal_id: bytes) -> Seal:
        """Seal ``seal_id``; reverts ``SealUnknown``."""
        seal = self._read("getSeal", bytes32(seal_id, "seal id"))
        return build(
            Seal,
            seal,
            seal_id=bytes(seal_id),
            owner=bytes32_to_code(seal["owner"]),
            revoked_at=optional_time(seal["revoked_at"]),
        )

    def is_valid_at(self, seal_id: bytes, timestamp: int) -> bool:
        return bool(self._read("isSealValidAt", bytes32(seal_id, "seal id"), timestamp))

    def is_holder(self, seal_id: bytes, key_hash: bytes) -> bool:
        return bool(
            self._read("isHolder", bytes32(seal_id, "seal id"), bytes32(key_hash, "key hash"))
        )
