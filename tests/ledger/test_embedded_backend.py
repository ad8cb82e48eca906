"""The embedded chain backend behaves like a node, keeps its chain on disk, and survives kill -9.

Everything runs on the real backend (py-evm over a SQLite file in a tmp dir), through
``make_request`` and through ``web3.Web3``. The test contract is assembled below from raw EVM
opcodes, so the tests need no compiler.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import rlp
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_checksum_address
from eth_utils.exceptions import ValidationError
from web3 import Web3

from ledger.backends.embedded import EmbeddedBackend
from ledger.backends.embedded_chain import EmbeddedChain
from ledger.backends.sqlite_db import SQLiteAtomicDB, open_sqlite
from ledger.devnode import ANVIL_DEV_KEY, AnvilNode
from ledger.exceptions import BackendUnavailable, ContractRevert
from ledger.provider import BackendProvider

CHAIN_ID = 4242
GWEI = 10**9
WRITER_SCRIPT = Path(__file__).with_name("embedded_writer.py")

# -- a tiny EVM assembler and the test contract ----------------------------------------------------

_OPCODES = {
    "STOP": 0x00, "SHL": 0x1B, "LT": 0x10, "ISZERO": 0x15, "CALLER": 0x33, "CALLDATALOAD": 0x35,
    "CALLDATASIZE": 0x36, "CODECOPY": 0x39, "MSTORE": 0x52, "SLOAD": 0x54, "SSTORE": 0x55,
    "JUMPI": 0x57, "JUMPDEST": 0x5B, "DUP1": 0x80, "LOG2": 0xA2, "RETURN": 0xF3, "REVERT": 0xFD,
}  # fmt: skip


def assemble(*items: str | int | bytes) -> bytes:
    """Opcode names; ``int``/``bytes`` are pushed (PUSH1..PUSH32 by size); ``"@x"`` pushes the
    offset of label ``x``; ``":x"`` places label ``x`` (a JUMPDEST). Code must be < 256 bytes."""

    def push(data: bytes) -> bytes:
        return bytes([0x5F + len(data)]) + data

    def encode(labels: dict[str, int]) -> bytes:
        code = b""
        for item in items:
            if isinstance(item, int):
                code += push(item.to_bytes(max(1, (item.bit_length() + 7) // 8), "big"))
            elif isinstance(item, bytes):
                code += push(item)
            elif item.startswith("@"):
                code += push(bytes([labels.get(item[1:], 0)]))
            elif item.startswith(":"):
                labels[item[1:]] = len(code)
                code += bytes([_OPCODES["JUMPDEST"]])
            else:
                code += bytes([_OPCODES[item]])
        return code

    labels: dict[str, int] = {}
    encode(labels)  # first pass finds the labels (each label push is one byte either way)
    return encode(labels)


STORED_EVENT = "Stored(address,uint256)"
ZERO_VALUE_ERROR = "ZeroValue()"
STORE_ABI: list[dict[str, Any]] = [
    {
        "type": "function",
        "name": "set",
        "stateMutability": "nonpayable",
        "inputs": [{"name": "value", "type": "uint256"}],
        "outputs": [],
    },
    {
        "type": "function",
        "name": "get",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [{"name": "", "type": "uint256"}],
    },
    {
        "type": "event",
        "name": "Stored",
        "anonymous": False,
        "inputs": [
            {"name": "by", "type": "address", "indexed": True},
            {"name": "value", "type": "uint256", "indexed": False},
        ],
    },
    {"type": "error", "name": "ZeroValue", "inputs": []},
]
# set(v): v == 0 reverts ZeroValue(); else stores v in slot 0 and emits Stored(msg.sender, v).
# Any call shorter than set's calldata is get(): returns slot 0.
STORE_RUNTIME = assemble(
    36, "CALLDATASIZE", "LT", "@get", "JUMPI",
    4, "CALLDATALOAD", "DUP1", "ISZERO", "@zero", "JUMPI",
    "DUP1", 0, "SSTORE", 0, "MSTORE",
    "CALLER", keccak(text=STORED_EVENT), 32, 0, "LOG2", "STOP",
    ":get", 0, "SLOAD", 0, "MSTORE", 32, 0, "RETURN",
    ":zero", keccak(text=ZERO_VALUE_ERROR)[:4], 0xE0, "SHL", 0, "MSTORE", 4, 0, "REVERT",
)  # fmt: skip
# Copy the runtime (which follows this 11-byte prefix) to memory and return it.
STORE_INITCODE = (
    assemble(len(STORE_RUNTIME), "DUP1", 11, 0, "CODECOPY", 0, "RETURN") + STORE_RUNTIME
)
STORED_TOPIC = "0x" + keccak(text=STORED_EVENT).hex()
ZERO_VALUE_SELECTOR = "0x" + keccak(text=ZERO_VALUE_ERROR)[:4].hex()


# -- helpers ------------------------------------------------------------------------------------


def result(backend: Any, method: str, *params: Any) -> Any:
    reply = backend.make_request(method, list(params))
    assert "error" not in reply, reply
    return reply["result"]


def error(backend: Any, method: str, *params: Any) -> dict[str, Any]:
    reply = backend.make_request(method, list(params))
    assert "result" not in reply, reply
    return dict(reply["error"])


def sign(account: LocalAccount, chain_id: int = CHAIN_ID, **fields: Any) -> str:
    transaction = {
        "chainId": chain_id,
        "value": 0,
        "gas": 100_000,
        "maxFeePerGas": 0,
        "maxPriorityFeePerGas": 0,
        **fields,
    }
    return "0x" + account.sign_transaction(transaction).raw_transaction.hex()


# Field order of a signed EIP-1559 transaction (after its 0x02 type byte).
_DYNAMIC_FEE_FIELDS = (
    "chain_id", "nonce", "max_priority_fee", "max_fee", "gas", "to", "value", "data",
    "access_list", "y_parity", "r", "s",
)  # fmt: skip
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def with_fields(raw: str, **changes: Callable[[int], int]) -> str:
    """A signed EIP-1559 transaction with integer fields changed, the signature left as it was."""
    fields = rlp.decode(bytes.fromhex(raw[4:]))
    for name, change in changes.items():
        index = _DYNAMIC_FEE_FIELDS.index(name)
        fields[index] = rlp.sedes.big_endian_int.serialize(
            change(rlp.sedes.big_endian_int.deserialize(fields[index]))
        )
    return "0x02" + rlp.encode(fields).hex()


def set_call(value: int) -> str:
    return "0x" + keccak(text="set(uint256)")[:4].hex() + value.to_bytes(32, "big").hex()


def deploy(backend: Any, account: LocalAccount, nonce: int = 0) -> str:
    tx_hash = result(
        backend, "eth_sendRawTransaction", sign(account, nonce=nonce, data=STORE_INITCODE)
    )
    receipt = result(backend, "eth_getTransactionReceipt", tx_hash)
    assert receipt["status"] == "0x1"
    return to_checksum_address(receipt["contractAddress"])  # node answers are lowercase


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[EmbeddedBackend]:
    with EmbeddedBackend(tmp_path / "chain", chain_id=CHAIN_ID) as opened:
        yield opened


@pytest.fixture
def account() -> LocalAccount:
    return Account.create()


# -- JSON-RPC behaviour --------------------------------------------------------------------------


def test_a_new_chain_starts_at_a_free_gas_genesis(backend: EmbeddedBackend) -> None:
    assert result(backend, "eth_chainId") == hex(CHAIN_ID)
    assert result(backend, "net_version") == str(CHAIN_ID)
    assert result(backend, "web3_clientVersion").startswith("govledger-embedded/")
    assert result(backend, "eth_blockNumber") == "0x0"
    assert result(backend, "eth_gasPrice") == "0x0"
    assert result(backend, "eth_maxPriorityFeePerGas") == "0x0"
    genesis = result(backend, "eth_getBlockByNumber", "earliest", False)
    assert genesis["number"] == "0x0"
    assert genesis["baseFeePerGas"] == "0x0"
    for tag in ("latest", "pending", "safe", "finalized", "0x0"):
        assert result(backend, "eth_getBlockByNumber", tag, False)["hash"] == genesis["hash"]
    assert result(backend, "eth_getBlockByHash", genesis["hash"], True) == genesis
    assert result(backend, "eth_getBlockByNumber", "0x1", False) is None
    assert result(backend, "eth_getBlockByHash", "0x" + "ab" * 32, False) is None
    assert result(backend, "eth_getTransactionReceipt", "0x" + "ab" * 32) is None
    assert result(backend, "eth_getTransactionByHash", "0x" + "ab" * 32) is None


def test_unknown_methods_and_bad_params_get_json_rpc_errors(backend: EmbeddedBackend) -> None:
    assert error(backend, "eth_mine")["code"] == -32601
    assert error(backend, "eth_getBalance")["code"] == -32602
    assert error(backend, "eth_getBalance", "0x1234", "latest")["code"] == -32602
    assert error(backend, "eth_getBalance", "0x" + "11" * 20, "yesterday")["code"] == -32602
    assert error(backend, "eth_getBlockByNumber", "latest")["code"] == -32602
    assert error(backend, "eth_sendRawTransaction", "not hex")["code"] == -32602
    assert error(backend, "eth_getBalance", "0x" + "11" * 20, "0x5")["message"] == (
        "header not found"
    )


def test_web3_deploys_calls_and_reads_events_with_zero_gas_price(
    backend: EmbeddedBackend, account: LocalAccount
) -> None:
    w3 = Web3(BackendProvider(backend), middleware=[])
    assert w3.eth.chain_id == CHAIN_ID
    deployment = {"from": account.address, "data": "0x" + STORE_INITCODE.hex()}
    gas = w3.eth.estimate_gas(deployment)  # type: ignore[arg-type]
    signed = account.sign_transaction(
        {**deployment, "nonce": 0, "gas": gas, "chainId": CHAIN_ID, "maxFeePerGas": 0,
         "maxPriorityFeePerGas": 0}
    )  # fmt: skip
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(signed.raw_transaction), poll_latency=0.01
    )
    assert receipt["status"] == 1
    assert receipt["gasUsed"] <= gas
    assert receipt["effectiveGasPrice"] == 0
    address = receipt["contractAddress"]
    assert w3.eth.get_code(address) == STORE_RUNTIME
    assert w3.eth.get_balance(account.address) == 0  # it never had any, and paid nothing

    store = w3.eth.contract(address=address, abi=STORE_ABI)
    call = store.functions.set(1234).build_transaction(
        {"from": account.address, "nonce": 1, "chainId": CHAIN_ID, "maxFeePerGas": 0,
         "maxPriorityFeePerGas": 0}
    )  # fmt: skip
    tx_hash = w3.eth.send_raw_transaction(account.sign_transaction(call).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, poll_latency=0.01)
    (event,) = store.events.Stored().process_receipt(receipt)
    assert event["args"] == {"by": account.address, "value": 1234}
    assert event["blockNumber"] == 2 == w3.eth.block_number
    assert store.functions.get().call() == 1234
    assert w3.eth.get_storage_at(address, 0) == (1234).to_bytes(32, "big")
    assert w3.eth.get_transaction_count(account.address) == 2
    transaction = w3.eth.get_transaction(tx_hash)
    assert transaction["from"] == account.address
    assert transaction["to"] == address
    assert transaction["nonce"] == 1
    (log,) = w3.eth.get_logs({"address": address, "topics": [STORED_TOPIC]})
    assert log["transactionHash"] == tx_hash

    with pytest.raises(ContractRevert) as raised:
        store.functions.set(0).call({"from": account.address})
    assert raised.value.data == bytes.fromhex(ZERO_VALUE_SELECTOR[2:])


def test_a_reverting_transaction_is_mined_with_status_0_and_calls_return_the_revert_data(
    backend: EmbeddedBackend, account: LocalAccount
) -> None:
    address = deploy(backend, account)
    call = {"from": account.address, "to": address, "data": set_call(0)}

    for method in ("eth_call", "eth_estimateGas"):
        refusal = error(backend, method, call, "latest")
        assert refusal == {"code": 3, "message": "execution reverted", "data": ZERO_VALUE_SELECTOR}

    tx_hash = result(
        backend, "eth_sendRawTransaction", sign(account, nonce=1, to=address, data=set_call(0))
    )
    receipt = result(backend, "eth_getTransactionReceipt", tx_hash)
    assert receipt["status"] == "0x0"
    assert receipt["logs"] == []
    assert result(backend, "eth_getTransactionCount", account.address, "latest") == "0x2"
    assert result(backend, "eth_getStorageAt", address, "0x0", "latest") == "0x" + "00" * 32


def test_calls_and_state_queries_can_name_an_older_block(
    backend: EmbeddedBackend, account: LocalAccount
) -> None:
    address = deploy(backend, account)
    for nonce, value in ((1, 7), (2, 8)):
        result(
            backend,
            "eth_sendRawTransaction",
            sign(account, nonce=nonce, to=address, data=set_call(value)),
        )
    get = {"to": address, "data": "0x6d4ce63c"}
    assert int(result(backend, "eth_call", get, "latest"), 16) == 8
    assert int(result(backend, "eth_call", get, "0x2"), 16) == 7
    block_2 = result(backend, "eth_getBlockByNumber", "0x2", False)
    assert int(result(backend, "eth_call", get, {"blockHash": block_2["hash"]}), 16) == 7
    assert result(backend, "eth_getCode", address, "0x0") == "0x"
    assert result(backend, "eth_getTransactionCount", account.address, "earliest") == "0x0"
    assert result(backend, "eth_getTransactionCount", account.address, "0x2") == "0x2"


def test_get_logs_filters_by_address_topics_and_blocks(backend: EmbeddedBackend) -> None:
    alice, bob = Account.create(), Account.create()
    first, second = deploy(backend, alice, 0), deploy(backend, bob, 0)  # blocks 1 and 2
    writes = [(alice, 1, first, 10), (bob, 1, first, 11), (bob, 2, second, 12)]  # blocks 3-5
    for sender, nonce, address, value in writes:
        result(
            backend,
            "eth_sendRawTransaction",
            sign(sender, nonce=nonce, to=address, data=set_call(value)),
        )

    def values(query: dict[str, Any]) -> list[int]:
        return [int(log["data"], 16) for log in result(backend, "eth_getLogs", query)]

    def topic(account: LocalAccount) -> str:
        return "0x" + "00" * 12 + account.address[2:].lower()

    assert values({"fromBlock": "earliest"}) == [10, 11, 12]
    assert values({}) == [12]  # both ends default to latest
    assert values({"fromBlock": "0x0", "address": first}) == [10, 11]
    assert values({"fromBlock": "0x0", "address": [], "topics": [[]]}) == [10, 11, 12]
    assert values({"fromBlock": "0x0", "address": [first, second]}) == [10, 11, 12]
    assert values({"fromBlock": "0x0", "topics": [STORED_TOPIC, topic(bob)]}) == [11, 12]
    assert values({"fromBlock": "0x0", "topics": [None, [topic(alice), topic(bob)]]}) == [
        10,
        11,
        12,
    ]
    assert values({"fromBlock": "0x0", "topics": [None, None, STORED_TOPIC]}) == []
    assert values({"fromBlock": "0x0", "topics": ["0x" + "00" * 32]}) == []
    assert values({"fromBlock": "0x4", "toBlock": "0x4"}) == [11]
    assert values({"fromBlock": "0x4", "toBlock": "0x99"}) == [11, 12]
    block_5 = result(backend, "eth_getBlockByNumber", "0x5", False)
    (log,) = result(backend, "eth_getLogs", {"blockHash": block_5["hash"]})
    assert log["blockHash"] == block_5["hash"]
    assert log["blockNumber"] == "0x5"
    assert log["logIndex"] == log["transactionIndex"] == "0x0"
    assert log["address"] == second.lower()
    assert log["topics"] == [STORED_TOPIC, topic(bob)]
    assert log["transactionHash"] == block_5["transactions"][0]

    both = {"blockHash": block_5["hash"], "fromBlock": "0x1"}
    assert error(backend, "eth_getLogs", both)["code"] == -32602
    assert error(backend, "eth_getLogs", {"fromBlock": "0x4", "toBlock": "0x3"})["code"] == -32602
    assert error(backend, "eth_getLogs", {"topics": [None] * 5})["code"] == -32602


def test_invalid_transactions_are_refused_and_change_nothing(
    backend: EmbeddedBackend, account: LocalAccount
) -> None:
    deploy(backend, account)  # nonce 0 used
    before = result(backend, "eth_getBlockByNumber", "latest", False)
    unprotected = account.sign_transaction(
        {"nonce": 1, "to": account.address, "value": 0, "gas": 21_000, "gasPrice": 0}
    )
    signed = sign(account, nonce=1, to=account.address)
    high_s = with_fields(signed, y_parity=lambda y: 1 - y, s=lambda s: SECP256K1_N - s)
    refusals = {
        "nonce too low": sign(account, nonce=0, to=account.address),
        "nonce too high": sign(account, nonce=5, to=account.address),
        "invalid chain id for signer": sign(account, chain_id=CHAIN_ID + 1, nonce=1),
        "only replay-protected (EIP-155) transactions allowed over RPC": (
            "0x" + unprotected.raw_transaction.hex()
        ),
        "invalid sender": high_s,
        "insufficient funds for gas * price + value": sign(
            account, nonce=1, maxFeePerGas=GWEI, maxPriorityFeePerGas=GWEI
        ),
        "exceeds block gas limit": sign(account, nonce=1, gas=30_000_001),
        "intrinsic gas too low": sign(account, nonce=1, gas=20_999, to=account.address),
        "max priority fee per gas higher than max fee per gas": sign(
            account, nonce=1, maxPriorityFeePerGas=1
        ),
        "transaction type not supported": "0x03" + signed[4:],
        "invalid transaction encoding": signed[:-10],
    }
    for expected, raw in refusals.items():
        refusal = error(backend, "eth_sendRawTransaction", raw)
        assert refusal["code"] == -32000, refusal
        assert refusal["message"].startswith(expected), refusal

    # Tampering with a signed transaction makes it someone else's: never the signer's.
    tampered = error(backend, "eth_sendRawTransaction", with_fields(signed, value=lambda _: 1))
    assert tampered["message"].startswith("nonce too high: address 0x")
    assert account.address.lower() not in tampered["message"]

    assert result(backend, "eth_getBlockByNumber", "latest", False) == before
    assert result(backend, "eth_getTransactionCount", account.address, "latest") == "0x1"
    tx_hash = result(backend, "eth_sendRawTransaction", signed)
    assert result(backend, "eth_getTransactionByHash", tx_hash)["from"] == account.address.lower()


def test_a_funded_account_pays_the_fee_it_offers(tmp_path: Path, account: LocalAccount) -> None:
    funds = 10**18
    with EmbeddedBackend(
        tmp_path, chain_id=CHAIN_ID, genesis_alloc={account.address: funds}
    ) as backend:
        raw = sign(
            account, nonce=0, to="0x" + "33" * 20, value=5, gas=21_000,
            maxFeePerGas=3 * GWEI, maxPriorityFeePerGas=GWEI,
        )  # fmt: skip
        receipt = result(
            backend,
            "eth_getTransactionReceipt",
            result(backend, "eth_sendRawTransaction", raw),
        )
        assert receipt["effectiveGasPrice"] == hex(GWEI)  # the tip; the base fee stays 0
        block = result(backend, "eth_getBlockByNumber", "latest", False)
        assert block["baseFeePerGas"] == "0x0"
        balance = int(result(backend, "eth_getBalance", account.address, "latest"), 16)
        assert balance == funds - 5 - 21_000 * GWEI
        assert result(backend, "eth_getBalance", "0x" + "33" * 20, "latest") == "0x5"


def test_a_full_block_does_not_raise_the_base_fee(
    backend: EmbeddedBackend, account: LocalAccount
) -> None:
    # PUSH4 0xffffffff MLOAD: the memory expansion costs more than any block, so the deployment
    # runs out of gas and uses all 20M, two thirds of the block; EIP-1559 would now charge 1 wei.
    burn_all_gas = sign(account, nonce=0, gas=20_000_000, data=bytes.fromhex("63ffffffff51"))
    receipt = result(
        backend,
        "eth_getTransactionReceipt",
        result(backend, "eth_sendRawTransaction", burn_all_gas),
    )
    assert (receipt["status"], receipt["gasUsed"]) == ("0x0", hex(20_000_000))
    result(backend, "eth_sendRawTransaction", sign(account, nonce=1, to=account.address))
    assert result(backend, "eth_getBlockByNumber", "latest", False)["baseFeePerGas"] == "0x0"


def test_a_batch_mines_consecutive_sends_into_one_block(
    backend: EmbeddedBackend, account: LocalAccount
) -> None:
    legacy = account.sign_transaction(
        {"chainId": CHAIN_ID, "nonce": 1, "to": account.address, "value": 0, "gas": 21_000,
         "gasPrice": 0}
    )  # fmt: skip
    replies = backend.make_batch_request(
        [
            ("eth_blockNumber", []),
            ("eth_sendRawTransaction", [sign(account, nonce=0, to=account.address)]),
            ("eth_sendRawTransaction", [sign(account, nonce=7, to=account.address)]),
            ("eth_sendRawTransaction", ["0x" + legacy.raw_transaction.hex()]),
            ("eth_blockNumber", []),
        ]
    )
    assert [reply.get("result") for reply in (replies[0], replies[4])] == ["0x0", "0x1"]
    assert replies[2]["error"]["message"].startswith("nonce too high")
    hashes = [replies[1]["result"], replies[3]["result"]]
    block = result(backend, "eth_getBlockByNumber", "0x1", True)
    assert [transaction["hash"] for transaction in block["transactions"]] == hashes
    assert [transaction["type"] for transaction in block["transactions"]] == ["0x2", "0x0"]
    assert block["transactions"][1]["v"] in (hex(CHAIN_ID * 2 + 35), hex(CHAIN_ID * 2 + 36))
    assert block["transactions"][1]["from"] == account.address.lower()
    receipts = [result(backend, "eth_getTransactionReceipt", tx_hash) for tx_hash in hashes]
    assert [receipt["transactionIndex"] for receipt in receipts] == ["0x0", "0x1"]
    assert [receipt["cumulativeGasUsed"] for receipt in receipts] == [hex(21_000), hex(42_000)]
    assert block["gasUsed"] == hex(42_000)


def test_block_timestamps_strictly_increase(
    backend: EmbeddedBackend, account: LocalAccount
) -> None:
    for nonce in range(3):
        result(backend, "eth_sendRawTransaction", sign(account, nonce=nonce, to=account.address))
    blocks = [result(backend, "eth_getBlockByNumber", hex(n), False) for n in range(4)]
    timestamps = [int(block["timestamp"], 16) for block in blocks]
    assert timestamps == sorted(set(timestamps))
    assert [block["parentHash"] for block in blocks[1:]] == [block["hash"] for block in blocks[:-1]]


# -- persistence and ownership of the data directory ------------------------------------------


def test_the_chain_survives_close_and_reopen(tmp_path: Path, account: LocalAccount) -> None:
    with EmbeddedBackend(tmp_path, chain_id=CHAIN_ID) as backend:
        address = deploy(backend, account)
        tx_hash = result(
            backend, "eth_sendRawTransaction", sign(account, nonce=1, to=address, data=set_call(5))
        )
        receipt = result(backend, "eth_getTransactionReceipt", tx_hash)
        head = result(backend, "eth_getBlockByNumber", "latest", True)
        logs = result(backend, "eth_getLogs", {"fromBlock": "earliest", "address": address})

    with EmbeddedBackend(tmp_path, chain_id=CHAIN_ID) as backend:
        assert result(backend, "eth_getBlockByNumber", "latest", True) == head
        assert result(backend, "eth_getTransactionReceipt", tx_hash) == receipt
        assert result(backend, "eth_getLogs", {"fromBlock": "earliest", "address": address}) == logs
        assert result(backend, "eth_getStorageAt", address, "0x0", "latest") == "0x" + f"{5:064x}"
        assert result(backend, "eth_getCode", address, "latest") == "0x" + STORE_RUNTIME.hex()
        result(
            backend, "eth_sendRawTransaction", sign(account, nonce=2, to=address, data=set_call(6))
        )
        assert result(backend, "eth_blockNumber") == "0x3"


def test_only_one_backend_at_a_time_owns_the_data_dir(tmp_path: Path) -> None:
    first = EmbeddedBackend(tmp_path, chain_id=CHAIN_ID)
    with pytest.raises(BackendUnavailable, match="in use by another process"):
        EmbeddedBackend(tmp_path, chain_id=CHAIN_ID)
    assert result(first, "eth_blockNumber") == "0x0"  # the refused opener disturbed nothing
    first.close()
    first.close()
    with pytest.raises(BackendUnavailable, match="closed"):
        first.make_request("eth_blockNumber", [])
    with EmbeddedBackend(tmp_path, chain_id=CHAIN_ID) as second:
        assert result(second, "eth_blockNumber") == "0x0"


def test_a_reader_opens_the_chain_beside_its_writer_and_follows_it(
    tmp_path: Path, account: LocalAccount
) -> None:
    with pytest.raises(BackendUnavailable, match="cannot open the chain"):
        EmbeddedBackend(tmp_path, chain_id=CHAIN_ID, read_only=True)  # nothing to read yet
    with EmbeddedBackend(tmp_path, chain_id=CHAIN_ID) as writer:
        address = deploy(writer, account)
        with EmbeddedBackend(tmp_path, chain_id=CHAIN_ID, read_only=True) as reader:
            get = {"to": address, "data": "0x6d4ce63c"}
            assert result(reader, "eth_blockNumber") == "0x1"
            assert int(result(reader, "eth_call", get, "latest"), 16) == 0
            result(
                writer,
                "eth_sendRawTransaction",
                sign(account, nonce=1, to=address, data=set_call(9)),
            )
            assert result(reader, "eth_blockNumber") == "0x2"  # sees what the writer commits
            assert int(result(reader, "eth_call", get, "latest"), 16) == 9
            block = result(writer, "eth_getBlockByNumber", "latest", False)
            assert result(reader, "eth_getBlockByNumber", "latest", False) == block
            refused = error(
                reader,
                "eth_sendRawTransaction",
                sign(account, nonce=2, to=address, data=set_call(1)),
            )
            assert "read-only" in refused["message"]
        assert result(writer, "eth_blockNumber") == "0x2"  # the reader changed nothing


def test_a_chain_is_refused_under_another_chain_id(tmp_path: Path, account: LocalAccount) -> None:
    with EmbeddedBackend(tmp_path, chain_id=CHAIN_ID) as backend:
        result(backend, "eth_sendRawTransaction", sign(account, nonce=0, to=account.address))
    with pytest.raises(BackendUnavailable, match=f"chain id {CHAIN_ID}, not the requested 1"):
        EmbeddedBackend(tmp_path, chain_id=1)
    with EmbeddedBackend(tmp_path, chain_id=CHAIN_ID) as backend:  # refusal released the lock
        assert result(backend, "eth_blockNumber") == "0x1"


def test_a_file_that_is_not_a_chain_database_is_refused(tmp_path: Path) -> None:
    (tmp_path / "chain.sqlite").write_bytes(b"not a database, just some bytes" * 100)
    with pytest.raises(BackendUnavailable, match="corrupt or unreadable"):
        EmbeddedBackend(tmp_path, chain_id=CHAIN_ID)
    assert (tmp_path / "chain.sqlite").read_bytes() == b"not a database, just some bytes" * 100


@pytest.mark.slow
def test_every_acknowledged_transaction_survives_kill_9(tmp_path: Path) -> None:
    sender = Account.create()
    writer = subprocess.Popen(
        [sys.executable, str(WRITER_SCRIPT), str(tmp_path), str(CHAIN_ID), sender.key.hex(), "500"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    acknowledged = [writer.stdout.readline().strip() for _ in range(40)]
    writer.send_signal(signal.SIGKILL)
    acknowledged += [line.strip() for line in writer.stdout]  # whatever was printed before death
    writer.wait()
    assert writer.returncode == -signal.SIGKILL
    acknowledged = [tx_hash for tx_hash in acknowledged if tx_hash]

    with EmbeddedBackend(tmp_path, chain_id=CHAIN_ID) as backend:
        head = int(result(backend, "eth_blockNumber"), 16)
        assert head >= len(acknowledged) >= 40
        mined: list[str] = []
        parent = result(backend, "eth_getBlockByNumber", "0x0", False)
        for number in range(1, head + 1):
            block = result(backend, "eth_getBlockByNumber", hex(number), True)
            assert block["parentHash"] == parent["hash"]
            assert [tx["nonce"] for tx in block["transactions"]] == [hex(len(mined))]
            mined += [tx["hash"] for tx in block["transactions"]]
            parent = block
        assert mined[: len(acknowledged)] == acknowledged
        for tx_hash in acknowledged:
            assert result(backend, "eth_getTransactionReceipt", tx_hash)["status"] == "0x1"
        assert result(backend, "eth_getTransactionCount", sender.address, "latest") == hex(head)
        result(backend, "eth_sendRawTransaction", sign(sender, nonce=head, to=sender.address))
        assert result(backend, "eth_blockNumber") == hex(head + 1)


# -- the same answers as a real node ---------------------------------------------------------------


class AnvilCaller:
    """Plain JSON-RPC over HTTP to Anvil, shaped like a backend's ``make_request``."""

    def __init__(self, url: str) -> None:
        self.url = url

    def make_request(self, method: str, params: list[Any]) -> dict[str, Any]:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        request = urllib.request.Request(
            self.url, data=body.encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            answer: dict[str, Any] = json.load(reply)
            return answer


def mined_receipt(caller: Any, tx_hash: str) -> dict[str, Any]:
    """The receipt, once mined: Anvil mines just after answering, the embedded chain before."""
    for _ in range(500):
        receipt = result(caller, "eth_getTransactionReceipt", tx_hash)
        if receipt is not None:
            return dict(receipt)
        time.sleep(0.01)
    raise AssertionError(f"{tx_hash} was not mined")


def node_answers(caller: Any, account: LocalAccount, chain_id: int) -> dict[str, Any]:
    """Deploy the test contract, call it, and collect the answers to compare between nodes."""
    nonce = int(result(caller, "eth_getTransactionCount", account.address, "latest"), 16)
    deployment = sign(account, chain_id, nonce=nonce, data=STORE_INITCODE)
    deployed = result(caller, "eth_sendRawTransaction", deployment)
    address = to_checksum_address(mined_receipt(caller, deployed)["contractAddress"])
    write = sign(account, chain_id, nonce=nonce + 1, to=address, data=set_call(9))
    tx_hash = result(caller, "eth_sendRawTransaction", write)
    reverting_call = {"from": account.address, "to": address, "data": set_call(0)}
    return {
        "receipt": mined_receipt(caller, tx_hash),
        "transaction": result(caller, "eth_getTransactionByHash", tx_hash),
        "block": result(caller, "eth_getBlockByNumber", "latest", False),
        "revert": error(caller, "eth_call", reverting_call, "latest"),
        "replay": error(caller, "eth_sendRawTransaction", write),
    }


@pytest.mark.anvil
def test_answers_have_the_shape_anvil_gives(tmp_path: Path, anvil: AnvilNode) -> None:
    """The same transactions on both: every field Anvil returns is there, and errors match."""
    account = Account.from_key(ANVIL_DEV_KEY)
    node = AnvilCaller(anvil.url)
    chain_id = int(result(node, "eth_chainId"), 16)
    expected = node_answers(node, account, chain_id)
    with EmbeddedBackend(tmp_path, chain_id=chain_id) as embedded:
        answers = node_answers(embedded, account, chain_id)

    # Anvil reports a blob gas price on every receipt; geth only on blob transactions, which
    # this chain does not take.
    anvil_only = {"blobGasPrice"}
    for kind in ("receipt", "transaction", "block"):
        missing = set(expected[kind]) - set(answers[kind]) - anvil_only
        assert not missing, f"the {kind} lacks {missing}"
    (expected_log,) = expected["receipt"]["logs"]
    (log,) = answers["receipt"]["logs"]
    assert set(expected_log) <= set(log)
    assert (log["topics"], log["data"]) == (expected_log["topics"], expected_log["data"])
    # Same code and data; the message is geth's ("execution reverted"), Anvil appends the selector.
    assert answers["revert"] == {**expected["revert"], "message": "execution reverted"}
    assert expected["replay"]["message"].startswith("nonce too low")
    assert answers["replay"]["message"].startswith("nonce too low")


# -- the SQLite key-value store under py-evm ------------------------------------------------------


def test_the_block_number_is_answered_while_a_block_is_being_mined(
    backend: EmbeddedBackend, account: LocalAccount
) -> None:
    mining, release = threading.Event(), threading.Event()

    def hold_the_chain() -> None:
        with backend._lock:  # what a send holds while it mines
            mining.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_chain)
    holder.start()
    try:
        assert mining.wait(10)
        answers: list[Any] = []
        reader = threading.Thread(target=lambda: answers.append(result(backend, "eth_blockNumber")))
        reader.start()
        reader.join(5)
        assert answers == ["0x0"]
    finally:
        release.set()
        holder.join()
    deploy(backend, account)
    assert result(backend, "eth_blockNumber") == "0x1"


