"""The ledger client: locally signed, outbox-backed transactions, calls, deployment and events.

:class:`Ledger` owns a backend, a ``Web3`` over it (for ABI encoding and decoding) and the
outbox. Writes follow one path (``_submit``):

1. gas: explicit, or a cached estimate per (contract, function) with a margin, or a fresh
   estimate; a revert found while estimating is raised before anything is signed. A cached
   estimate never becomes a failed action: a call that runs out of gas on one (in itself, or
   in a call it makes) is sent once more with a fresh estimate;
2. under the sender's lock: take the lowest nonce that is not on chain and not held by a pending
   outbox row, sign, commit the signed bytes to the outbox, send (one JSON-RPC array for a batch);
3. poll for the receipt (from ``receipt_poll_s``, backing off, bounded by
   ``receipt_timeout_s``), mark the row mined; for a receipt with status 0, decode why it
   reverted from the receipt's revert data (Besu) or by replaying it as ``eth_call`` on the
   state before its block.

Gas is free (price 0): the chain is permissioned with a zero base fee, so department accounts
need no funds. Each account must be written through one Ledger at a time (the outbox lock
enforces it per data dir).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address
from web3 import Web3
from web3.contract import Contract

from ledger.backends.base import Backend
from ledger.closing import Closing
from ledger.events import DEFAULT_MAX_BLOCK_RANGE, BlockId, DecodedEvent, Log, get_events
from ledger.exceptions import (
    BackendUnavailable,
    ChainMismatch,
    ContractRevert,
    OutOfGas,
    ReadOnlyLedger,
    ReceiptTimeout,
    RPCError,
    TransactionFailed,
    TransactionRejected,
)
from ledger.outbox import Outbox, SignedTx
from ledger.provider import BackendProvider, ProviderLayer
from ledger.revert import decode_revert, register_abi

OUTBOX_FILE = "ledger-outbox.sqlite"
GAS_FILLER = 21_000  # a plain value transfer: what a nonce-gap filler costs
RECEIPT_POLL_MAX_S = 0.25  # the receipt poll backs off from receipt_poll_s up to this

ABI = Sequence[Mapping[str, Any]]


class DeployableArtifact(Protocol):
    """What deployment needs from a compiled contract (``ledger.artifacts.ContractArtifact``)."""

    @property
    def name(self) -> str: ...

    @property
    def abi(self) -> list[dict[str, Any]]: ...

    @property
    def bytecode(self) -> bytes: ...


@dataclass(frozen=True)
class Receipt:
    """A mined transaction. ``error`` is set only on failed receipts returned by
    :meth:`Ledger.transact_batch` (:meth:`Ledger.transact` raises it instead)."""

    tx_hash: str
    block_number: int
    status: int
    gas_used: int
    logs: tuple[Log, ...]
    contract_address: str | None = None
    error: ContractRevert | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == 1

    @classmethod
    def from_rpc(cls, raw: Mapping[str, Any]) -> Receipt:
        address = raw.get("contractAddress")
        return cls(
            tx_hash=str(raw["transactionHash"]),
            block_number=int(raw["blockNumber"], 16),
            status=int(raw["status"], 16),
            gas_used=int(raw["gasUsed"], 16),
            logs=tuple(Log.from_rpc(log) for log in raw["logs"]),
            contract_address=to_checksum_address(address) if address else None,
        )


@dataclass(frozen=True)
class DeployedContract:
    """Where :meth:`Ledger.deploy_contract` put a contract, and the transaction that did."""

    name: str
    address: str
    tx_hash: str
    block_number: int


@dataclass(frozen=True)
class Call:
    """One contract call in a batch. ``gas`` None means the cached or a fresh estimate."""

    to: str
    data: bytes | str
    gas: int | None = None
    purpose: str | None = None


@dataclass(frozen=True)
class ReconcileReport:
    """What :meth:`Ledger.reconcile` found, as transaction hashes.

    ``already_mined``: recorded, not yet marked, but on chain. ``resent``: not on chain, sent
    again (the same signed bytes) and now mined. ``superseded``: their nonce was used by another
    transaction, so they can never execute. ``rejected``: the node refused them on resend.
    ``still_pending``: resent but not mined within the wait; the next reconcile looks again.
    ``rolled_back``: marked mined earlier, but the chain no longer has them (a development node
    restarted from an older state), so they were pending again and went through the above.
    """

    already_mined: tuple[str, ...] = ()
    resent: tuple[str, ...] = ()
    superseded: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    still_pending: tuple[str, ...] = ()
    rolled_back: tuple[str, ...] = ()

    @property
    def settled(self) -> bool:
        return not self.still_pending

    def summary(self) -> str:
        """One line for logs: how many transactions fell in each group."""
        groups = ("already_mined", "resent", "superseded", "rejected", "still_pending")
        counts = ", ".join(f"{len(getattr(self, group))} {group}" for group in groups)
        return counts + f" ({len(self.rolled_back)} lost by the chain)"


@dataclass
class _NonceCursor:
    """The next nonce of one sender; skips nonces that pending outbox rows hold."""

    next_nonce: int
    held: set[int] = field(default_factory=set)

    def take(self) -> int:
        while self.next_nonce in self.held:
            self.next_nonce += 1
        nonce = self.next_nonce
        self.next_nonce += 1
        return nonce


@dataclass(frozen=True)
class _Prepared:
    to: str | None
    data: bytes
    gas: int
    gas_from_cache: bool
    purpose: str


class Ledger(Closing):
    """A client for one chain. Thread-safe; use as a context manager or call :meth:`close`.

    ``read_only``: reads only, beside the process that writes through the outbox: this ledger
    opens no outbox (so takes no lock and settles nothing) and every write raises
    :class:`ReadOnlyLedger`.
    """

    def __init__(
        self,
        backend: Backend,
        *,
        data_dir: Path,
        chain_id: int | None = None,
        receipt_timeout_s: float = 30.0,
        receipt_poll_s: float = 0.005,
        gas_margin: float = 1.25,
        layers: Sequence[tuple[str, ProviderLayer]] | None = None,
        read_only: bool = False,
    ) -> None:
        self.backend = backend
        self.data_dir = data_dir
        self.provider = BackendProvider(backend, layers=layers)
        self.w3 = Web3(self.provider, middleware=[])
        self.receipt_timeout_s = receipt_timeout_s
        self.receipt_poll_s = receipt_poll_s
        self.gas_margin = gas_margin
        self._state_lock = threading.Lock()
        self._sender_locks: dict[str, threading.Lock] = {}
        self._cursors: dict[str, _NonceCursor] = {}
        self._gas_cache: dict[tuple[str, bytes], int] = {}
        self._reconcile_lock = threading.Lock()
        self._resend_needed = False
        try:
            self.chain_id = int(self.provider.request("eth_chainId"), 16)
            if chain_id is not None and chain_id != self.chain_id:
                raise ChainMismatch(
                    f"the backend serves chain id {self.chain_id}, configured {chain_id}"
                )
            genesis = self.provider.request("eth_getBlockByNumber", ["0x0", False])
            self._outbox = (
                None
                if read_only
                else Outbox(
                    data_dir / OUTBOX_FILE, chain_id=self.chain_id, genesis_hash=genesis["hash"]
                )
            )
        except BaseException:
            backend.close()
            raise
        try:
            # What settling the outbox found when this ledger opened (worth logging).
            self.reconciled_on_open = ReconcileReport() if read_only else self.reconcile()
        except BaseException:
            self.close()
            raise

    @property
    def read_only(self) -> bool:
        return self._outbox is None

    @property
    def outbox(self) -> Outbox:
        """The record of this ledger's writes; :class:`ReadOnlyLedger` if it writes nothing."""
        if self._outbox is None:
            raise ReadOnlyLedger("this ledger was opened read-only: it sends no transactions")
        return self._outbox

    # -- reads ---------------------------------------------------------------------------------

    def call(
        self,
        to: str,
        data: bytes | str,
        *,
        sender: str | None = None,
        block: BlockId = "latest",
    ) -> bytes:
        """``eth_call``: the return data, or the decoded revert raised."""
        request: dict[str, Any] = {"to": to_checksum_address(to), "data": _as_bytes(data)}
        if sender is not None:
            request["from"] = to_checksum_address(sender)
        result = self.provider.request("eth_call", [request, _block_param(block)])
        return bytes.fromhex(str(result)[2:])

    def contract(self, artifact_or_abi: DeployableArtifact | ABI, address: str) -> Contract:
        """A web3 contract bound to this ledger, for encoding calls and decoding results.

        Its custom errors become decodable (see :mod:`ledger.revert`).
        """
        abi = _abi_of(artifact_or_abi)
        register_abi(abi)
        return self.w3.eth.contract(address=to_checksum_address(address), abi=abi)

    def get_events(
        self,
        address: str | None,
        abi: ABI,
        *,
        event_name: str | None = None,
        from_block: BlockId = 0,
        to_block: BlockId = "latest",
        argument_filters: Mapping[str, Any] | None = None,
        with_timestamps: bool = True,
        max_block_range: int = DEFAULT_MAX_BLOCK_RANGE,
    ) -> list[DecodedEvent]:
        """Decoded events of ``abi`` from ``address`` (see :func:`ledger.events.get_events`)."""
        return get_events(
            self.provider.request,
            self.provider.request_batch,
            abi,
            address=None if address is None else to_checksum_address(address),
            event_name=event_name,
            from_block=from_block,
            to_block=to_block,
            argument_filters=argument_filters,
            with_timestamps=with_timestamps,
            max_block_range=max_block_range,
        )

    def block_number(self) -> int:
        return int(self.provider.request("eth_blockNumber"), 16)

    # -- writes --------------------------------------------------------------------------------

    def transact(
        self,
        sender: LocalAccount,
        to: str,
        data: bytes | str,
        *,
        gas: int | None = None,
        purpose: str | None = None,
    ) -> Receipt:
        """Send one contract call from ``sender`` and wait for it to be mined.

        Raises the decoded :class:`ContractRevert` subclass if it reverts (while estimating gas,
        or on chain), :class:`TransactionRejected` if the node refuses it, :class:`ReceiptTimeout`
        if it is not mined in time (it stays in the outbox).
        """
        prepared = self._prepare(sender, to_checksum_address(to), _as_bytes(data), gas, purpose)
        return self._transact_prepared(sender, prepared)

    def deploy_contract(
        self, sender: LocalAccount, artifact: DeployableArtifact, *ctor_args: Any
    ) -> DeployedContract:
        """Deploy ``artifact`` with constructor arguments and wait for it to be mined."""
        register_abi(artifact.abi)
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        data = _as_bytes(factory.constructor(*ctor_args).data_in_transaction)
        prepared = self._prepare(sender, None, data, None, f"deploy {artifact.name}")
        receipt = self._transact_prepared(sender, prepared)
        if receipt.contract_address is None:
            raise TransactionFailed(f"deploying {artifact.name}: the receipt has no address")
        return DeployedContract(
            artifact.name, receipt.contract_address, receipt.tx_hash, receipt.block_number
        )

    def transact_batch(self, sender: LocalAccount, calls: Sequence[Call]) -> list[Receipt]:
        """Send several calls from ``sender`` in one round trip and wait for all of them.

        Gas for every call is settled first (a revert while estimating raises before anything is
        signed). The calls get consecutive nonces, are recorded in the outbox in one commit and
        sent as one JSON-RPC array. Each receipt comes back in call order; a reverted one has
        ``status == 0`` and its decoded ``error``. A call that ran out of gas on a cached
        estimate is sent again, alone and after the batch, with a fresh estimate, and its
        receipt is that of the second sending. If the node refuses any transaction, the rest
        are still settled and :class:`TransactionRejected` is raised for the first refused one.
        """
        prepared = [
            self._prepare(
                sender, to_checksum_address(call.to), _as_bytes(call.data), call.gas, call.purpose
            )
            for call in calls
        ]
        if not prepared:
            return []
        self._resend_if_needed()
        signed, rejected = self._sign_record_send(sender, prepared)
        accepted = [tx for tx in signed if tx.tx_hash not in rejected]
        raw_receipts = self._wait_for_receipts([tx.tx_hash for tx in accepted])
        self.outbox.mark_mined(_mined_row(raw) for raw in raw_receipts.values())
        receipts = [
            self._settle(sender, item, raw_receipts[tx.tx_hash])
            for item, tx in zip(prepared, signed, strict=True)
            if tx.tx_hash not in rejected
        ]
        if rejected:
            raise next(iter(rejected.values()))
        return receipts

    # -- outbox --------------------------------------------------------------------------------

    def reconcile(self) -> ReconcileReport:
        """Settle every pending outbox row: nothing recorded is lost, nothing is sent twice.

        For each row not known to be mined: a receipt on chain marks it mined; a nonce already
        used by another transaction marks it failed (superseded); otherwise the SAME signed bytes
        are sent again (same nonce and hash, so it cannot execute twice) and awaited.
        """
        with self._reconcile_lock:
            report = self._reconcile_locked()
            self._resend_needed = False
            return report

    def _reconcile_locked(self) -> ReconcileReport:
        rolled_back, superseded = self._revive_rolled_back()
        pending = self.outbox.pending()
        if not pending:
            return ReconcileReport(superseded=tuple(superseded))
        already: list[str] = []
        rejected: list[str] = []
        to_resend = []
        used_nonces = self._batch_results(
            [
                ("eth_getTransactionCount", [sender, "latest"])
                for sender in sorted({e.sender for e in pending})
            ]
        )
        nonce_on_chain = {
            sender: int(count, 16)
            for sender, count in zip(sorted({e.sender for e in pending}), used_nonces, strict=True)
        }
        # Receipts are asked AFTER the nonces: a row mined in between is then seen as mined.
        receipts = self._batch_results(
            [("eth_getTransactionReceipt", [entry.tx_hash]) for entry in pending]
        )
        mined: list[tuple[str, int, int]] = []
        for entry, raw in zip(pending, receipts, strict=True):
            if raw is not None:
                mined.append(_mined_row(raw))
                already.append(entry.tx_hash)
            elif entry.nonce < nonce_on_chain[entry.sender]:
                self.outbox.mark_failed(
                    entry.tx_hash,
                    f"superseded: nonce {entry.nonce} was used by another transaction",
                )
                superseded.append(entry.tx_hash)
            else:
                to_resend.append(entry)
        self.outbox.mark_mined(mined)
        answers = self.provider.request_batch(
            [("eth_sendRawTransaction", [entry.raw_tx]) for entry in to_resend]
        )
        awaited: list[str] = []
        for entry, answer in zip(to_resend, answers, strict=True):
            if isinstance(answer, RPCError) and not self._chain_knows(entry.tx_hash):
                self.outbox.mark_failed(entry.tx_hash, f"rejected on resend: {answer.message}")
                rejected.append(entry.tx_hash)
            else:
                awaited.append(entry.tx_hash)
        if superseded or rejected:
            with self._state_lock:
                for entry in pending:
                    self._cursors.pop(entry.sender, None)
        found = self._wait_for_receipts(awaited, raise_on_timeout=False)
        self.outbox.mark_mined(_mined_row(found[tx_hash]) for tx_hash in found)
        return ReconcileReport(
            already_mined=tuple(already),
            resent=tuple(tx_hash for tx_hash in awaited if tx_hash in found),
            superseded=tuple(superseded),
            rejected=tuple(rejected),
            still_pending=tuple(tx_hash for tx_hash in awaited if tx_hash not in found),
            rolled_back=tuple(rolled_back),
        )

    def _revive_rolled_back(self) -> tuple[list[str], list[str]]:
        """Check the mined rows against the chain; return (pending again, superseded).

        A chain that loses blocks loses a suffix of each sender's nonces. Per sender: rows at or
        above the chain's nonce are gone, so they become pending again; below it, the highest
        mined row should have its receipt, and if it does not, another transaction took its
        nonce after the loss (superseded), and the next one down is checked.
        """
        senders = self.outbox.senders()
        counts = self._batch_results(
            [("eth_getTransactionCount", [sender, "latest"]) for sender in senders]
        )
        lost: list[str] = []
        superseded: list[str] = []
        for sender, count in zip(senders, counts, strict=True):
            used = int(count, 16)
            lost += [row.tx_hash for row in self.outbox.mined_from(sender, used)]
            below = used
            while (row := self.outbox.highest_mined_below(sender, below)) is not None:
                if self.provider.request("eth_getTransactionReceipt", [row.tx_hash]) is not None:
                    break
                self.outbox.mark_failed(
                    row.tx_hash,
                    f"superseded: after the chain lost blocks, nonce {row.nonce} went to "
                    "another transaction",
                )
                superseded.append(row.tx_hash)
                below = row.nonce
        if lost:
            self.outbox.mark_pending_again(lost, "the chain lost its block: sent again")
        if lost or superseded:
            with self._state_lock:
                self._cursors.clear()
        return lost, superseded

    def _resend_if_needed(self) -> None:
        # A send that failed for want of a backend left a row that later nonces would queue
        # behind: put it on the wire again before anything new.
        if self._resend_needed:
            self.reconcile()

    # -- internals -----------------------------------------------------------------------------

    def _prepare(
        self,
        sender: LocalAccount,
        to: str | None,
        data: bytes,
        gas: int | None,
        purpose: str | None,
    ) -> _Prepared:
        selector = data[:4]
        label = purpose or (f"call 0x{selector.hex()} on {to}" if to else "deploy")
        if gas is not None:
            return _Prepared(to, data, gas, False, label)
        if to is not None:
            cached = self._gas_cache.get((to, selector))
            if cached is not None:
                return _Prepared(to, data, cached, True, label)
        estimated = self._estimate_gas(sender.address, to, data)
        if to is not None:
            with self._state_lock:
                key = (to, selector)
                self._gas_cache[key] = max(estimated, self._gas_cache.get(key, 0))
        return _Prepared(to, data, estimated, False, label)

    def _estimate_gas(self, sender: str, to: str | None, data: bytes) -> int:
        request: dict[str, Any] = {"from": sender, "data": data}
        if to is not None:
            request["to"] = to
        estimate = int(self.provider.request("eth_estimateGas", [request]), 16)
        return int(estimate * self.gas_margin)

    def _transact_prepared(self, sender: LocalAccount, prepared: _Prepared) -> Receipt:
        receipt = self._send_and_settle(sender, prepared)
        if receipt.error is not None:
            raise receipt.error
        return receipt

    def _send_and_settle(self, sender: LocalAccount, prepared: _Prepared) -> Receipt:
        """Send one transaction and return its settled receipt (a failed one carries why)."""
        self._resend_if_needed()
        (signed,), rejected = self._sign_record_send(sender, [prepared])
        if rejected:
            raise rejected[signed.tx_hash]
        raw = self._wait_for_receipts([signed.tx_hash])[signed.tx_hash]
        self.outbox.mark_mined([_mined_row(raw)])
        return self._settle(sender, prepared, raw)

    def _settle(self, sender: LocalAccount, prepared: _Prepared, raw: Mapping[str, Any]) -> Receipt:
        """The receipt; a call that ran out of gas on a cached estimate is sent once more.

        A cached estimate was made for another call of the same function, which may have
        needed less (a shorter argument, or less work in a call it makes). Running out of gas
        changed nothing on chain, so sending the call again with a fresh estimate cannot
        double it; if the fresh estimate finds a revert, that revert is why it failed.
        """
        receipt = self._explain(sender, prepared, raw)
        if not (isinstance(receipt.error, OutOfGas) and prepared.gas_from_cache):
            return receipt
        assert prepared.to is not None  # only calls of a contract are cached
        with self._state_lock:
            self._gas_cache.pop((prepared.to, prepared.data[:4]), None)
        try:
            fresh = self._prepare(sender, prepared.to, prepared.data, None, prepared.purpose)
        except ContractRevert as revert:
            return replace(receipt, error=revert)
        return self._send_and_settle(sender, fresh)

    def _explain(
        self, sender: LocalAccount, prepared: _Prepared, raw: Mapping[str, Any]
    ) -> Receipt:
        """The receipt; a failed one carries why it reverted."""
        receipt = Receipt.from_rpc(raw)
        if receipt.succeeded:
            return receipt
        error = self._revert_of(sender.address, prepared, receipt, raw.get("revertReason"))
        return replace(receipt, error=error)

    def _revert_of(
        self, sender: str, prepared: _Prepared, receipt: Receipt, revert_reason: Any
    ) -> ContractRevert:
        """Why a mined transaction failed: the receipt's revert data where the node gives it
        (Besu with revert-reason-enabled); else, on the state before its block, a gas estimate
        (a revert found there is the cause; a need above the gas limit means it ran out of gas,
        maybe inside a call it made, whose failure surfaces as an empty revert), then a replay
        as a call with the transaction's gas limit."""
        if receipt.gas_used >= prepared.gas:
            return OutOfGas(receipt.tx_hash, prepared.gas)
        if isinstance(revert_reason, str) and revert_reason.startswith("0x") and revert_reason[2:]:
            return decode_revert(bytes.fromhex(revert_reason[2:]))
        request: dict[str, Any] = {"from": sender, "data": prepared.data}
        if prepared.to is not None:
            request["to"] = prepared.to
        before = hex(receipt.block_number - 1)
        try:
            needed = int(self.provider.request("eth_estimateGas", [request, before]), 16)
            if needed > prepared.gas:
                return OutOfGas(receipt.tx_hash, prepared.gas, needed)
            self.provider.request("eth_call", [{**request, "gas": hex(prepared.gas)}, before])
        except ContractRevert as revert:
            return revert
        return ContractRevert(
            b"",
            f"transaction {receipt.tx_hash} reverted in block {receipt.block_number}, but a "
            "replay on the state before that block did not (an earlier transaction in the same "
            "block changed the outcome)",
        )

    def _sign_record_send(
        self, sender: LocalAccount, prepared: Sequence[_Prepared]
    ) -> tuple[list[SignedTx], dict[str, TransactionRejected]]:
        """Sign with fresh nonces, commit to the outbox, send. Returns the signed transactions
        and those the node refused (already marked failed in the outbox)."""
        address = sender.address
        with self._sender_lock(address):
            cursor = self._cursor(address)
            try:
                signed = [self._sign(sender, cursor.take(), item) for item in prepared]
                self.outbox.record(signed)
            except BaseException:
                self._cursors.pop(address, None)  # nothing recorded: these nonces are free
                raise
            try:
                answers = (
                    [self._send_one(signed[0].raw_tx)]
                    if len(signed) == 1
                    else self.provider.request_batch(
                        [("eth_sendRawTransaction", [tx.raw_tx]) for tx in signed]
                    )
                )
            except BackendUnavailable:
                # Recorded but maybe never sent: the next write or reconcile() sends it again.
                self._resend_needed = True
                raise
            rejected = {
                tx.tx_hash: TransactionRejected(tx.tx_hash, answer)
                for tx, answer in zip(signed, answers, strict=True)
                if isinstance(answer, RPCError) and not self._chain_knows(tx.tx_hash)
            }
            if rejected:
                for tx_hash, error in rejected.items():
                    self.outbox.mark_failed(tx_hash, f"rejected: {error.rpc_error.message}")
                self._cursors.pop(address, None)
                self._fill_nonce_gaps(sender, signed, rejected)
        return signed, rejected

    def _send_one(self, raw_tx: bytes) -> Any:
        try:
            return self.provider.request("eth_sendRawTransaction", [raw_tx])
        except RPCError as error:
            return error

    def _fill_nonce_gaps(
        self, sender: LocalAccount, signed: Sequence[SignedTx], rejected: Mapping[str, Any]
    ) -> None:
        """Refused nonces below accepted ones would hold those back forever: fill each with a
        zero-value transfer to the sender itself. Called under the sender's lock."""
        highest_accepted = max(
            (tx.nonce for tx in signed if tx.tx_hash not in rejected), default=-1
        )
        on_chain = int(
            self.provider.request("eth_getTransactionCount", [sender.address, "latest"]), 16
        )
        gaps = sorted(
            tx.nonce
            for tx in signed
            if tx.tx_hash in rejected and on_chain <= tx.nonce < highest_accepted
        )
        if not gaps:
            return
        filler = _Prepared(sender.address, b"", GAS_FILLER, False, "nonce gap filler")
        fillers = [self._sign(sender, nonce, filler) for nonce in gaps]
        self.outbox.record(fillers)
        for tx in fillers:
            answer = self._send_one(tx.raw_tx)
            if isinstance(answer, RPCError) and not self._chain_knows(tx.tx_hash):
                self.outbox.mark_failed(tx.tx_hash, f"rejected: {answer.message}")
                raise TransactionRejected(tx.tx_hash, answer)
        found = self._wait_for_receipts([tx.tx_hash for tx in fillers])
        self.outbox.mark_mined(_mined_row(raw) for raw in found.values())

    def _sign(self, sender: LocalAccount, nonce: int, prepared: _Prepared) -> SignedTx:
        transaction: dict[str, Any] = {
            "type": 2,
            "chainId": self.chain_id,
            "nonce": nonce,
            "gas": prepared.gas,
            "maxFeePerGas": 0,
            "maxPriorityFeePerGas": 0,
            "value": 0,
            "data": prepared.data,
        }
        if prepared.to is not None:
            transaction["to"] = prepared.to
        signed = sender.sign_transaction(transaction)
        return SignedTx(
            sender=sender.address,
            nonce=nonce,
            tx_hash="0x" + bytes(signed.hash).hex(),
            raw_tx=bytes(signed.raw_transaction),
            purpose=prepared.purpose,
        )

    def _cursor(self, address: str) -> _NonceCursor:
        """The sender's nonce cursor, seeded from the chain and the outbox on first use."""
        cursor = self._cursors.get(address)
        if cursor is None:
            pending = int(
                self.provider.request("eth_getTransactionCount", [address, "pending"]), 16
            )
            held = {nonce for nonce in self.outbox.pending_nonces(address) if nonce >= pending}
            cursor = self._cursors[address] = _NonceCursor(pending, held)
        return cursor

    def _sender_lock(self, address: str) -> threading.Lock:
        with self._state_lock:
            lock = self._sender_locks.get(address)
            if lock is None:
                lock = self._sender_locks[address] = threading.Lock()
            return lock

    def _chain_knows(self, tx_hash: str) -> bool:
        return self.provider.request("eth_getTransactionByHash", [tx_hash]) is not None

    def _batch_results(self, requests: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        results = self.provider.request_batch(requests)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return results

    def _wait_for_receipts(
        self, tx_hashes: Sequence[str], *, raise_on_timeout: bool = True
    ) -> dict[str, dict[str, Any]]:
        """Poll until every hash has a receipt, or the wait is over."""
        found: dict[str, dict[str, Any]] = {}
        remaining = list(tx_hashes)
        deadline = time.monotonic() + self.receipt_timeout_s
        delay = self.receipt_poll_s
        while remaining:
            if len(remaining) == 1:
                answers = [self.provider.request("eth_getTransactionReceipt", [remaining[0]])]
            else:
                answers = self._batch_results(
                    [("eth_getTransactionReceipt", [tx_hash]) for tx_hash in remaining]
                )
            for tx_hash, answer in zip(remaining, answers, strict=True):
                if answer is not None:
                    found[tx_hash] = answer
            remaining = [tx_hash for tx_hash in remaining if tx_hash not in found]
            if not remaining:
                break
            if time.monotonic() >= deadline:
                if raise_on_timeout:
                    raise ReceiptTimeout(remaining[0], self.receipt_timeout_s)
                break
            time.sleep(delay)
            # Anvil and the embedded chain answer at once; a QBFT node only every block period.
            delay = min(delay * 1.5, RECEIPT_POLL_MAX_S)
        return found

    # -- lifecycle -----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the outbox and the backend. Safe to call twice."""
        if self._outbox is not None:
            self._outbox.close()
        self.backend.close()


def _mined_row(raw: Mapping[str, Any]) -> tuple[str, int, int]:
    return str(raw["transactionHash"]), int(raw["blockNumber"], 16), int(raw["status"], 16)


def _as_bytes(data: bytes | str) -> bytes:
    if isinstance(data, str):
        return bytes.fromhex(data.removeprefix("0x"))
    return bytes(data)


def _abi_of(artifact_or_abi: DeployableArtifact | ABI) -> list[dict[str, Any]]:
    if isinstance(artifact_or_abi, Sequence):
        return [dict(entry) for entry in artifact_or_abi]
    return artifact_or_abi.abi


def _block_param(block: BlockId) -> str:
    return hex(block) if isinstance(block, int) else block
