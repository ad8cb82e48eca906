"""The ``LicenceRegistry`` wrapper: anchored licence batches and each licence's status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from eth_account.signers.local import LocalAccount

from ledger.client import Call, Receipt
from ledger.contracts.base import ZERO32, UsesDepartmentRegistry, build, bytes32
from ledger.contracts.values import (
    Batch,
    InvalidArgument,
    LicenceRecord,
    LicenceStatus,
    LicenceStatusChange,
    bytes32_to_code,
)


class LicenceRegistry(UsesDepartmentRegistry):
    """Anchored licence batches (Merkle roots) and the status of each licence (root, leaf)."""

    contract_name = "LicenceRegistry"

    # The function that sets each status but SUPERSEDED (which names the successor).
    _status_functions: ClassVar[Mapping[LicenceStatus, str]] = {
        LicenceStatus.SUSPENDED: "suspendLicence",
        LicenceStatus.VALID: "reinstateLicence",
        LicenceStatus.WITHDRAWN: "withdrawLicence",
        LicenceStatus.CANCELLED: "cancelLicence",
        LicenceStatus.REVOKED: "revokeLicence",
    }

    def anchor_batch_call(self, root: bytes, count: int) -> Call:
        """:meth:`anchor_batch` as a :class:`Call`, for :meth:`Ledger.transact_batch`."""
        return self.call_of("anchorBatch", bytes32(root, "root"), count)

    def anchor_batch(self, issuer: LocalAccount, root: bytes, count: int) -> Receipt:
        """Anchor batch ``root`` of ``count`` licences; ``issuer`` acts for an ISSUER department."""
        return self._send(issuer, "anchorBatch", bytes32(root, "root"), count)

    def set_status(
        self,
        issuer: LocalAccount,
        root: bytes,
        leaf: bytes,
        status: LicenceStatus,
        reason_code: int,
    ) -> Receipt:
        """Suspend, reinstate (``VALID``), withdraw, cancel or revoke licence (root, leaf).
        Superseding needs the successor: :meth:`supersede`."""
        try:
            function = self._status_functions[status]
        except KeyError:
            raise InvalidArgument(f"a licence cannot be set to {status.name} this way") from None
        return self._send(
            issuer, function, bytes32(root, "root"), bytes32(leaf, "leaf"), reason_code
        )

    def supersede(
        self,
        issuer: LocalAccount,
        root: bytes,
        leaf: bytes,
        *,
        new_root: bytes,
        new_leaf: bytes,
        reason_code: int,
    ) -> Receipt:
        return self._send(
            issuer,
            "supersedeLicence",
            bytes32(root, "root"),
            bytes32(leaf, "leaf"),
            bytes32(new_root, "new root"),
            bytes32(new_leaf, "new leaf"),
            reason_code,
        )

    def batch_of(self, root: bytes) -> Batch | None:
        """Batch ``root``, or None when it is not anchored."""
        batch = self._read("batchOf", bytes32(root, "root"))
        if batch["anchored_at"] == 0:
            return None
        return build(Batch, batch, issuer=bytes32_to_code(batch["issuer"]))

    def status_of(self, root: bytes, leaf: bytes) -> LicenceRecord:
        entry = self._read("statusOf", bytes32(root, "root"), bytes32(leaf, "leaf"))
        new_root, new_leaf = entry["superseded_by_root"], entry["superseded_by_leaf"]
        return LicenceRecord(
            status=LicenceStatus(entry["status"]),
            reason_code=entry["reason_code"],
            changed_at=entry["changed_at"],
            superseded_by=None if new_root == ZERO32 else (new_root, new_leaf),
        )

    def status_changes(
        self, root: bytes | None = None, leaf: bytes | None = None
    ) -> list[LicenceStatusChange]:
        """Status changes, oldest first: of one batch, of one licence, or all."""
        filters = {
            name: bytes32(value, name)
            for name, value in (("root", root), ("leaf", leaf))
            if value is not None
        }
        return [
            LicenceStatusChange(
                root=bytes(event.args["root"]),
                leaf=bytes(event.args["leaf"]),
                status=LicenceStatus(event.args["status"]),
                previous_status=LicenceStatus(event.args["previousStatus"]),
                reason_code=int(event.args["reasonCode"]),
                block_number=event.block_number,
                tx_hash=event.tx_hash,
                timestamp=event.timestamp,
            )
            for event in self.events("LicenceStatusChanged", filters)
        ]
