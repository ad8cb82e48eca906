"""The embedded chain: py-evm on a SQLite file, one block per accepted batch of transactions.

This module owns every py-evm detail of the embedded backend: the free-gas Cancun VM, genesis,
validating and executing transactions, sealing blocks, read-only calls, gas estimation, and the
receipt and log indexes kept next to py-evm's own data. :mod:`ledger.backends.embedded` turns it
into JSON-RPC.

Everything a block changes (py-evm's trie nodes, header, body, canonical pointers, and our
``receipts`` and ``logs`` rows) is written in one SQLite transaction, so after a crash the chain
and its indexes are both at the last committed block.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import rlp
from eth._utils.address import generate_contract_address
from eth.abc import (
    BlockAPI,
    BlockHeaderAPI,
    ComputationAPI,
    ReceiptAPI,
    SignedTransactionAPI,
    StateAPI,
    VirtualMachineAPI,
)
from eth.chains.base import Chain
from eth.constants import (
    CREATE_CONTRACT_ADDRESS,
    POST_MERGE_DIFFICULTY,
    POST_MERGE_MIX_HASH,
    POST_MERGE_NONCE,
    SECPK1_N,
    ZERO_ADDRESS,
    ZERO_HASH32,
)
from eth.exceptions import HeaderNotFound, Revert
from eth.typing import AccountState, HeaderParams
from eth.validation import validate_gas_limit
from eth.vm.forks.cancun import CancunVM
from eth.vm.forks.cancun.headers import create_cancun_header_from_parent
from eth.vm.spoof import SpoofTransaction
from eth_keys.exceptions import BadSignature
from eth_typing import Address, BlockNumber, Hash32
from eth_utils.exceptions import ValidationError

from ledger.backends.sqlite_db import SQLiteAtomicDB

# Like Anvil's default; a permissioned network sets its own in its genesis.
BLOCK_GAS_LIMIT = 30_000_000

# Transaction types this chain accepts: legacy, EIP-2930 access list, EIP-1559 dynamic fee. Blob
# transactions (type 3) need a consensus layer to carry the blobs, so they are refused.
SUPPORTED_TX_TYPES = frozenset({0, 1, 2})

# Geth's gas estimate stops once the search window is this fraction of the upper bound.
_ESTIMATE_ERROR_RATIO = 0.015
# Gas a CALL with value hands to the callee for free; geth adds it to its first, optimistic guess.
_CALL_STIPEND = 2300

_INDEX_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS receipts (
    tx_hash BLOB PRIMARY KEY,
    block_number INTEGER NOT NULL,
    block_hash BLOB NOT NULL,
    block_timestamp INTEGER NOT NULL,
    tx_index INTEGER NOT NULL,
    tx_type INTEGER NOT NULL,
    sender BLOB NOT NULL,
    recipient BLOB,
    contract_address BLOB,
    status INTEGER NOT NULL,
    gas_used INTEGER NOT NULL,
    cumulative_gas_used INTEGER NOT NULL,
    effective_gas_price INTEGER NOT NULL,
    logs_bloom BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS receipts_by_position ON receipts (block_number, tx_index);
CREATE TABLE IF NOT EXISTS logs (
    block_number INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    block_hash BLOB NOT NULL,
    block_timestamp INTEGER NOT NULL,
    tx_index INTEGER NOT NULL,
    tx_hash BLOB NOT NULL,
    address BLOB NOT NULL,
    topic0 BLOB,
    topic1 BLOB,
    topic2 BLOB,
    topic3 BLOB,
    data BLOB NOT NULL,
    PRIMARY KEY (block_number, log_index)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS logs_by_address ON logs (address, block_number);
CREATE INDEX IF NOT EXISTS logs_by_topic0 ON logs (topic0, block_number);
"""

# SQL below is assembled from these constants and "?" placeholders only (hence the S608 noqa).
_LOG_COLUMNS = (
    "block_number, log_index, block_hash, block_timestamp, tx_index, tx_hash, address,"
    " topic0, topic1, topic2, topic3, data"
)
_RECEIPT_COLUMNS = (
    "tx_hash, block_number, block_hash, block_timestamp, tx_index, tx_type, sender, recipient,"
    " contract_address, status, gas_used, cumulative_gas_used, effective_gas_price, logs_bloom"
)
TOPIC_POSITIONS = 4


