"""The chains the contract behaviour suite runs on, behind one small interface.

Each chain gives a ``Web3``, fresh funded accounts, and helpers that sign transactions locally
(as the services do), send them, and turn reverts into :class:`Reverted` with the custom error
decoded from the committed ABIs. To run the suite on another chain, subclass :class:`Chain`
(override ``_fund``, ``travel_to`` and, if the node reports reverts differently,
``_revert_data``) and add a factory to ``CHAIN_FACTORIES`` in ``conftest.py``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import decode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.abi import abi_to_signature, function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError
from web3.types import TxReceipt

from ledger.artifacts import error_abis, load_artifact
from ledger.backends.embedded import EmbeddedBackend
from ledger.exceptions import ContractRevert
from ledger.provider import BackendProvider

# Fixed gas limits, so that no transaction pays for an estimate round trip.
CALL_GAS = 3_000_000
DEPLOY_GAS = 8_000_000
RECEIPT_POLL_S = 0.005
EMBEDDED_CHAIN_ID = 1337


def _error_table() -> dict[bytes, tuple[str, list[str]]]:
    table = {}
    for entry in error_abis():
        signature = abi_to_signature(entry)  # type: ignore[arg-type]
        types = [parameter["type"] for parameter in entry["inputs"]]
        table[function_signature_to_4byte_selector(signature)] = (entry["name"], types)
    return table


_ERRORS = _error_table()


class Reverted(Exception):
    """A call or transaction reverted. ``name``/``args`` decode a govledger custom error;
    ``name`` is None for any other revert data (empty, a panic, an unknown selector)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        known = _ERRORS.get(data[:4])
        self.name: str | None = known[0] if known else None
        self.args_: tuple[Any, ...] = (
            tuple(
                _checksummed(kind, value)
                for kind, value in zip(known[1], decode(known[1], data[4:]), strict=True)
            )
            if known
            else ()
        )
        super().__init__(f"{self.name or 'revert'}{self.args_} (data 0x{data.hex()})")


def calldata(function: Any) -> bytes:
    """The calldata of a bound contract function."""
    return bytes.fromhex(function._encode_transaction_data().removeprefix("0x"))


def _checksummed(kind: str, value: Any) -> Any:
    return to_checksum_address(value) if kind == "address" else value


@contextmanager
def reverts(name: str, *args: Any) -> Iterator[None]:
    """Expect the block to revert with custom error ``name`` and exactly these arguments."""
    with pytest.raises(Reverted) as caught:
        yield
    got = (caught.value.name, caught.value.args_)
    assert got == (name, args), f"expected {name}{args}, got {caught.value}"


