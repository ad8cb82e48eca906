"""The licence service's application layer: seals, issuance in anchored batches, lifecycle,
holder access, presentations and verification.

Durability: a licence's document and its batch membership are committed before its batch is
anchored, and a batch's root is fixed (``sealed``) before the anchoring transaction is sent, so
a crash at any point leaves either nothing or a sealed batch that :meth:`LicenceService.
anchor_sealed` anchors on the next start (the ledger's outbox makes a recorded anchoring
transaction reach the chain once; :meth:`LicenceLedger.anchor` recognises a batch that did).

Isolation: each batch is anchored on its own. A batch the chain refuses is set aside
(``refused``, with the reason) and the others go on; its issuer sends it again with
:meth:`LicenceService.retry_batch` once the cause is gone (docs/licence-service.md).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from govledger.auth.clock import Clock, utc_now
from govledger.auth.tokens import HOLDER_KIND, TokenService
from govledger.errors import GovLedgerError, InvalidInput
from ledger import revert_error_class
from ledger.contracts.values import LicenceStatus
from ledger.exceptions import BackendUnavailable, LedgerError, ReceiptTimeout
from licence_service.domain.canonical import utc_seconds
from licence_service.domain.document import LicenceDocument, SealedLicence, issue_batch
from licence_service.domain.errors import InvalidIdentifier
from licence_service.domain.ids import LicenceId
from licence_service.domain.model import Code, LicenceInput, LicenceParticulars
from licence_service.domain.ports import LicenceChainView
from licence_service.domain.presentation import Presentation, present
from licence_service.domain.seal import (
    SealHeader,
    SealInfo,
    SealPicture,
    SealProperty,
    SealType,
    holder_key_hash,
    make_seal,
    public_key_bytes,
)
from licence_service.domain.verify import LICENCE_TIMEZONE, VerificationReport, verify
from licence_service.errors import (
    BatchNotFound,
    BatchNotRefused,
    BatchRefused,
    HolderTokenRevoked,
    InvalidLicenceId,
    LicenceNotAnchored,
    LicenceNotFound,
    LicenceStateConflict,
    NoActiveSeal,
    NotLicenceHolder,
    NotLicenceIssuer,
    NotSealOwner,
    PresentationNotFound,
    SealNotFound,
)
from licence_service.ports import (
    BatchState,
    ChainStatusChange,
    DepartmentKeyring,
    LicenceFact,
    LicenceLedger,
    LicenceStore,
    NewLicence,
    SigningDepartment,
    StoredBatch,
    StoredEvent,
    StoredLicence,
    StoredSeal,
    TxRecord,
)
from licence_service.settings import LicenceSettings

_logger = logging.getLogger(__name__)

SEAL_VENDOR = "govledger"


class LicenceRequest(LicenceParticulars):
    """One licence to issue: its particulars and type; the service assigns the serial."""

    type_code: Code


class StatusAction(StrEnum):
    """Status changes the issuing department writes on chain."""

    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    WITHDRAW = "withdraw"
    CANCEL = "cancel"
    REVOKE = "revoke"  # as a penalty


_ACTION_STATUS = {
    StatusAction.SUSPEND: LicenceStatus.SUSPENDED,
    StatusAction.REINSTATE: LicenceStatus.VALID,
    StatusAction.WITHDRAW: LicenceStatus.WITHDRAWN,
    StatusAction.CANCEL: LicenceStatus.CANCELLED,
    StatusAction.REVOKE: LicenceStatus.REVOKED,
}


class SuccessorAction(StrEnum):
    RENEW = "renew"
    TRANSFER = "transfer"


def check_reason_code(code: int) -> int:
    """The contracts keep reason codes as ``uint16``."""
    if not 0 <= code <= 0xFFFF:
        raise InvalidInput(f"a reason code is 0-65535, not {code}")
    return code


@dataclass(frozen=True)
class Reason:
    """Why a status changes: a code kept on chain, and the text kept beside it."""

    code: int
    text: str

    def __post_init__(self) -> None:
        check_reason_code(self.code)


@dataclass(frozen=True)
class LicenceState:
    """A stored licence and where it stands: ``pending`` until its batch is anchored, then its
    status on chain (``expired`` when valid on chain but past its validity); a superseded one
    names its successor."""

    licence: StoredLicence
    status: str
    reason_code: int | None
    successor_id: str | None = None


@dataclass(frozen=True)
class IssuedLicence:
    state: LicenceState
    holder_token: str | None


@dataclass(frozen=True)
class BulkIssue:
    """The batches a bulk issue formed (as they stand after anchoring) and its licences."""

    batches: list[StoredBatch]
    licence_ids: list[str]


@dataclass(frozen=True)
class LicenceStatistics:
    """Licences counted from the database by month issued, issuer, type and status; and where
    the chain's events disagree with those counts (said in plain words)."""

    counts: dict[tuple[str, str, str, str], int]
    disagreements: list[str]