class ChainOpenError(Exception):
    """The stored chain cannot be used as asked (e.g. it was created with another chain id)."""


class InvalidTransaction(Exception):
    """A transaction is invalid for the chain as it stands; the message is geth's wording."""


class CallReverted(Exception):
    """A read-only call or estimate hit REVERT; ``data`` is the revert data."""

    def __init__(self, data: bytes) -> None:
        super().__init__(f"execution reverted (data 0x{data.hex()})")
        self.data = data


class CallFailed(Exception):
    """A read-only call or estimate failed for another reason (out of gas, bad opcode, funds)."""


class _FreeGasCancunVM(CancunVM):
    """Cancun with the base fee pinned at zero, like a Besu network with ``zeroBaseFee``.

    Stock EIP-1559 raises a zero base fee to 1 wei after any block more than half full, which
    would start charging accounts that were never funded.
    """

    @staticmethod
    def create_header_from_parent(  # type: ignore[override]
        parent_header: BlockHeaderAPI | None, **header_params: Any
    ) -> BlockHeaderAPI:
        # No consensus layer feeds this chain beacon roots; zero says so, as Anvil's blocks do.
        header_params.setdefault("parent_beacon_block_root", ZERO_HASH32)
        header: BlockHeaderAPI = create_cancun_header_from_parent(parent_header, **header_params)
        return header.copy(base_fee_per_gas=0)

    @classmethod
    def validate_gas(cls, header: BlockHeaderAPI, parent_header: BlockHeaderAPI) -> None:
        validate_gas_limit(header.gas_limit, parent_header.gas_limit)
        if header.base_fee_per_gas != 0:
            raise ValidationError(f"base fee must be 0, got {header.base_fee_per_gas}")


def _chain_class(chain_id: int) -> type[Chain]:
    class GovLedgerEmbeddedChain(Chain):
        vm_configuration = ((BlockNumber(0), _FreeGasCancunVM),)

    GovLedgerEmbeddedChain.chain_id = chain_id
    return GovLedgerEmbeddedChain


@dataclass(frozen=True)
class ReceiptRow:
    """What the receipt index keeps per mined transaction."""

    tx_hash: bytes
    block_number: int
    block_hash: bytes
    block_timestamp: int
    tx_index: int
    tx_type: int
    sender: bytes
    recipient: bytes | None
    contract_address: bytes | None
    status: int
    gas_used: int
    cumulative_gas_used: int
    effective_gas_price: int
    logs_bloom: bytes


@dataclass(frozen=True)
class LogRow:
    """One event log, as the log index keeps it."""

    block_number: int
    log_index: int
    block_hash: bytes
    block_timestamp: int
    tx_index: int
    tx_hash: bytes
    address: bytes
    topics: tuple[bytes, ...]
    data: bytes


@dataclass(frozen=True)
class LogFilter:
    """An ``eth_getLogs`` filter. ``None`` means "any"; a tuple means "any of these"."""

    from_block: int
    to_block: int
    addresses: tuple[bytes, ...] | None
    topics: tuple[tuple[bytes, ...] | None, ...]


@dataclass(frozen=True)
class CallRequest:
    """An unsigned message for ``eth_call`` / ``eth_estimateGas``."""

    sender: bytes
    to: bytes | None
    data: bytes
    value: int
    gas: int | None


