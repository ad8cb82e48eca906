"""The licence service's chain adapters over the typed contract wrappers.

- :class:`ChainLicenceView` answers the verifier's questions (the domain's
  :class:`~licence_service.domain.ports.LicenceChainView`): batch by root, status by leaf,
  a department's key and role history from the registry's events, a seal by hash with its
  revocation. Each answer is read once per view; make a view per verification (or per run of a
  bulk verification, where :meth:`ChainLicenceView.prefetch_statuses` reads a whole batch's
  status changes in one event query).
- :class:`ChainLicenceLedger` makes the service's writes (anchoring, status, seals).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from eth_account.signers.local import LocalAccount

from ledger import revert_error_class
from ledger.client import Receipt
from ledger.contracts import Registries
from ledger.contracts.values import LicenceStatus, Role, bytes32_to_code, code_to_bytes32
from ledger.exceptions import ContractRevert, OutOfGas
from licence_service.domain.ports import (
    AnchoredBatch,
    DepartmentKey,
    DepartmentRecord,
    LicenceStatusRecord,
    RoleGrant,
    SealRecord,
)
from licence_service.errors import BatchRefused, IssuerLacksRole, IssuerSuspended
from licence_service.ports import ChainStatusChange, TxRecord


def _moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _tx(receipt: Receipt) -> TxRecord:
    return TxRecord(receipt.tx_hash, receipt.block_number)


class ChainLicenceView:
    """The verifier's view of the chain, memoised for the view's lifetime."""

    def __init__(self, registries: Registries) -> None:
        self._registries = registries
        self._batches: dict[bytes, AnchoredBatch | None] = {}
        self._departments: dict[str, DepartmentRecord | None] = {}
        self._seals: dict[bytes, SealRecord | None] = {}
        self._prefetched: dict[bytes, dict[bytes, LicenceStatusRecord]] = {}

    def batch(self, root: bytes) -> AnchoredBatch | None:
        if root not in self._batches:
            found = self._registries.licences.batch_of(root)
            self._batches[root] = (
                None
                if found is None
                else AnchoredBatch(root, found.issuer, found.count, _moment(found.anchored_at))
            )
        return self._batches[root]

    def prefetch_statuses(self, root: bytes) -> None:
        """Read every status change of batch ``root`` at once; licences it does not mention
        are VALID since the anchoring (as ``statusOf`` answers)."""
        changes: dict[bytes, LicenceStatusRecord] = {}
        for change in self._registries.licences.status_changes(root=root):
            changes[change.leaf] = self._status_from_chain(root, change.leaf)
        self._prefetched[root] = changes

    def licence_status(self, root: bytes, leaf: bytes) -> LicenceStatusRecord:
        prefetched = self._prefetched.get(root)
        if prefetched is not None:
            if leaf in prefetched:
                return prefetched[leaf]
            batch = self.batch(root)
            if batch is None:
                return LicenceStatusRecord(LicenceStatus.UNKNOWN)
            return LicenceStatusRecord(LicenceStatus.VALID, 0, batch.anchored_at)
        return self._status_from_chain(root, leaf)

    def _status_from_chain(self, root: bytes, leaf: bytes) -> LicenceStatusRecord:
        record = self._registries.licences.status_of(root, leaf)
        return LicenceStatusRecord(
            status=record.status,
            reason_code=record.reason_code,
            changed_at=_moment(record.changed_at) if record.changed_at else None,
            superseded_by=record.superseded_by,
        )

    def department(self, code: str) -> DepartmentRecord | None:
        if code not in self._departments:
            self._departments[code] = self._read_department(code)
        return self._departments[code]

    def _read_department(self, code: str) -> DepartmentRecord | None:
        registry = self._registries.departments
        try:
            found = registry.find_department(code)
        except ValueError:  # not shaped like a code: no department has it
            return None
        if found is None:
            return None
        keys = tuple(
            DepartmentKey(change.key_version, change.public_key, _moment(change.effective_at))
            for change in registry.key_history(code)
        )
        return DepartmentRecord(
            code=found.code,
            name=found.name,
            active=found.active,
            keys=keys,
            role_grants=self._role_grants(code),
        )

    def _role_grants(self, code: str) -> tuple[RoleGrant, ...]:
        registry = self._registries.departments
        topic = {"code": code_to_bytes32(code)}
        changes = sorted(
            [
                *((event, True) for event in registry.events("DepartmentRoleGranted", topic)),
                *((event, False) for event in registry.events("DepartmentRoleRevoked", topic)),
            ],
            key=lambda pair: (pair[0].block_number, pair[0].log_index),
        )
        grants: list[RoleGrant] = []
        held: dict[str, RoleGrant] = {}
        for event, granted in changes:
            role = f"{Role.from_id(event.args['role']).name}_ROLE"
            at = _moment(event.timestamp or 0)
            if granted and role not in held:
                held[role] = RoleGrant(role, at)
            elif not granted and role in held:
                grants.append(RoleGrant(role, held.pop(role).granted_at, at))
        return (*grants, *held.values())

    def seal(self, seal_hash: bytes) -> SealRecord | None:
        if seal_hash not in self._seals:
            try:
                found = self._registries.seals.get_seal(seal_hash)
            except revert_error_class("SealUnknown"):
                found = None
            self._seals[seal_hash] = (
                None
                if found is None
                else SealRecord(
                    seal_hash=seal_hash,
                    owner_code=found.owner,
                    holder_key_hashes=frozenset(found.holder_key_hashes),
                    valid_from=_moment(found.valid_from),
                    valid_to=_moment(found.valid_to),
                    registered_at=_moment(found.registered_at),
                    revoked_at=None if found.revoked_at is None else _moment(found.revoked_at),
                    revocation_reason=found.revocation_reason,
                )
            )
        return self._seals[seal_hash]


class ChainLicenceLedger:
    """The service's chain writes, through the wrappers (and so the ledger's outbox)."""

    def __init__(self, registries: Registries) -> None:
        self._registries = registries

    def chain_time(self) -> datetime:
        block = self._registries.licences.ledger.provider.request(
            "eth_getBlockByNumber", ["latest", False]
        )
        return _moment(int(block["timestamp"], 16))

    def require_issuer(self, account: LocalAccount) -> None:
        try:
            self._registries.departments.require_role(account.address, Role.ISSUER)
        except revert_error_class("DepartmentSuspended") as suspended:
            code = bytes32_to_code(suspended.args_by_name["code"])
            raise IssuerSuspended(
                f"department {code} is suspended on chain: it may not issue licences until it "
                "is reinstated"
            ) from None
        except (
            revert_error_class("DepartmentMissingRole"),
            revert_error_class("DepartmentUnknownAccount"),
        ) as refused:
            raise IssuerLacksRole(
                f"account {account.address} may not issue licences on chain ({refused})"
            ) from None

    def anchor(self, account: LocalAccount, issuer_code: str, root: bytes, count: int) -> TxRecord:
        licences = self._registries.licences
        try:
            if licences.batch_of(root) is None:
                return _tx(licences.anchor_batch(account, root, count))
        except revert_error_class("LicenceBatchExists"):
            pass  # anchored meanwhile: by whom is read below
        except OutOfGas:
            raise  # says nothing about the batch: it stays sealed for the next round
        except ContractRevert as revert:
            refusal = f"the chain refused to anchor batch {root.hex()}: {revert}"
            raise BatchRefused(refusal) from None
        found = licences.batch_of(root)
        assert found is not None
        if found.issuer != issuer_code:
            # Whoever anchors a root first owns it on chain: these licences cannot be ours.
            raise BatchRefused(
                f"root {root.hex()} was anchored first by department {found.issuer}, so it "
                f"cannot stand for licences of {issuer_code}; issue them again"
            )
        # Ours already: the outbox re-sent our transaction after a crash, or a second
        # anchoring of the same batch raced this one.
        (event,) = licences.events("BatchAnchored", {"root": root})
        return TxRecord(event.tx_hash, event.block_number)

    def set_status(
        self,
        account: LocalAccount,
        root: bytes,
        leaf: bytes,
        status: LicenceStatus,
        reason_code: int,
    ) -> TxRecord:
        receipt = self._registries.licences.set_status(account, root, leaf, status, reason_code)
        return _tx(receipt)

    def supersede(
        self,
        account: LocalAccount,
        old: tuple[bytes, bytes],
        new: tuple[bytes, bytes],
        reason_code: int,
    ) -> TxRecord:
        receipt = self._registries.licences.supersede(
            account, *old, new_root=new[0], new_leaf=new[1], reason_code=reason_code
        )
        return _tx(receipt)

    def status_changes(self, root: bytes, leaf: bytes) -> list[ChainStatusChange]:
        return [
            ChainStatusChange(
                status=change.status,
                previous_status=change.previous_status,
                reason_code=change.reason_code,
                tx=TxRecord(change.tx_hash, change.block_number),
                at=None if change.timestamp is None else _moment(change.timestamp),
            )
            for change in self._registries.licences.status_changes(root=root, leaf=leaf)
        ]

    def anchored_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for event in self._registries.licences.events("BatchAnchored"):
            code = bytes32_to_code(event.args["issuer"])
            counts[code] = counts.get(code, 0) + int(event.args["count"])
        return counts

    def status_change_count(self) -> int:
        return sum(
            1
            for change in self._registries.licences.status_changes()
            if LicenceStatus(int(change.status)) is not LicenceStatus.SUPERSEDED
        )

    def register_seal(
        self,
        account: LocalAccount,
        seal_hash: bytes,
        holder_key_hashes: Sequence[bytes],
        valid_from: datetime,
        valid_to: datetime,
    ) -> TxRecord:
        receipt = self._registries.seals.register_seal(
            account,
            seal_hash,
            holder_key_hashes,
            int(valid_from.timestamp()),
            int(valid_to.timestamp()),
        )
        return _tx(receipt)

    def revoke_seal(self, account: LocalAccount, seal_hash: bytes, reason_code: int) -> TxRecord:
        return _tx(self._registries.seals.revoke_seal(account, seal_hash, reason_code))