class Chain:
    """One chain under test. Subclasses say how accounts get funds and how time moves."""

    name = "abstract"
    # What transactions offer per gas: 0 on a free-gas chain.
    max_fee_per_gas = 0

    def __init__(self, w3: Web3) -> None:
        self.w3 = w3
        self.chain_id = w3.eth.chain_id

    def new_account(self) -> LocalAccount:
        """A fresh account that can send transactions."""
        account: LocalAccount = Account.create()
        self._fund(account.address)
        return account

    def deploy(self, account: LocalAccount, contract_name: str, *args: Any) -> Contract:
        """Deploy govledger contract ``contract_name`` from its committed artifact."""
        return self.deploy_with_receipt(account, contract_name, *args)[0]

    def deploy_with_receipt(
        self, account: LocalAccount, contract_name: str, *args: Any
    ) -> tuple[Contract, TxReceipt]:
        artifact = load_artifact(contract_name)
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        receipt = self._transact(account, factory.constructor(*args), DEPLOY_GAS)
        address = receipt["contractAddress"]
        assert address is not None
        return self.w3.eth.contract(address=address, abi=artifact.abi), receipt

    def send(self, account: LocalAccount, function: Any) -> TxReceipt:
        """Sign and send ``function`` (a bound contract function) from ``account``.

        If the transaction reverts, :class:`Reverted` is raised with the revert data: the data
        comes from running it as a call first, and the transaction is then mined anyway, so a
        test sees that the refused transaction really failed on chain and changed nothing.
        """
        return self._transact(account, function, CALL_GAS)

    def call(self, account: LocalAccount, function: Any) -> Any:
        """Run ``function`` as a view call from ``account``; :class:`Reverted` if it reverts."""
        with self._reverts_raised_as_reverted():
            return function.call({"from": account.address})

    def latest_timestamp(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def block_time(self, receipt: TxReceipt) -> int:
        """The timestamp of the block ``receipt``'s transaction was mined in."""
        return int(self.w3.eth.get_block(receipt["blockNumber"])["timestamp"])

    def travel_to(self, timestamp: int) -> None:
        """Mine a block at ``timestamp``, so calls and later blocks see at least that time."""
        raise NotImplementedError

    def events(
        self, receipt: TxReceipt, contract: Contract, event_name: str
    ) -> list[dict[str, Any]]:
        """The arguments of every ``event_name`` that ``contract`` emitted in ``receipt``."""
        event = contract.events[event_name]()
        topic = bytes.fromhex(event.topic.removeprefix("0x"))
        return [
            dict(event.process_log(log)["args"])
            for log in receipt["logs"]
            if log["address"] == contract.address and bytes(log["topics"][0]) == topic
        ]

    def _transact(self, account: LocalAccount, function: Any, gas: int) -> TxReceipt:
        transaction = function.build_transaction(
            {
                "from": account.address,
                "nonce": self.w3.eth.get_transaction_count(account.address, "pending"),
                "gas": gas,
                "maxFeePerGas": self.max_fee_per_gas,
                "maxPriorityFeePerGas": 0,
                "chainId": self.chain_id,
            }
        )
        call = {"from": transaction["from"], "data": transaction["data"]}
        if "to" in transaction:
            call["to"] = transaction["to"]
        refusal: Reverted | None = None
        try:
            with self._reverts_raised_as_reverted():
                self.w3.eth.call(call)  # type: ignore[arg-type]
        except Reverted as reverted:
            refusal = reverted
        signed = account.sign_transaction(transaction)
        tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, poll_latency=RECEIPT_POLL_S)
        if refusal is not None:
            assert receipt["status"] == 0, (
                f"the call reverted but the transaction did not: {refusal}"
            )
            raise refusal
        assert receipt["status"] == 1, "the transaction reverted but the same call did not"
        return receipt

    @contextmanager
    def _reverts_raised_as_reverted(self) -> Iterator[None]:
        try:
            yield
        except Exception as error:  # each node reports a revert its own way
            data = self._revert_data(error)
            if data is None:
                raise
            raise Reverted(data) from error

    def _revert_data(self, error: Exception) -> bytes | None:
        """The revert data carried by ``error``, or None if it is not a revert."""
        if isinstance(error, ContractLogicError) and isinstance(error.data, str):
            return bytes.fromhex(error.data.removeprefix("0x"))
        return None

    def _fund(self, address: str) -> None:
        """Give ``address`` what it needs to pay for gas (nothing on a free-gas chain)."""


class EmbeddedChain(Chain):
    """govledger's own embedded chain (py-evm on SQLite, free gas), through its web3 provider.

    Time moves by a clock offset handed to the backend: ``travel_to`` shifts it and mines an
    empty-handed transaction so that a block carries the new time.
    """

    name = "embedded"

    def __init__(self, data_dir: Path) -> None:
        self._clock_offset = 0.0
        self.backend = EmbeddedBackend(data_dir, chain_id=EMBEDDED_CHAIN_ID, clock=self._now)
        super().__init__(Web3(BackendProvider(self.backend)))

    def _now(self) -> float:
        return time.time() + self._clock_offset

    def travel_to(self, timestamp: int) -> None:
        self._clock_offset = max(self._clock_offset, timestamp - time.time())
        ticker: LocalAccount = Account.create()
        self.w3.eth.wait_for_transaction_receipt(
            self.w3.eth.send_raw_transaction(
                ticker.sign_transaction(
                    {
                        "to": ticker.address,
                        "value": 0,
                        "gas": 21_000,
                        "maxFeePerGas": 0,
                        "maxPriorityFeePerGas": 0,
                        "nonce": 0,
                        "chainId": self.chain_id,
                    }
                ).raw_transaction
            ),
            poll_latency=RECEIPT_POLL_S,
        )

    def _revert_data(self, error: Exception) -> bytes | None:
        # The project's provider raises its own typed reverts, which carry the raw data.
        if isinstance(error, ContractRevert):
            return error.data
        return super()._revert_data(error)


class AnvilChain(Chain):
    """A real Anvil node (free gas: base fee and gas price 0), through JSON-RPC."""

    name = "anvil"

    def __init__(self, url: str) -> None:
        super().__init__(Web3(Web3.HTTPProvider(url)))

    def travel_to(self, timestamp: int) -> None:
        self.w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])  # type: ignore[arg-type]
        self.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