class EmbeddedChain:
    """A py-evm chain stored in ``db``. Not thread-safe: the caller serialises all access but
    reading :attr:`head`.

    ``read_only``: ``db`` is another process's chain, opened for reading; nothing is created,
    and each read runs in a :meth:`snapshot` of what that writer last committed.
    """

    def __init__(
        self,
        db: SQLiteAtomicDB,
        *,
        chain_id: int,
        genesis_alloc: Mapping[str, int] | None = None,
        clock: Callable[[], float] = time.time,
        read_only: bool = False,
    ) -> None:
        self._db = db
        self._sql = db.connection
        self.chain_id = chain_id
        self._clock = clock
        with db.transaction():
            if not read_only:
                self._create_schema()
            stored = self._sql.execute("SELECT value FROM meta WHERE name = 'chain_id'").fetchone()
            if stored is None and read_only:
                raise ChainOpenError("there is no chain to read yet")
            if stored is None:
                self._chain = self._create_genesis(genesis_alloc or {})
            elif int(stored[0]) != chain_id:
                raise ChainOpenError(
                    f"the stored chain has chain id {stored[0]}, not the requested {chain_id}"
                )
            else:
                self._chain = _chain_class(chain_id)(db)
        # The committed head, kept in memory: it changes only in send(), and only once the
        # new blocks' transaction has committed, so a reader never sees an uncommitted block.
        self._head: BlockHeaderAPI = self._chain.get_canonical_head()

    def _create_schema(self) -> None:
        # executescript() would COMMIT the open transaction, so run the statements one by one.
        for statement in _INDEX_SCHEMA.split(";"):
            if statement.strip():
                self._sql.execute(statement)

    def _create_genesis(self, genesis_alloc: Mapping[str, int]) -> Chain:
        state: AccountState = {
            Address(bytes.fromhex(address.removeprefix("0x"))): {
                "balance": balance,
                "nonce": 0,
                "code": b"",
                "storage": {},
            }
            for address, balance in genesis_alloc.items()
        }
        params: dict[str, HeaderParams] = {
            "coinbase": ZERO_ADDRESS,
            "difficulty": POST_MERGE_DIFFICULTY,
            "extra_data": b"",
            "gas_limit": BLOCK_GAS_LIMIT,
            "mix_hash": POST_MERGE_MIX_HASH,
            "nonce": POST_MERGE_NONCE,
            "timestamp": int(self._clock()),
        }
        chain = _chain_class(self.chain_id).from_genesis(self._db, params, state)
        self._sql.execute(
            "INSERT INTO meta (name, value) VALUES ('chain_id', ?)", (str(self.chain_id),)
        )
        return cast(Chain, chain)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Read inside one transaction, from the head committed when it began: blocks another
        process writes meanwhile are seen by the next snapshot, never half of one by this."""
        with self._db.transaction():
            self._head = self._chain.get_canonical_head()
            yield

    # -- reading blocks and state ------------------------------------------------------------

    @property
    def head(self) -> BlockHeaderAPI:
        """The newest committed block's header. Safe to read without the caller's lock."""
        return self._head

    def header_by_number(self, number: int) -> BlockHeaderAPI | None:
        if not 0 <= number <= self.head.block_number:
            return None
        return self._chain.get_canonical_block_header_by_number(number)  # type: ignore[arg-type]

    def header_by_hash(self, block_hash: bytes) -> BlockHeaderAPI | None:
        try:
            header = self._chain.get_block_header_by_hash(Hash32(block_hash))
        except (HeaderNotFound, ValidationError):
            return None
        canonical = self.header_by_number(header.block_number)
        return header if canonical is not None and canonical.hash == header.hash else None

    def block(self, header: BlockHeaderAPI) -> BlockAPI:
        return self._chain.get_block_by_header(header)

    def state_at(self, header: BlockHeaderAPI) -> StateAPI:
        """The state after ``header``'s block, executing as if inside that block (like geth)."""
        return self._vm(header).state

    def transaction_at(self, block_number: int, tx_index: int) -> SignedTransactionAPI:
        return self._chain.get_canonical_transaction_by_index(block_number, tx_index)  # type: ignore[arg-type]

    def _vm(self, header: BlockHeaderAPI) -> VirtualMachineAPI:
        return self._chain.get_vm(header)

    # -- writing ---------------------------------------------------------------------------------

    def decode_transaction(self, raw: bytes) -> SignedTransactionAPI:
        """Decode a signed transaction, refusing types and encodings this chain does not take."""
        if raw and raw[0] <= 0x7F and raw[0] not in SUPPORTED_TX_TYPES:
            raise InvalidTransaction("transaction type not supported")
        builder = self._vm(self.head).get_transaction_builder()
        try:
            return builder.decode(raw)
        except (rlp.exceptions.RLPException, ValidationError, ValueError, TypeError) as error:
            raise InvalidTransaction(f"invalid transaction encoding: {error}") from error

    def send(self, transactions: Sequence[SignedTransactionAPI]) -> list[InvalidTransaction | None]:
        """Validate, execute and mine ``transactions`` in order, durably, before returning.

        Valid ones go into as few new blocks as the block gas limit allows; each invalid one
        gets its :class:`InvalidTransaction` in the result (``None`` for a mined one) and
        changes nothing. All new blocks commit in one SQLite transaction: on any unexpected
        error nothing is written and the error propagates.
        """
        outcomes: list[InvalidTransaction | None] = []
        head = self._head
        with self._db.transaction():
            pending: _PendingBlock | None = None
            for transaction in transactions:
                if pending is None:
                    pending = _PendingBlock(self._chain, head, self._clock())
                elif pending.transactions and not pending.has_room_for(transaction):
                    head = self._seal(pending)
                    pending = _PendingBlock(self._chain, head, self._clock())
                try:
                    self._check(transaction, pending)
                except InvalidTransaction as rejection:
                    outcomes.append(rejection)
                    continue
                pending.apply(transaction)
                outcomes.append(None)
            if pending is not None and pending.transactions:
                head = self._seal(pending)
        self._head = head
        return outcomes

    def _check(self, transaction: SignedTransactionAPI, pending: _PendingBlock) -> None:
        """Geth's transaction-pool checks, in geth's order and wording."""
        if transaction.chain_id is None:
            raise InvalidTransaction(
                "only replay-protected (EIP-155) transactions allowed over RPC"
            )
        if transaction.chain_id != self.chain_id:
            raise InvalidTransaction("invalid chain id for signer")
        # EIP-2: a signature with s in the upper half is a malleated copy of another one.
        if not 0 < transaction.s <= SECPK1_N // 2:
            raise InvalidTransaction("invalid sender: invalid transaction v, r, s values")
        try:
            transaction.check_signature_validity()
            sender = transaction.sender
        except (BadSignature, ValidationError, ValueError) as error:
            raise InvalidTransaction(f"invalid sender: {error}") from error
        try:
            transaction.validate()
        except ValidationError as error:
            raise InvalidTransaction(f"invalid transaction: {error}") from error
        if transaction.gas > pending.header.gas_limit:
            raise InvalidTransaction("exceeds block gas limit")
        if transaction.gas < transaction.intrinsic_gas:
            raise InvalidTransaction("intrinsic gas too low")
        if transaction.max_priority_fee_per_gas > transaction.max_fee_per_gas:
            raise InvalidTransaction("max priority fee per gas higher than max fee per gas")
        state = pending.vm.state
        expected_nonce = state.get_nonce(sender)
        if transaction.nonce != expected_nonce:
            too = "low" if transaction.nonce < expected_nonce else "high"
            raise InvalidTransaction(
                f"nonce too {too}: address 0x{sender.hex()}, tx: {transaction.nonce}"
                f" state: {expected_nonce}"
            )
        cost = transaction.gas * transaction.max_fee_per_gas + transaction.value
        balance = state.get_balance(sender)
        if balance < cost:
            raise InvalidTransaction(
                f"insufficient funds for gas * price + value: address 0x{sender.hex()}"
                f" have {balance} want {cost}"
            )

    def _seal(self, pending: _PendingBlock) -> BlockHeaderAPI:
        block = pending.seal()
        self._chain.validate_block(block)
        self._chain.chaindb.persist_block(block)
        self._index(block, pending.receipts)
        return block.header

    def _index(self, block: BlockAPI, receipts: Sequence[ReceiptAPI]) -> None:
        header = block.header
        receipt_rows = []
        log_rows = []
        previous_cumulative = 0
        log_index = 0
        for tx_index, (transaction, receipt) in enumerate(
            zip(block.transactions, receipts, strict=True)
        ):
            sender = transaction.sender
            is_creation = transaction.to == CREATE_CONTRACT_ADDRESS
            receipt_rows.append(
                (
                    transaction.hash,
                    header.block_number,
                    header.hash,
                    header.timestamp,
                    tx_index,
                    _tx_type(transaction),
                    sender,
                    None if is_creation else transaction.to,
                    generate_contract_address(sender, transaction.nonce) if is_creation else None,
                    1 if receipt.state_root == b"\x01" else 0,
                    receipt.gas_used - previous_cumulative,
                    receipt.gas_used,
                    effective_gas_price(transaction, header),
                    receipt.bloom.to_bytes(256, "big"),
                )
            )
            previous_cumulative = receipt.gas_used
            for log in receipt.logs:
                topics: list[bytes | None] = [topic.to_bytes(32, "big") for topic in log.topics]
                topics += [None] * (TOPIC_POSITIONS - len(topics))
                log_rows.append(
                    (
                        header.block_number,
                        log_index,
                        header.hash,
                        header.timestamp,
                        tx_index,
                        transaction.hash,
                        log.address,
                        *topics,
                        log.data,
                    )
                )
                log_index += 1
        self._sql.executemany(
            f"INSERT INTO receipts ({_RECEIPT_COLUMNS}) VALUES ({_placeholders(14)})",  # noqa: S608
            receipt_rows,
        )
        self._sql.executemany(
            f"INSERT INTO logs ({_LOG_COLUMNS}) VALUES ({_placeholders(12)})",  # noqa: S608
            log_rows,
        )

    # -- the indexes -----------------------------------------------------------------------------

    def receipt(self, tx_hash: bytes) -> ReceiptRow | None:
        row = self._sql.execute(
            f"SELECT {_RECEIPT_COLUMNS} FROM receipts WHERE tx_hash = ?",  # noqa: S608
            (tx_hash,),
        ).fetchone()
        return None if row is None else ReceiptRow(*row)

    def senders_in_block(self, block_number: int) -> list[bytes]:
        """Senders of a block's transactions in block order, from the index (no key recovery)."""
        rows = self._sql.execute(
            "SELECT sender FROM receipts WHERE block_number = ? ORDER BY tx_index", (block_number,)
        )
        return [sender for (sender,) in rows]

    def logs_of(self, block_number: int, tx_index: int) -> list[LogRow]:
        rows = self._sql.execute(
            f"SELECT {_LOG_COLUMNS} FROM logs WHERE block_number = ? AND tx_index = ?"  # noqa: S608
            " ORDER BY log_index",
            (block_number, tx_index),
        )
        return [_log_row(row) for row in rows]

    def logs(self, log_filter: LogFilter) -> list[LogRow]:
        clauses = ["block_number BETWEEN ? AND ?"]
        arguments: list[Any] = [log_filter.from_block, log_filter.to_block]
        if log_filter.addresses is not None:
            clauses.append(f"address IN ({_placeholders(len(log_filter.addresses))})")
            arguments += log_filter.addresses
        for position, wanted in enumerate(log_filter.topics):
            if wanted is not None:
                clauses.append(f"topic{position} IN ({_placeholders(len(wanted))})")
                arguments += wanted
        query = (
            f"SELECT {_LOG_COLUMNS} FROM logs WHERE {' AND '.join(clauses)}"  # noqa: S608
            " ORDER BY block_number, log_index"
        )
        return [_log_row(row) for row in self._sql.execute(query, arguments)]

    # -- read-only execution -----------------------------------------------------------------------

    def call(self, request: CallRequest, header: BlockHeaderAPI) -> bytes:
        """Run ``request`` on the state after ``header``'s block; nothing is kept."""
        state = self.state_at(header)
        computation = self._execute(state, request, request.gas or header.gas_limit)
        if computation.is_error:
            _raise_call_error(computation)
        return computation.output

    def estimate_gas(self, request: CallRequest, header: BlockHeaderAPI) -> int:
        """A gas limit with which ``request`` succeeds: exact when the gas it consumes is enough,
        else within 1.5 % of the smallest (geth's search: optimistic guess, then bisection)."""
        state = self.state_at(header)
        cap = request.gas or header.gas_limit
        computation = self._execute(state, request, cap)
        if computation.is_error:
            _raise_call_error(computation)
        # Gas consumed before refunds: no smaller limit can succeed.
        consumed = cap - computation.get_gas_remaining()
        if self._succeeds(state, request, consumed):
            return consumed
        failing, succeeding = consumed, cap
        optimistic = (consumed + _CALL_STIPEND) * 64 // 63
        if optimistic < succeeding and self._succeeds(state, request, optimistic):
            succeeding = optimistic
        while (
            succeeding - failing > 1 and (succeeding - failing) / succeeding > _ESTIMATE_ERROR_RATIO
        ):
            middle = (failing + succeeding) // 2
            if self._succeeds(state, request, middle):
                succeeding = middle
            else:
                failing = middle
        return succeeding

    def _succeeds(self, state: StateAPI, request: CallRequest, gas: int) -> bool:
        try:
            return not self._execute(state, request, gas).is_error
        except CallFailed:
            return False

    def _execute(self, state: StateAPI, request: CallRequest, gas: int) -> ComputationAPI:
        vm = self._vm(self.head)
        message = vm.create_unsigned_transaction(
            nonce=state.get_nonce(Address(request.sender)),
            gas_price=0,
            gas=gas,
            to=Address(request.to if request.to is not None else CREATE_CONTRACT_ADDRESS),
            value=request.value,
            data=request.data,
        )
        transaction = cast(SignedTransactionAPI, SpoofTransaction(message, from_=request.sender))
        if gas < transaction.intrinsic_gas:
            raise CallFailed(f"intrinsic gas too low: have {gas}, want {transaction.intrinsic_gas}")
        snapshot = state.snapshot()
        try:
            return state.apply_transaction(transaction)
        except ValidationError as error:
            raise CallFailed(str(error)) from error
        finally:
            state.revert(snapshot)