def test_a_send_that_fails_to_commit_leaves_the_head_where_it_was(
    backend: EmbeddedBackend, account: LocalAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy(backend, account)
    genesis_next = result(backend, "eth_getBlockByNumber", "latest", False)

    def fail(*_: Any) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(EmbeddedChain, "_index", fail)
    refusal = error(backend, "eth_sendRawTransaction", sign(account, nonce=1, to=account.address))
    assert refusal["code"] == -32603
    assert result(backend, "eth_blockNumber") == "0x1"
    monkeypatch.undo()
    assert result(backend, "eth_getBlockByNumber", "latest", False) == genesis_next
    result(backend, "eth_sendRawTransaction", sign(account, nonce=1, to=account.address))
    assert result(backend, "eth_blockNumber") == "0x2"


def test_the_key_value_store_commits_batches_whole_or_not_at_all(tmp_path: Path) -> None:
    connection = open_sqlite(tmp_path / "kv.sqlite")
    db = SQLiteAtomicDB(connection)
    db[b"a"] = b"1"
    with db.atomic_batch() as batch:
        batch[b"b"] = b"2"
        del batch[b"a"]
        assert batch[b"b"] == b"2"
        assert b"a" not in batch
    assert (b"a" in db, db[b"b"]) == (False, b"2")

    def write_then_fail() -> None:
        with db.transaction():
            db[b"c"] = b"3"
            with db.atomic_batch() as inner:
                inner[b"d"] = b"4"
            raise RuntimeError("abandon the block")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert b"c" not in db
    assert b"d" not in db
    with pytest.raises(KeyError):
        del db[b"missing"]
    with pytest.raises(KeyError):
        db[b"missing"]
    with pytest.raises(ValidationError, match="outside its atomic_batch"):
        batch[b"e"] = b"5"
    connection.close()

    reopened = SQLiteAtomicDB(open_sqlite(tmp_path / "kv.sqlite"))
    assert reopened[b"b"] == b"2"
    assert reopened.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert reopened.connection.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    reopened.connection.close()
