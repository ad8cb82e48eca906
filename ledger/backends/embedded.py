"""The embedded, persistent, zero-server chain backend: JSON-RPC answered by py-evm in-process.

:class:`EmbeddedBackend` answers the Ethereum JSON-RPC methods the ledger client uses, in the
shapes and with the errors a geth-family node (geth, Besu, Anvil) gives, so the same client code
runs on it and on a real node. Each accepted ``eth_sendRawTransaction`` is executed and mined into
its own block, and the block, its state and the receipt/log indexes are committed to
``data_dir/chain.sqlite`` in one transaction before the hash is returned: once a caller has the
hash, the transaction survives a crash of the process.

Permissioned-network behaviour: the base fee is always 0 and gas price 0 is accepted, the chain
has instant finality (``safe``, ``finalized`` and ``pending`` all mean the latest block), and one
process at a time owns the data directory. Any number of others may open it ``read_only`` beside
that writer: they answer every read from what it last committed and refuse transactions.

Unlike a node there is no transaction pool: a transaction is mined at once or refused, so a
nonce above the sender's next one is refused ("nonce too high") instead of queued. And since each
block is at least one second after its parent, block time runs ahead of the wall clock while
more than one block per second is written (it catches up when the load drops); a JSON-RPC batch
of transactions (:meth:`EmbeddedBackend.make_batch_request`) shares one block.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar, cast

import rlp
from eth.abc import BlockAPI, BlockHeaderAPI, LegacyTransactionFieldsAPI, SignedTransactionAPI
from eth.constants import CREATE_CONTRACT_ADDRESS, ZERO_ADDRESS
from eth_abi.abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_typing import Address

from ledger.backends.base import (
    EXECUTION_REVERTED,
    INTERNAL_ERROR,
    INVALID_PARAMS,
    METHOD_NOT_FOUND,
    RPC,
)
from ledger.backends.embedded_chain import (
    TOPIC_POSITIONS,
    CallFailed,
    CallRequest,
    CallReverted,
    ChainOpenError,
    EmbeddedChain,
    InvalidTransaction,
    LogFilter,
    LogRow,
    ReceiptRow,
    effective_gas_price,
)
from ledger.backends.sqlite_db import SQLiteAtomicDB, open_sqlite, open_sqlite_read_only
from ledger.closing import Closing
from ledger.exceptions import BackendUnavailable
from ledger.locks import lock_exclusively, release
from ledger.recursion import cap_recursion_limit

# py-evm, imported above, raised the limit (see ledger.recursion).
cap_recursion_limit()

logger = logging.getLogger(__name__)

CHAIN_FILE = "chain.sqlite"
LOCK_FILE = "chain.lock"

# Geth's code for an error that is not a JSON-RPC protocol error (bad nonce, out of gas, ...).
SERVER_ERROR = -32000
_ERROR_STRING_SELECTOR = bytes.fromhex("08c379a0")  # Error(string), Solidity's require/revert text
_STATE_TAGS = frozenset({"latest", "pending", "safe", "finalized"})

Handler = Callable[[list[Any]], Any]
T = TypeVar("T")


class _RPCFailure(Exception):
    """Answer the current request with this JSON-RPC error."""

    def __init__(self, code: int, message: str, data: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data


def _invalid_params(message: str) -> _RPCFailure:
    return _RPCFailure(INVALID_PARAMS, message)


class EmbeddedBackend(Closing):
    """A chain stored under ``data_dir``, answering JSON-RPC in-process. See the module doc.

    The first open creates the chain from genesis, giving each ``genesis_alloc`` address
    (hex string) its balance in wei; later opens ignore ``genesis_alloc``. Opening a chain
    created with another ``chain_id``, or one another process holds open, raises
    :class:`BackendUnavailable`. Thread-safe: requests are answered one at a time. ``clock``
    gives block timestamps (seconds since the epoch); tests pass their own to move time.

    ``read_only`` opens an existing chain for reading without taking the data directory, also
    while another process writes it; ``eth_sendRawTransaction`` is then refused.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        chain_id: int,
        genesis_alloc: Mapping[str, int] | None = None,
        clock: Callable[[], float] = time.time,
        read_only: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.chain_id = chain_id
        self.read_only = read_only
        self._lock = threading.RLock()
        self._response_ids = itertools.count(1)
        self._lock_fd: int | None = None if read_only else _lock_data_dir(self.data_dir)
        self._connection: sqlite3.Connection | None = None
        try:
            path = self.data_dir / CHAIN_FILE
            self._connection = open_sqlite_read_only(path) if read_only else open_sqlite(path)
            self._chain: EmbeddedChain | None = EmbeddedChain(
                SQLiteAtomicDB(self._connection),
                chain_id=chain_id,
                genesis_alloc=genesis_alloc,
                clock=clock,
                read_only=read_only,
            )
        except ChainOpenError as error:
            self.close()
            raise BackendUnavailable(
                f"cannot open the chain in {self.data_dir}: {error}"
            ) from error
        except sqlite3.Error as error:
            self.close()
            raise BackendUnavailable(
                f"cannot open the chain database in {self.data_dir}"
                f" (corrupt or unreadable): {error}"
            ) from error
        self._handlers: dict[str, Handler] = {
            RPC.web3_client_version: self._client_version,
            RPC.net_version: lambda params: str(self.chain_id),
            RPC.eth_chain_id: lambda params: _quantity_hex(self.chain_id),
            RPC.eth_block_number: self._block_number,
            RPC.eth_get_balance: self._get_balance,
            RPC.eth_get_transaction_count: self._get_transaction_count,
            RPC.eth_get_code: self._get_code,
            RPC.eth_get_storage_at: self._get_storage_at,
            RPC.eth_call: self._call,
            RPC.eth_estimate_gas: self._estimate_gas,
            # Gas is free on this chain, like a Besu network with min-gas-price 0.
            RPC.eth_gas_price: lambda params: "0x0",
            RPC.eth_max_priority_fee_per_gas: lambda params: "0x0",
            # eth_sendRawTransaction goes through make_batch_request, to share its block path.
            RPC.eth_get_transaction_by_hash: self._get_transaction_by_hash,
            RPC.eth_get_transaction_receipt: self._get_transaction_receipt,
            RPC.eth_get_block_by_number: self._get_block_by_number,
            RPC.eth_get_block_by_hash: self._get_block_by_hash,
            RPC.eth_get_logs: self._get_logs,
        }

    # -- the Backend protocol ------------------------------------------------------------------

    def make_request(self, method: str, params: list[Any]) -> dict[str, Any]:
        """Answer one JSON-RPC request (see :class:`ledger.backends.base.Backend`)."""
        if method == RPC.eth_send_raw_transaction:
            return self.make_batch_request([(method, params)])[0]
        if method == RPC.eth_block_number and not self.read_only:
            # The chain keeps its committed head in memory: services poll this before every
            # cached read, and must not wait out a block being mined under the lock. (A reader
            # learns the head from the database, in a snapshot, under the lock.)
            return self._answer(method, params)
        with self._lock:
            return self._answer(method, params)

    def make_batch_request(self, requests: Sequence[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        """Answer a JSON-RPC batch, in order.

        Consecutive ``eth_sendRawTransaction`` requests are mined together, into as few blocks
        as the gas limit allows and in one durable commit, which is much faster than one block
        each. Each still gets its own hash or error.
        """
        responses: list[dict[str, Any]] = []
        with self._lock:
            for is_send, run in itertools.groupby(
                requests, key=lambda request: request[0] == RPC.eth_send_raw_transaction
            ):
                if is_send:
                    responses += self._send_raw_transactions([params for _, params in run])
                else:
                    responses += [self._answer(method, params) for method, params in run]
        return responses

    def close(self) -> None:
        """Close the database and release the data directory. Safe to call twice."""
        with self._lock:
            self._chain = None
            connection, self._connection = self._connection, None
            if connection is not None:
                connection.close()
            lock_fd, self._lock_fd = self._lock_fd, None
            if lock_fd is not None:
                release(lock_fd)

    # -- dispatch ---------------------------------------------------------------------------------

    def _open_chain(self) -> EmbeddedChain:
        if self._chain is None:
            raise BackendUnavailable(f"the embedded chain in {self.data_dir} is closed")
        return self._chain

    def _answer(self, method: str, params: list[Any]) -> dict[str, Any]:
        handler = self._handlers.get(method)
        if handler is None:
            return self._error(METHOD_NOT_FOUND, f"the method {method} does not exist")
        return self._run(lambda: handler(_as_list(params)))

    def _run(self, produce: Callable[[], Any]) -> dict[str, Any]:
        try:
            result = self._guarded(produce)
        except _RPCFailure as failure:
            return self._error(failure.code, failure.message, failure.data)
        return self._success(result)

    def _guarded(self, produce: Callable[[], T]) -> T:
        """Run a handler: a storage failure means no answer at all, anything else is -32603."""
        chain = self._open_chain()
        try:
            with chain.snapshot() if self.read_only else nullcontext():
                return produce()
        except (_RPCFailure, BackendUnavailable):
            raise
        except sqlite3.Error as error:
            raise BackendUnavailable(
                f"the chain database in {self.data_dir} failed: {error}"
            ) from error
        except Exception as error:
            # A node answers an internal failure with -32603 rather than dropping the request.
            logger.exception("embedded chain failed to answer")
            raise _RPCFailure(INTERNAL_ERROR, f"internal error: {error}") from error

    def _success(self, result: Any) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": next(self._response_ids), "result": result}

    def _error(self, code: int, message: str, data: str | None = None) -> dict[str, Any]:
        error: dict[str, Any] = {"code": code, "message": message}
        if data is not None:
            error["data"] = data
        return {"jsonrpc": "2.0", "id": next(self._response_ids), "error": error}

    # -- chain and state ---------------------------------------------------------------------

    def _client_version(self, params: list[Any]) -> str:
        return f"govledger-embedded/py-evm-{version('py-evm')}"

    def _block_number(self, params: list[Any]) -> str:
        _arguments(params, 0)
        return _quantity_hex(self._open_chain().head.block_number)

    def _get_balance(self, params: list[Any]) -> str:
        address, block = _arguments(params, 1, 2)
        state = self._open_chain().state_at(self._state_header(block))
        return _quantity_hex(state.get_balance(_address(address)))

    def _get_transaction_count(self, params: list[Any]) -> str:
        address, block = _arguments(params, 1, 2)
        state = self._open_chain().state_at(self._state_header(block))
        return _quantity_hex(state.get_nonce(_address(address)))

    def _get_code(self, params: list[Any]) -> str:
        address, block = _arguments(params, 1, 2)
        state = self._open_chain().state_at(self._state_header(block))
        return _data_hex(state.get_code(_address(address)))

    def _get_storage_at(self, params: list[Any]) -> str:
        address, slot, block = _arguments(params, 2, 3)
        state = self._open_chain().state_at(self._state_header(block))
        value = state.get_storage(_address(address), _slot(slot))
        return _data_hex(value.to_bytes(32, "big"))

    def _state_header(self, block: Any) -> BlockHeaderAPI:
        """The header a state query names: a tag, a number, or an EIP-1898 object."""
        chain = self._open_chain()
        if block is None or _is_latest(block):
            return chain.head
        if block == "earliest":
            number = 0
        elif isinstance(block, dict) and "blockHash" in block:
            header = chain.header_by_hash(_data(block["blockHash"], 32))
            if header is None:
                raise _RPCFailure(SERVER_ERROR, "header not found")
            return header
        elif isinstance(block, dict) and "blockNumber" in block:
            return self._state_header(block["blockNumber"])
        else:
            number = _quantity(block)
        found = chain.header_by_number(number)
        if found is None:
            raise _RPCFailure(SERVER_ERROR, "header not found")
        return found

    # -- execution ------------------------------------------------------------------------------

    def _call(self, params: list[Any]) -> str:
        request, block = self._call_arguments(params)
        try:
            output = self._open_chain().call(request, self._state_header(block))
        except (CallReverted, CallFailed) as error:
            raise _execution_failure(error) from error
        return _data_hex(output)

    def _estimate_gas(self, params: list[Any]) -> str:
        request, block = self._call_arguments(params)
        try:
            gas = self._open_chain().estimate_gas(request, self._state_header(block))
        except (CallReverted, CallFailed) as error:
            raise _execution_failure(error) from error
        return _quantity_hex(gas)

    @staticmethod
    def _call_arguments(params: list[Any]) -> tuple[CallRequest, Any]:
        call, block, overrides = _arguments(params, 1, 3)
        if overrides:
            raise _invalid_params("state overrides are not supported")
        if not isinstance(call, dict):
            raise _invalid_params("the call must be an object")
        if "data" in call and "input" in call and call["data"] != call["input"]:
            raise _invalid_params('both "data" and "input" are set and differ')
        data = call.get("input", call.get("data"))
        to = call.get("to")
        request = CallRequest(
            sender=_address(call["from"]) if call.get("from") else ZERO_ADDRESS,
            to=_address(to) if to else None,
            data=_data(data) if data is not None else b"",
            value=_quantity(call["value"]) if call.get("value") is not None else 0,
            gas=_quantity(call["gas"]) if call.get("gas") is not None else None,
        )
        return request, block

    def _send_raw_transactions(self, all_params: Sequence[list[Any]]) -> list[dict[str, Any]]:
        """Decode every raw transaction, then validate, execute and mine the decodable ones."""
        chain = self._open_chain()
        if self.read_only:
            message = f"the chain in {self.data_dir} is open read-only: it takes no transactions"
            return [self._error(SERVER_ERROR, message) for _ in all_params]
        decoded: list[SignedTransactionAPI | _RPCFailure] = []
        for params in all_params:
            try:
                (raw,) = _arguments(_as_list(params), 1)
                decoded.append(chain.decode_transaction(_data(raw)))
            except _RPCFailure as failure:
                decoded.append(failure)
            except InvalidTransaction as rejection:
                decoded.append(_RPCFailure(SERVER_ERROR, str(rejection)))
        transactions = [item for item in decoded if not isinstance(item, _RPCFailure)]
        try:
            outcomes = iter(self._guarded(lambda: chain.send(transactions)))
        except _RPCFailure as failure:
            return [self._error(failure.code, failure.message) for _ in all_params]
        responses = []
        for item in decoded:
            if isinstance(item, _RPCFailure):
                responses.append(self._error(item.code, item.message, item.data))
                continue
            outcome = next(outcomes)
            if outcome is None:
                responses.append(self._success(_data_hex(item.hash)))
            else:
                responses.append(self._error(SERVER_ERROR, str(outcome)))
        return responses

    # -- blocks, transactions, receipts, logs ------------------------------------------------

    def _get_block_by_number(self, params: list[Any]) -> dict[str, Any] | None:
        block, full = _arguments(params, 2)
        chain = self._open_chain()
        if _is_latest(block):
            header: BlockHeaderAPI | None = chain.head
        elif block == "earliest":
            header = chain.header_by_number(0)
        else:
            header = chain.header_by_number(_quantity(block))
        return None if header is None else self._block_json(chain.block(header), _flag(full))

    def _get_block_by_hash(self, params: list[Any]) -> dict[str, Any] | None:
        block_hash, full = _arguments(params, 2)
        chain = self._open_chain()
        header = chain.header_by_hash(_data(block_hash, 32))
        return None if header is None else self._block_json(chain.block(header), _flag(full))

    def _block_json(self, block: BlockAPI, full: bool) -> dict[str, Any]:
        header = block.header
        transactions: list[Any]
        if full:
            senders = self._open_chain().senders_in_block(header.block_number)
            transactions = [
                _transaction_json(transaction, header, index, sender)
                for index, (transaction, sender) in enumerate(
                    zip(block.transactions, senders, strict=True)
                )
            ]
        else:
            transactions = [_data_hex(transaction.hash) for transaction in block.transactions]
        return {
            "number": _quantity_hex(header.block_number),
            "hash": _data_hex(header.hash),
            "parentHash": _data_hex(header.parent_hash),
            "nonce": _data_hex(header.nonce),
            "mixHash": _data_hex(header.mix_hash),
            "sha3Uncles": _data_hex(header.uncles_hash),
            "logsBloom": _data_hex(header.bloom.to_bytes(256, "big")),
            "transactionsRoot": _data_hex(header.transaction_root),
            "stateRoot": _data_hex(header.state_root),
            "receiptsRoot": _data_hex(header.receipt_root),
            "miner": _data_hex(header.coinbase),
            "difficulty": _quantity_hex(header.difficulty),
            "totalDifficulty": _quantity_hex(header.difficulty),  # 0: proof of stake from genesis
            "extraData": _data_hex(header.extra_data),
            "size": _quantity_hex(len(rlp.encode(block))),
            "gasLimit": _quantity_hex(header.gas_limit),
            "gasUsed": _quantity_hex(header.gas_used),
            "timestamp": _quantity_hex(header.timestamp),
            "transactions": transactions,
            "uncles": [],
            "baseFeePerGas": _quantity_hex(_present(header.base_fee_per_gas)),
            "withdrawals": [],
            "withdrawalsRoot": _data_hex(_present(header.withdrawals_root)),
            "blobGasUsed": _quantity_hex(header.blob_gas_used),
            "excessBlobGas": _quantity_hex(header.excess_blob_gas),
            "parentBeaconBlockRoot": _data_hex(_present(header.parent_beacon_block_root)),
        }

    def _get_transaction_by_hash(self, params: list[Any]) -> dict[str, Any] | None:
        (tx_hash,) = _arguments(params, 1)
        chain = self._open_chain()
        row = chain.receipt(_data(tx_hash, 32))
        if row is None:
            return None
        header = chain.header_by_number(row.block_number)
        assert header is not None, "the receipt index names a block the chain does not have"
        transaction = chain.transaction_at(row.block_number, row.tx_index)
        return _transaction_json(transaction, header, row.tx_index, row.sender)

    def _get_transaction_receipt(self, params: list[Any]) -> dict[str, Any] | None:
        (tx_hash,) = _arguments(params, 1)
        chain = self._open_chain()
        row = chain.receipt(_data(tx_hash, 32))
        if row is None:
            return None
        return _receipt_json(row, chain.logs_of(row.block_number, row.tx_index))

    def _get_logs(self, params: list[Any]) -> list[dict[str, Any]]:
        (query,) = _arguments(params, 1)
        if not isinstance(query, dict):
            raise _invalid_params("the filter must be an object")
        return [_log_json(row) for row in self._open_chain().logs(self._log_filter(query))]

    def _log_filter(self, query: dict[str, Any]) -> LogFilter:
        chain = self._open_chain()
        head = chain.head.block_number
        if query.get("blockHash") is not None:
            if query.get("fromBlock") is not None or query.get("toBlock") is not None:
                raise _invalid_params("cannot specify both blockHash and fromBlock/toBlock")
            header = chain.header_by_hash(_data(query["blockHash"], 32))
            if header is None:
                raise _RPCFailure(SERVER_ERROR, "unknown block")
            from_block: int = header.block_number
            to_block: int = header.block_number
        else:
            from_block = _block_number_in_filter(query.get("fromBlock"), head)
            to_block = _block_number_in_filter(query.get("toBlock"), head)
            if from_block > to_block:
                raise _invalid_params("invalid block range params")
        addresses = query.get("address")
        topics = query.get("topics") or []
        if not isinstance(topics, list) or len(topics) > TOPIC_POSITIONS:
            raise _invalid_params(f"topics must be a list of at most {TOPIC_POSITIONS} entries")
        return LogFilter(
            from_block=from_block,
            to_block=min(to_block, head),
            # Like geth, no address (null or an empty list) means any address.
            addresses=tuple(_address(item) for item in _one_or_many(addresses))
            if addresses
            else None,
            topics=tuple(_topic_alternatives(position) for position in topics),
        )


# -- JSON-RPC values -------------------------------------------------------------------------------


def _as_list(params: Any) -> list[Any]:
    if params is None:
        return []
    if not isinstance(params, list | tuple):
        raise _invalid_params("params must be an array")
    return list(params)


def _arguments(params: list[Any], required: int, allowed: int | None = None) -> list[Any]:
    """``params`` padded with ``None`` up to ``allowed``, after checking how many were given."""
    allowed = required if allowed is None else allowed
    if not required <= len(params) <= allowed:
        wanted = str(required) if required == allowed else f"{required} to {allowed}"
        raise _invalid_params(f"expected {wanted} params, got {len(params)}")
    return list(params) + [None] * (allowed - len(params))


def _quantity(value: Any) -> int:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) < 3:
        raise _invalid_params(f"expected a hex quantity, got {value!r}")
    try:
        return int(value, 16)
    except ValueError:
        raise _invalid_params(f"expected a hex quantity, got {value!r}") from None


def _data(value: Any, length: int | None = None) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise _invalid_params(f"expected 0x-prefixed hex data, got {value!r}")
    try:
        data = bytes.fromhex(value[2:])
    except ValueError:
        raise _invalid_params(f"expected 0x-prefixed hex data, got {value!r}") from None
    if length is not None and len(data) != length:
        raise _invalid_params(f"expected {length} bytes of hex data, got {len(data)}")
    return data


def _address(value: Any) -> Address:
    return Address(_data(value, 20))


def _slot(value: Any) -> int:
    # Geth takes a storage slot as a quantity or as 32 bytes of data.
    return (
        _quantity(value)
        if isinstance(value, str) and len(value) < 66
        else int.from_bytes(_data(value, 32), "big")
    )


def _is_latest(block: Any) -> bool:
    """Whether a block parameter is a tag for the head (no pending or unsafe blocks here)."""
    return isinstance(block, str) and block in _STATE_TAGS


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _invalid_params(f"expected a boolean, got {value!r}")
    return value


def _one_or_many(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _topic_alternatives(position: Any) -> tuple[bytes, ...] | None:
    if position is None:
        return None
    alternatives = _one_or_many(position)
    if not alternatives or None in alternatives:
        return None  # an empty list or a null alternative matches anything
    return tuple(_data(topic, 32) for topic in alternatives)


def _block_number_in_filter(value: Any, head: int) -> int:
    if value is None or _is_latest(value):
        return head
    if value == "earliest":
        return 0
    return _quantity(value)


def _present(value: T | None) -> T:
    """A header or transaction field that Cancun blocks and accepted transactions always have."""
    if value is None:
        raise ValueError("a Cancun field is missing")
    return value


def _quantity_hex(value: int) -> str:
    return hex(value)


def _data_hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def _execution_failure(error: CallReverted | CallFailed) -> _RPCFailure:
    if isinstance(error, CallFailed):
        return _RPCFailure(SERVER_ERROR, str(error))
    message = "execution reverted"
    if error.data.startswith(_ERROR_STRING_SELECTOR):
        try:
            (reason,) = abi_decode(["string"], error.data[4:])
            message = f"execution reverted: {reason}"
        except DecodingError:
            pass
    return _RPCFailure(EXECUTION_REVERTED, message, _data_hex(error.data))


def _transaction_json(
    transaction: SignedTransactionAPI, header: BlockHeaderAPI, index: int, sender: bytes
) -> dict[str, Any]:
    type_id: int = getattr(transaction, "type_id", None) or 0
    body: dict[str, Any] = {
        "blockHash": _data_hex(header.hash),
        "blockNumber": _quantity_hex(header.block_number),
        "blockTimestamp": _quantity_hex(header.timestamp),
        "transactionIndex": _quantity_hex(index),
        "hash": _data_hex(transaction.hash),
        "type": _quantity_hex(type_id),
        "from": _data_hex(sender),
        "to": None if transaction.to == CREATE_CONTRACT_ADDRESS else _data_hex(transaction.to),
        "nonce": _quantity_hex(transaction.nonce),
        "gas": _quantity_hex(transaction.gas),
        "gasPrice": _quantity_hex(effective_gas_price(transaction, header)),
        "value": _quantity_hex(transaction.value),
        "input": _data_hex(transaction.data),
        "chainId": _quantity_hex(_present(transaction.chain_id)),
        "r": _quantity_hex(transaction.r),
        "s": _quantity_hex(transaction.s),
    }
    if type_id == 0:
        body["v"] = _quantity_hex(cast(LegacyTransactionFieldsAPI, transaction).v)
    else:
        body["v"] = body["yParity"] = _quantity_hex(transaction.y_parity)
        body["accessList"] = [
            {
                "address": _data_hex(address),
                "storageKeys": [_data_hex(key.to_bytes(32, "big")) for key in keys],
            }
            for address, keys in transaction.access_list
        ]
    if type_id == 2:
        body["maxFeePerGas"] = _quantity_hex(transaction.max_fee_per_gas)
        body["maxPriorityFeePerGas"] = _quantity_hex(transaction.max_priority_fee_per_gas)
    return body


def _receipt_json(row: ReceiptRow, logs: Sequence[LogRow]) -> dict[str, Any]:
    return {
        "transactionHash": _data_hex(row.tx_hash),
        "transactionIndex": _quantity_hex(row.tx_index),
        "blockHash": _data_hex(row.block_hash),
        "blockNumber": _quantity_hex(row.block_number),
        "blockTimestamp": _quantity_hex(row.block_timestamp),
        "from": _data_hex(row.sender),
        "to": None if row.recipient is None else _data_hex(row.recipient),
        "contractAddress": None
        if row.contract_address is None
        else _data_hex(row.contract_address),
        "cumulativeGasUsed": _quantity_hex(row.cumulative_gas_used),
        "gasUsed": _quantity_hex(row.gas_used),
        "effectiveGasPrice": _quantity_hex(row.effective_gas_price),
        "status": _quantity_hex(row.status),
        "type": _quantity_hex(row.tx_type),
        "logs": [_log_json(log) for log in logs],
        "logsBloom": _data_hex(row.logs_bloom),
    }


def _log_json(row: LogRow) -> dict[str, Any]:
    return {
        "address": _data_hex(row.address),
        "topics": [_data_hex(topic) for topic in row.topics],
        "data": _data_hex(row.data),
        "blockNumber": _quantity_hex(row.block_number),
        "blockHash": _data_hex(row.block_hash),
        "blockTimestamp": _quantity_hex(row.block_timestamp),
        "transactionHash": _data_hex(row.tx_hash),
        "transactionIndex": _quantity_hex(row.tx_index),
        "logIndex": _quantity_hex(row.log_index),
        "removed": False,
    }


def _lock_data_dir(data_dir: Path) -> int:
    """Take the data directory's single-writer lock, or refuse at once."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return lock_exclusively(
        data_dir / LOCK_FILE,
        f"the chain in {data_dir} is in use by another process (or another backend)",
    )