class _PendingBlock:
    """A block being filled on top of ``parent``: its VM, header and what was applied so far."""

    def __init__(self, chain: Chain, parent: BlockHeaderAPI, now: float) -> None:
        # Strictly after the parent, and never behind the clock.
        timestamp = max(parent.timestamp + 1, int(now))
        self.header = chain.create_header_from_parent(
            parent, timestamp=timestamp, gas_limit=parent.gas_limit
        )
        self.vm = chain.get_vm(self.header)
        self.transactions: list[SignedTransactionAPI] = []
        self.receipts: list[ReceiptAPI] = []

    def has_room_for(self, transaction: SignedTransactionAPI) -> bool:
        return self.header.gas_used + transaction.gas <= self.header.gas_limit

    def apply(self, transaction: SignedTransactionAPI) -> None:
        receipt, _ = self.vm.apply_transaction(self.header, transaction)
        self.header = self.vm.add_receipt_to_header(self.header, receipt)
        self.transactions.append(transaction)
        self.receipts.append(receipt)

    def seal(self) -> BlockAPI:
        block = self.vm.set_block_transactions_and_withdrawals(
            self.vm.get_block(), self.header, self.transactions, self.receipts
        )
        return self.vm.mine_block(block).block


def effective_gas_price(transaction: SignedTransactionAPI, header: BlockHeaderAPI) -> int:
    """What the sender paid per gas: legacy price, or EIP-1559 tip on top of the base fee."""
    return min(
        transaction.max_fee_per_gas,
        transaction.max_priority_fee_per_gas + (header.base_fee_per_gas or 0),
    )


def _tx_type(transaction: SignedTransactionAPI) -> int:
    type_id: int | None = getattr(transaction, "type_id", None)
    return type_id or 0


def _raise_call_error(computation: ComputationAPI) -> None:
    if isinstance(computation.error, Revert):
        raise CallReverted(computation.output)
    raise CallFailed(str(computation.error) or type(computation.error).__name__)


def _placeholders(count: int) -> str:
    return ", ".join("?" * count)


def _log_row(row: Iterable[Any]) -> LogRow:
    (block_number, log_index, block_hash, timestamp, tx_index, tx_hash, address, *topics, data) = (
        row
    )
    return LogRow(
        block_number=block_number,
        log_index=log_index,
        block_hash=block_hash,
        block_timestamp=timestamp,
        tx_index=tx_index,
        tx_hash=tx_hash,
        address=address,
        topics=tuple(topic for topic in topics if topic is not None),
        data=data,
    )