def _fact_status(fact: LicenceFact) -> str:
    if fact.last_action in {action.value for action in StatusAction}:
        return _ACTION_STATUS[StatusAction(fact.last_action)].name.lower()
    if fact.last_action in {action.value for action in SuccessorAction}:
        return LicenceStatus.SUPERSEDED.name.lower()
    return {"anchored": "valid", "refused": "refused"}.get(fact.batch_state, "pending")


@dataclass(frozen=True)
class HistoryEntry:
    action: str
    status: LicenceStatus
    previous_status: LicenceStatus | None
    reason_code: int
    reason: str | None
    tx: TxRecord | None
    at: datetime | None
    successor_id: str | None = None


class LicenceService:
    """The application layer; HTTP routes and the CLI both call it."""

    def __init__(
        self,
        *,
        settings: LicenceSettings,
        store: Callable[[], AbstractContextManager[LicenceStore]],
        ledger: LicenceLedger,
        chain_view: Callable[[], LicenceChainView],
        keyring: DepartmentKeyring,
        tokens: TokenService,
        clock: Clock = utc_now,
    ) -> None:
        self.settings = settings
        self._store = store
        self._ledger = ledger
        self._chain_view = chain_view
        self._keyring = keyring
        self._tokens = tokens
        self._clock = clock
        # One anchoring at a time: the batcher and a bulk call never send the same root twice.
        self._anchor_lock = threading.Lock()
        self.batch_full = threading.Event()

    def _now(self) -> datetime:
        return utc_seconds(self._clock())

    def _chain_now(self) -> datetime:
        """Now, or the chain's time if it runs ahead (a chain that makes more than a block a
        second stamps each a second after the last). Signing and verification times compare
        with the moments keys and seals took effect on chain, so they use the later clock."""
        return max(self._now(), self._ledger.chain_time())

    # -- seals ----------------------------------------------------------------------------------

    def create_seal(
        self,
        department: str,
        *,
        name: str,
        seal_type: SealType = SealType.ORGANISATION,
        valid_start: datetime | None = None,
        valid_end: datetime,
        picture: SealPicture | None = None,
    ) -> StoredSeal:
        """Make, sign and register ``department``'s seal, held by its current SM2 key."""
        signer = self._keyring.signer(department)
        now = self._chain_now()
        start = utc_seconds(valid_start or now)
        holder = public_key_bytes(signer.sm2.public_key())
        info = SealInfo(
            header=SealHeader(vendor=SEAL_VENDOR),
            seal_id=f"{department}-{secrets.token_hex(4)}",
            property=SealProperty(
                type=seal_type,
                name=name,
                holder_public_keys=(holder,),
                created_at=now,
                valid_start=start,
                valid_end=utc_seconds(valid_end),
            ),
            picture=picture or _default_picture(name),
        )
        seal = make_seal(info, maker_code=department, maker_key=signer.sm2, signed_at=now)
        tx = self._ledger.register_seal(
            signer.account,
            seal.hash,
            [holder_key_hash(key) for key in info.property.holder_public_keys],
            info.property.valid_start,
            info.property.valid_end,
        )
        stored = StoredSeal(seal, department, now, tx.tx_hash, None, None)
        with self._store() as store:
            store.add_seal(stored)
        return stored

    def revoke_seal(self, department: str, seal_hash: bytes, reason_code: int) -> StoredSeal:
        check_reason_code(reason_code)
        with self._store() as store:
            stored = store.seal(seal_hash)
        if stored is None:
            raise SealNotFound(f"no seal {seal_hash.hex()}")
        if stored.owner_code != department:
            raise NotSealOwner(f"seal {seal_hash.hex()} belongs to {stored.owner_code}")
        signer = self._keyring.signer(department)
        self._ledger.revoke_seal(signer.account, seal_hash, reason_code)
        now = self._now()
        with self._store() as store:
            store.mark_seal_revoked(seal_hash, now, reason_code)
            revoked = store.seal(seal_hash)
        assert revoked is not None
        return revoked

    def seals(self, owner_code: str | None = None) -> list[StoredSeal]:
        with self._store() as store:
            return store.seals(owner_code)

    def _active_seal(self, signer: SigningDepartment, now: datetime) -> StoredSeal:
        holder = public_key_bytes(signer.sm2.public_key())
        usable = [
            stored
            for stored in self.seals(signer.code)
            if stored.revoked_at is None
            and stored.seal.info.property.valid_start <= now <= stored.seal.info.property.valid_end
            and holder in stored.seal.info.property.holder_public_keys
        ]
        if not usable:
            raise NoActiveSeal(
                f"department {signer.code} has no seal its current key can apply now: "
                "create one (POST /v1/seals or `govledger seal create`)"
            )
        return usable[-1]

    # -- issuance -------------------------------------------------------------------------------

    def issue(self, department: str, request: LicenceRequest) -> IssuedLicence:
        """Issue one licence into ``department``'s open batch; the batcher anchors it."""
        signer = self._issuing(department)
        now = self._chain_now()
        seal = self._active_seal(signer, now).seal
        with self._store() as store:
            serial = store.allocate_serials(department, request.type_code, 1)
            item = _licence_input(request, serial)
            issued = issue_batch(
                [item],
                issuer=signer.authority,
                seal=seal,
                signing_key=signer.sm2,
                signing_time=now,
                threads=1,
            )
            sealed = issued.licences[0]
            licence_id = sealed.licence_id
            token = self._tokens.issue(licence_id, HOLDER_KIND, None, self._holder_lifetime)
            # Batch ages go by this process's clock, which the batcher compares them with.
            batch_id = store.join_open_batch(department, self.settings.batch_max_size, self._now())
            store.add_licences(
                batch_id, [_new_licence(sealed, department, None, token.token_id)], now
            )
            full = store.batch(batch_id).count >= self.settings.batch_max_size
        if full:
            self.batch_full.set()
        return IssuedLicence(self.state(licence_id), token.token)

    def issue_bulk(
        self,
        department: str,
        requests: Sequence[LicenceRequest | LicenceInput],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> BulkIssue:
        """Issue many licences as batches of their own, anchored before returning when the
        chain answers (else they stay sealed for the batcher). ``progress`` hears how many
        are stored so far."""
        if not requests:
            raise InvalidInput("a bulk issue needs at least one licence")
        if len(requests) > self.settings.bulk_max_licences:
            raise InvalidInput(f"at most {self.settings.bulk_max_licences} licences per bulk issue")
        signer = self._issuing(department)
        now = self._chain_now()
        seal = self._active_seal(signer, now).seal
        inputs = self._assign_serials(department, requests)
        batch_ids = []
        licence_ids: list[str] = []
        size = self.settings.bulk_batch_size
        for start in range(0, len(inputs), size):
            issued = issue_batch(
                inputs[start : start + size],
                issuer=signer.authority,
                seal=seal,
                signing_key=signer.sm2,
                signing_time=now,
                threads=self.settings.sign_threads,
            )
            rows = [
                _new_licence(sealed, department, issued.proof(index))
                for index, sealed in enumerate(issued.licences)
            ]
            licence_ids.extend(row.licence_id for row in rows)
            with self._store() as store:
                batch_id = store.add_sealed_batch(department, issued.root, len(rows), now)
                store.add_licences(batch_id, rows, now)
            batch_ids.append(batch_id)
            if progress is not None:
                progress(len(licence_ids))
        for batch_id in batch_ids:
            try:
                self._anchor(batch_id)
            except LedgerError as exc:  # unreachable chain: the batcher retries
                _logger.warning("batch %s stays sealed, anchoring failed: %s", batch_id, exc)
        with self._store() as store:
            batches = [store.batch(batch_id) for batch_id in batch_ids]
        return BulkIssue(batches, licence_ids)

    def _issuing(self, department: str) -> SigningDepartment:
        """The department's keys, once the chain says it may issue: a licence it could not
        anchor would reach its holder and never verify."""
        signer = self._keyring.signer(department)
        self._ledger.require_issuer(signer.account)
        return signer

    def _assign_serials(
        self, department: str, requests: Sequence[LicenceRequest | LicenceInput]
    ) -> list[LicenceInput]:
        wanted = Counter(
            request.type_code for request in requests if isinstance(request, LicenceRequest)
        )
        with self._store() as store:
            next_serial = {
                type_code: store.allocate_serials(department, type_code, count)
                for type_code, count in sorted(wanted.items())
            }
        inputs = []
        for request in requests:
            if isinstance(request, LicenceInput):
                inputs.append(request)
            else:
                inputs.append(_licence_input(request, next_serial[request.type_code]))
                next_serial[request.type_code] += 1
        return inputs

    @property
    def _holder_lifetime(self) -> timedelta:
        return timedelta(days=self.settings.holder_token_lifetime_days)

    # -- batching and anchoring -----------------------------------------------------------------

    def anchor_due(self, *, everything: bool = False) -> int:
        """Seal the open batches that are due and anchor every sealed batch (the batcher's
        tick). Returns how many batches were anchored."""
        self.seal_due(everything=everything)
        return self.anchor_sealed()

    def seal_due(self, *, everything: bool = False) -> list[int]:
        """Close the open batches that are full or old enough (all with ``everything``): fix
        their roots and proofs. Returns their ids."""
        now = self._now()
        max_wait = 0.0 if everything else self.settings.batch_max_wait_s
        with self._store() as store:
            due = store.open_batches_due(now, self.settings.batch_max_size, max_wait)
        for batch_id in due:
            with self._store() as store:
                store.seal_batch(batch_id, now)
        return due

    def anchor_sealed(self) -> int:
        """Anchor every sealed batch (after a crash too), each on its own: a batch the chain
        refuses is set aside with the reason, one that fails for a reason of its own (e.g. its
        issuer's keys are missing here) stays sealed for the next round, and the others go on.
        Only an unreachable chain ends the round, for every batch alike. Returns how many were
        anchored."""
        with self._store() as store:
            sealed = store.batches(BatchState.SEALED)
        anchored = 0
        for batch in sealed:
            try:
                if self._anchor(batch.batch_id):
                    anchored += 1
            except (BackendUnavailable, ReceiptTimeout):
                raise
            except (GovLedgerError, LedgerError):
                _logger.exception("batch %s stays sealed: anchoring it failed", batch.batch_id)
        return anchored

    def _anchor(self, batch_id: int) -> bool:
        """Anchor sealed batch ``batch_id``, or set it aside if the chain refuses it. Whether
        this call anchored it."""
        with self._anchor_lock:
            with self._store() as store:
                batch = store.batch(batch_id)
            if batch.state != BatchState.SEALED or batch.root is None:
                return False
            signer = self._keyring.signer(batch.issuer_code)
            try:
                tx = self._ledger.anchor(signer.account, batch.issuer_code, batch.root, batch.count)
            except BatchRefused as refused:
                _logger.warning("batch %s set aside: %s", batch_id, refused.detail)
                with self._store() as store:
                    store.mark_refused(batch_id, refused.detail, self._now())
                return False
            with self._store() as store:
                store.mark_anchored(batch_id, tx, self._now())
            return True

    def readiness(self) -> dict[str, str | None]:
        """The licence service's part of ``/readyz`` (:mod:`govledger.readiness`)."""
        return {"licence-anchoring": self.anchoring_stalled()}

    def anchoring_stalled(self) -> str | None:
        """Why licence anchoring is stalled (a batch the chain refused, or one still open or
        sealed ``anchor_stall_s`` after it was due), or None when it is not."""
        due = self.settings.batch_max_wait_s + self.settings.anchor_stall_s
        late = self._now() - timedelta(seconds=due)
        with self._store() as store:
            refused = store.batches(BatchState.REFUSED)
            waiting = [
                batch
                for state in (BatchState.OPEN, BatchState.SEALED)
                for batch in store.batches(state)
                if batch.opened_at <= late
            ]
        if refused:
            first = refused[0]
            return (
                f"{len(refused)} batch(es) refused by the chain, first batch {first.batch_id} of "
                f"{first.issuer_code}: {first.refused_reason} (send it again once the cause is "
                "gone: `govledger licence retry-batch`)"
            )
        if waiting:
            first = waiting[0]
            return (
                f"{len(waiting)} batch(es) not anchored {due:g} s after opening, first batch "
                f"{first.batch_id} of {first.issuer_code}, opened {first.opened_at.isoformat()}"
            )
        return None

    def batches(self, department: str, state: str | None = None) -> list[StoredBatch]:
        """``department``'s batches (in ``state``), oldest first."""
        with self._store() as store:
            return store.batches(state, department)

    def retry_batch(self, department: str, batch_id: int) -> StoredBatch:
        """Send refused batch ``batch_id`` again (once its cause is gone, e.g. the issuer was
        reinstated); it comes back anchored, or refused again with the new reason."""
        with self._store() as store:
            batch = store.find_batch(batch_id)
        if batch is None or batch.issuer_code != department:
            raise BatchNotFound(f"{department} has no batch {batch_id}")
        with self._store() as store:
            if not store.reseal(batch_id):
                raise BatchNotRefused(f"batch {batch_id} is {batch.state}, not refused")
        self._anchor(batch_id)
        with self._store() as store:
            return store.batch(batch_id)

    # -- reading --------------------------------------------------------------------------------

    def licence(self, licence_id: str) -> StoredLicence:
        try:
            LicenceId.parse(licence_id)
        except InvalidIdentifier as exc:
            raise InvalidLicenceId(str(exc)) from None
        with self._store() as store:
            licence = store.licence(licence_id)
        if licence is None:
            raise LicenceNotFound(f"no licence {licence_id}")
        return licence

    def state(self, licence_id: str, view: LicenceChainView | None = None) -> LicenceState:
        licence = self.licence(licence_id)
        anchor = licence.document.anchor
        if licence.batch.state == BatchState.REFUSED:
            return LicenceState(licence, "refused", None)
        if licence.batch.state != BatchState.ANCHORED or anchor is None:
            return LicenceState(licence, "pending", None)
        record = (view or self._chain_view()).licence_status(anchor.root, licence.leaf)
        status = record.status.name.lower()
        valid_to = licence.document.header.valid_to
        if record.status is LicenceStatus.VALID and valid_to is not None and _today() > valid_to:
            status = "expired"
        successor = None
        if record.superseded_by is not None:
            successor = self.successor_id(licence_id, *record.superseded_by)
        return LicenceState(licence, status, record.reason_code, successor)

    def anchor_of(self, licence_id: str, leaf: bytes) -> tuple[bytes, tuple[bytes, ...]] | None:
        """The batch root and proof of licence ``licence_id`` with ``leaf``, once anchored: a
        copy handed out at issue (before its batch had a root) verifies with them."""
        try:
            licence = self.licence(licence_id)
        except (InvalidLicenceId, LicenceNotFound):
            return None
        anchor = licence.document.anchor
        if licence.batch.state != BatchState.ANCHORED or anchor is None or licence.leaf != leaf:
            return None
        return anchor.root, tuple(anchor.proof)

    def successor_id(self, licence_id: str, root: bytes, leaf: bytes) -> str | None:
        """The identifier of the licence (``root``, ``leaf``) that superseded ``licence_id`` on
        chain, or None if this service did not issue it. The chain keeps hashes only; renewals
        and transfers take the next version of the identifier, whose stored document must hash
        to ``leaf`` in batch ``root`` (so the database cannot name another licence)."""
        try:
            candidate = LicenceId.parse(licence_id).next_version().format()
        except InvalidIdentifier:
            return None
        with self._store() as store:
            successor = store.licence(candidate)
        if successor is None or successor.batch.root != root or successor.document.leaf() != leaf:
            return None
        return candidate

    def batch_licences(self, batch_id: int) -> list[StoredLicence]:
        with self._store() as store:
            return store.batch_licences(batch_id)

    def licence_ids(self, department: str, limit: int, offset: int) -> tuple[list[str], int]:
        with self._store() as store:
            return store.licence_ids(department, limit, offset)

    def statistics(self) -> LicenceStatistics:
        """Counts from the database, checked against the chain: licences anchored per issuer
        (``BatchAnchored``) and status changes (``LicenceStatusChanged``)."""
        with self._store() as store:
            facts, actions = store.licence_facts()
        counts: dict[tuple[str, str, str, str], int] = {}
        anchored: dict[str, int] = {}
        for fact in facts:
            key = (
                fact.issued_at.strftime("%Y-%m"),
                fact.issuer_code,
                LicenceId.parse(fact.licence_id).type_code,
                _fact_status(fact),
            )
            counts[key] = counts.get(key, 0) + 1
            if fact.batch_state == "anchored":
                anchored[fact.issuer_code] = anchored.get(fact.issuer_code, 0) + 1
        on_chain = self._ledger.anchored_counts()
        disagreements = [
            f"{code}: {anchored.get(code, 0)} licences anchored in the database, "
            f"{on_chain.get(code, 0)} on chain"
            for code in sorted(anchored.keys() | on_chain.keys())
            if anchored.get(code, 0) != on_chain.get(code, 0)
        ]
        stored = sum(actions.get(action.value, 0) for action in StatusAction)
        chain_changes = self._ledger.status_change_count()
        if stored != chain_changes:
            disagreements.append(
                f"{stored} status changes in the database, {chain_changes} on chain"
            )
        return LicenceStatistics(counts, disagreements)

    def history(self, licence_id: str) -> list[HistoryEntry]:
        licence = self.licence(licence_id)
        batch = licence.batch
        if batch.state != BatchState.ANCHORED or batch.root is None:
            return []
        with self._store() as store:
            reasons = {event.tx_hash: event for event in store.events(licence_id)}
        entries = [
            HistoryEntry("issue", LicenceStatus.VALID, None, 0, None, batch.tx, batch.anchored_at)
        ]
        # Superseding is final: the chain's current record names the successor of that change.
        successor = self.state(licence_id).successor_id
        for change in self._ledger.status_changes(batch.root, licence.leaf):
            stored = reasons.get(change.tx.tx_hash)
            named = successor if change.status is LicenceStatus.SUPERSEDED else None
            entries.append(_history_entry(change, stored, named))
        return entries

    # -- lifecycle ------------------------------------------------------------------------------

    def _issued_by(self, department: str, licence_id: str) -> StoredLicence:
        licence = self.licence(licence_id)
        if licence.issuer_code != department:
            raise NotLicenceIssuer(f"{licence_id} was issued by {licence.issuer_code}")
        _require_anchored(licence)
        return licence

    def change_status(
        self, department: str, licence_id: str, action: StatusAction, reason: Reason
    ) -> LicenceState:
        licence = self._issued_by(department, licence_id)
        signer = self._keyring.signer(department)
        assert licence.batch.root is not None
        with _refused_transition(licence_id, action):
            tx = self._ledger.set_status(
                signer.account,
                licence.batch.root,
                licence.leaf,
                _ACTION_STATUS[action],
                reason.code,
            )
        self._record(licence_id, action, reason, department, tx)
        return self.state(licence_id)

    def supersede(
        self,
        department: str,
        licence_id: str,
        action: SuccessorAction,
        changes: Mapping[str, Any],
        reason: Reason,
    ) -> IssuedLicence:
        """Issue the licence's next version with ``changes`` (a renewal or a transfer), anchor
        it, and mark the old one superseded by it on chain."""
        old = self._issued_by(department, licence_id)
        assert old.batch.root is not None
        current = self._chain_view().licence_status(old.batch.root, old.leaf).status
        if current not in {LicenceStatus.VALID, LicenceStatus.SUSPENDED}:
            raise LicenceStateConflict(f"{licence_id} is {current.name.lower()}: final")
        successor = old.document.metadata().successor(**changes)
        new_id = successor.licence_id(department).format()
        with self._store() as store:
            # Issued by an earlier attempt whose superseding did not go through: finish that.
            earlier = store.licence(new_id)
        if earlier is None:
            self.issue_bulk(department, [successor])
        else:
            self.anchor_sealed()
        new = self.licence(new_id)
        _require_anchored(new)
        assert new.batch.root is not None
        signer = self._keyring.signer(department)
        with _refused_transition(licence_id, action):
            tx = self._ledger.supersede(
                signer.account,
                (old.batch.root, old.leaf),
                (new.batch.root, new.leaf),
                reason.code,
            )
        self._record(licence_id, action, reason, department, tx)
        token = self.new_holder_token(department, new_id)
        return IssuedLicence(self.state(new_id), token)

    def _record(
        self, licence_id: str, action: str, reason: Reason, department: str, tx: TxRecord
    ) -> None:
        with self._store() as store:
            store.add_event(
                StoredEvent(
                    licence_id,
                    str(action),
                    reason.code,
                    reason.text,
                    department,
                    tx.tx_hash,
                    self._now(),
                )
            )

    # -- holders --------------------------------------------------------------------------------

    def new_holder_token(self, department: str, licence_id: str) -> str:
        """A holder token for ``licence_id``; the previous one stops working."""
        licence = self.licence(licence_id)
        if licence.issuer_code != department:
            raise NotLicenceIssuer(f"{licence_id} was issued by {licence.issuer_code}")
        token = self._tokens.issue(licence_id, HOLDER_KIND, None, self._holder_lifetime)
        with self._store() as store:
            store.set_holder_token(licence_id, token.token_id)
        return token.token

    def holder_licence(self, token: str, licence_id: str) -> StoredLicence:
        """The licence, if ``token`` is its current holder token."""
        verified = self._tokens.verify(token, kind=HOLDER_KIND)
        if verified.subject != licence_id:
            raise NotLicenceHolder("this holder token is for another licence")
        licence = self.licence(licence_id)
        if licence.holder_token_id != verified.token_id:
            raise HolderTokenRevoked("this holder token was replaced by a newer one")
        return licence

    # -- presentations and verification ---------------------------------------------------------

    def present(
        self, licence: StoredLicence, fields: Sequence[str], lifetime_s: int
    ) -> Presentation:
        if not 1 <= lifetime_s <= self.settings.presentation_max_lifetime_s:
            raise InvalidInput(
                f"a presentation lives 1 to {self.settings.presentation_max_lifetime_s} seconds"
            )
        if licence.batch.state != BatchState.ANCHORED:
            raise LicenceNotAnchored(f"{licence.licence_id} is not anchored yet")
        signer = self._keyring.signer(licence.issuer_code)
        presentation = present(
            licence.document,
            reveal=fields,
            lifetime=timedelta(seconds=lifetime_s),
            signing_key=signer.sm2,
            now=self._chain_now(),
        )
        with self._store() as store:
            store.add_presentation(
                presentation.digest(),
                licence.licence_id,
                presentation.canonical(),
                presentation.to_sign.expires_at,
            )
        return presentation

    def presentation(self, digest: bytes) -> Presentation:
        with self._store() as store:
            data = store.presentation(digest, self._now())
        if data is None:
            raise PresentationNotFound("no such presentation, or it has expired")
        return Presentation.model_validate_json(data)

    def verify(
        self, subject: LicenceDocument | Presentation | Mapping[str, Any] | str | bytes
    ) -> VerificationReport:
        return verify(subject, self._chain_view(), at=self._chain_now(), records=self)


def _require_anchored(licence: StoredLicence) -> None:
    batch = licence.batch
    if batch.state == BatchState.REFUSED:
        raise BatchRefused(
            f"{licence.licence_id} is not anchored: its batch {batch.batch_id} was refused by "
            f"the chain ({batch.refused_reason})"
        )
    if batch.state != BatchState.ANCHORED or batch.root is None:
        raise LicenceNotAnchored(f"{licence.licence_id} is not anchored yet; try again shortly")


def _licence_input(request: LicenceRequest, serial: int) -> LicenceInput:
    # The request is validated and the serial well-formed: no second validation per licence.
    return LicenceInput.model_construct(**dict(request), serial=f"{serial:010d}", supersedes=None)


def _new_licence(
    sealed: SealedLicence,
    issuer_code: str,
    proof: Sequence[bytes] | None,
    holder_token_id: str | None = None,
) -> NewLicence:
    # Issuance hands over the document's JSON as it is stored: it is not serialised again.
    return NewLicence(
        licence_id=sealed.licence_id,
        issuer_code=issuer_code,
        previous_id=sealed.previous_id,
        leaf=sealed.leaf,
        document_json=sealed.document_json,
        proof=proof,
        holder_token_id=holder_token_id,
    )


def _today() -> date:
    return datetime.now(UTC).astimezone(LICENCE_TIMEZONE).date()


def _history_entry(
    change: ChainStatusChange, stored: StoredEvent | None, successor_id: str | None
) -> HistoryEntry:
    action = stored.action if stored is not None else change.status.name.lower()
    return HistoryEntry(
        action=action,
        status=change.status,
        previous_status=change.previous_status,
        reason_code=change.reason_code,
        reason=None if stored is None else stored.reason,
        tx=change.tx,
        at=change.at,
        successor_id=successor_id,
    )


@contextmanager
def _refused_transition(licence_id: str, action: str) -> Iterator[None]:
    try:
        yield
    except revert_error_class("LicenceInvalidTransition"):
        raise LicenceStateConflict(
            f"{licence_id}: its status on chain does not allow {action}"
        ) from None


def _default_picture(name: str) -> SealPicture:
    """A plain round seal drawing with the seal's name (real seals upload their picture)."""
    text = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="42mm" height="42mm" viewBox="0 0 42 42">'
        '<circle cx="21" cy="21" r="20" fill="none" stroke="red" stroke-width="1.2"/>'
        '<text x="21" y="23" font-size="3" text-anchor="middle" fill="red">'
        f"{text}</text></svg>"
    )
    return SealPicture(type="svg", data=svg.encode("utf-8"), width_mm=42, height_mm=42)
