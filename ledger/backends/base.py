"""The one interface every chain backend implements.

A backend answers Ethereum JSON-RPC requests. The in-process embedded chain and a real node
(Anvil in tests, Besu/QBFT in production) both return JSON-RPC-shaped replies, so everything above
them goes through the same validation and decoding code. A backend never raises for an RPC-level
error: it returns ``{"error": {"code": ..., "message": ..., "data": ...}}`` like a node would. It
raises :class:`ledger.exceptions.BackendUnavailable` only when it cannot answer at all.
"""

from __future__ import annotations

from typing import Any, Protocol


class RPC:
    """Endpoint names, in one place."""

    web3_client_version = "web3_clientVersion"
    net_version = "net_version"
    eth_chain_id = "eth_chainId"
    eth_block_number = "eth_blockNumber"
    eth_get_balance = "eth_getBalance"
    eth_get_transaction_count = "eth_getTransactionCount"
    eth_get_code = "eth_getCode"
    eth_get_storage_at = "eth_getStorageAt"
    eth_call = "eth_call"
    eth_estimate_gas = "eth_estimateGas"
    eth_gas_price = "eth_gasPrice"
    eth_max_priority_fee_per_gas = "eth_maxPriorityFeePerGas"
    eth_send_raw_transaction = "eth_sendRawTransaction"
    eth_get_transaction_by_hash = "eth_getTransactionByHash"
    eth_get_transaction_receipt = "eth_getTransactionReceipt"
    eth_get_block_by_number = "eth_getBlockByNumber"
    eth_get_block_by_hash = "eth_getBlockByHash"
    eth_get_logs = "eth_getLogs"


# JSON-RPC error codes shared by every backend.
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
# Geth, Besu and Anvil all answer a reverted eth_call / eth_estimateGas with code 3 and the revert
# data in "data"; the embedded backend does the same.
EXECUTION_REVERTED = 3


class Backend(Protocol):
    """A source of JSON-RPC answers for one chain."""

    def make_request(self, method: str, params: list[Any]) -> dict[str, Any]:
        """Answer one request with a JSON-RPC 2.0 response object (``result`` or ``error``)."""
        ...

    def close(self) -> None:
        """Release files, sockets and locks. Safe to call twice."""
        ...
