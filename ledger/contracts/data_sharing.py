"""The ``DataSharing`` wrapper: datasets, their versions, access requests and grants."""

from __future__ import annotations

from collections.abc import Sequence

from eth_account.signers.local import LocalAccount

from ledger.client import Receipt
from ledger.contracts.base import (
    Governed,
    UsesDepartmentRegistry,
    Written,
    build,
    bytes32,
    optional_time,
)
from ledger.contracts.values import (
    Action,
    Dataset,
    DatasetVersion,
    Grant,
    GrantStatus,
    ShareClass,
    bytes32_to_code,
)


class DataSharing(UsesDepartmentRegistry, Governed):
    """Datasets, their versions, access requests and grants."""

    contract_name = "DataSharing"

    def register_dataset(
        self, provider: LocalAccount, dataset_id: bytes, share_class: ShareClass, schema_hash: bytes
    ) -> Receipt:
        return self._send(
            provider,
            "registerDataset",
            bytes32(dataset_id, "dataset id"),
            int(share_class),
            bytes32(schema_hash, "schema hash"),
        )

    def publish_version(
        self, provider: LocalAccount, dataset_id: bytes, content_hash: bytes, signature_hash: bytes
    ) -> Written[int]:
        """Publish a version; the value is its number (from 1)."""
        return self._send_returning(
            provider,
            "publishVersion",
            (
                bytes32(dataset_id, "dataset id"),
                bytes32(content_hash, "content hash"),
                bytes32(signature_hash, "signature hash"),
            ),
            "DatasetVersionPublished",
            "version",
        )

    def request_access(
        self,
        requester: LocalAccount,
        dataset_id: bytes,
        fields: Sequence[bytes],
        *,
        purpose_hash: bytes,
        scenario_code: int,
        expires_at: int,
        max_uses: int,
    ) -> Written[int]:
        """Request access; the value is the grant id. Unconditional datasets are granted now."""
        return self._send_returning(
            requester,
            "requestAccess",
            (
                bytes32(dataset_id, "dataset id"),
                [bytes32(name, "field name") for name in fields],
                bytes32(purpose_hash, "purpose hash"),
                scenario_code,
                expires_at,
                max_uses,
            ),
            "AccessRequested",
            "grantId",
        )

    def approve_request(
        self,
        provider: LocalAccount,
        grant_id: int,
        fields: Sequence[bytes],
        expires_at: int,
        max_uses: int,
    ) -> Receipt:
        return self._send(
            provider,
            "approveRequest",
            grant_id,
            [bytes32(name, "field name") for name in fields],
            expires_at,
            max_uses,
        )

    def reject_request(self, provider: LocalAccount, grant_id: int, reason_code: int) -> Receipt:
        return self._send(provider, "rejectRequest", grant_id, reason_code)

    def revoke_grant(self, provider: LocalAccount, grant_id: int, reason_code: int) -> Receipt:
        return self._send(provider, "revokeGrant", grant_id, reason_code)

    def encode_revoke_grant(self, grant_id: int, reason_code: int) -> Action:
        """Revocation of any grant by the governance committee."""
        return self._action(
            f"revoke data grant {grant_id} (reason {reason_code})",
            "revokeGrant",
            grant_id,
            reason_code,
        )

    def consume_uses(
        self, provider: LocalAccount, grant_id: int, uses: int, used_before: int
    ) -> Written[int]:
        """Record ``uses`` uses made when ``used_before`` were recorded (refused
        ``SharingUsesOutOfStep`` otherwise); the value is the total recorded so far."""
        return self._send_returning(
            provider, "consumeUses", (grant_id, uses, used_before), "GrantUsed", "used"
        )

    def get_dataset(self, dataset_id: bytes) -> Dataset:
        """Dataset ``dataset_id``; reverts ``SharingUnknownDataset``."""
        dataset = self._read("getDataset", bytes32(dataset_id, "dataset id"))
        return build(
            Dataset,
            dataset,
            dataset_id=bytes(dataset_id),
            provider=bytes32_to_code(dataset["provider"]),
            share_class=ShareClass(dataset["share_class"]),
        )

    def get_version(self, dataset_id: bytes, version: int) -> DatasetVersion:
        return build(
            DatasetVersion, self._read("getVersion", bytes32(dataset_id, "dataset id"), version)
        )

    def get_grant(self, grant_id: int) -> Grant:
        """Request or grant ``grant_id``; reverts ``SharingUnknownGrant``."""
        grant = self._read("getGrant", grant_id)
        return build(
            Grant,
            grant,
            grant_id=grant_id,
            requester=bytes32_to_code(grant["requester"]),
            status=GrantStatus(grant["status"]),
            decided_at=optional_time(grant["decided_at"]),
        )

    def is_grant_active(self, grant_id: int) -> bool:
        return bool(self._read("isGrantActive", grant_id))

    def grant_count(self) -> int:
        return int(self._read("grantCount"))
