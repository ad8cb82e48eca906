"""ledger's errors. One root, :class:`LedgerError`; families carry their payload as attributes."""

from __future__ import annotations

from typing import Any


class LedgerError(Exception):
    """Root of every error the ledger package raises."""


class BackendUnavailable(LedgerError):
    """The chain backend cannot be reached or opened (node down, data dir locked or corrupt)."""


class ReadOnlyLedger(LedgerError):
    """A ledger opened read-only was asked to send a transaction."""


class BadResponse(LedgerError):
    """A backend answered with something that is not a well-formed JSON-RPC 2.0 response."""


class RPCError(LedgerError):
    """A JSON-RPC call returned an error object. ``rpc_response`` keeps the raw reply."""

    def __init__(
        self,
        code: int,
        message: str,
        data: Any = None,
        rpc_response: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"JSON-RPC error {code}: {message}")
        self.code = code
        self.message = message
        self.data = data
        self.rpc_response = rpc_response


class MethodUnavailable(RPCError):
    """The backend does not implement the JSON-RPC method (error code -32601)."""


class ContractRevert(LedgerError):
    """A call or transaction reverted. ``data`` is the raw revert data (may be empty)."""

    def __init__(self, data: bytes, message: str | None = None) -> None:
        super().__init__(message or f"execution reverted (data 0x{data.hex()})")
        self.data = data


class ContractCustomError(ContractRevert):
    """A revert with a Solidity custom error this package knows; ``name`` and ``args`` decoded."""

    def __init__(self, data: bytes, name: str, args: dict[str, Any]) -> None:
        shown = ", ".join(f"{key}={_show(value)}" for key, value in args.items())
        super().__init__(data, f"{name}({shown})")
        self.name = name
        self.args_by_name = args


class RevertWithReason(ContractRevert):
    """A revert with Solidity's ``Error(string)`` (a ``require`` message or ``revert("...")``)."""

    def __init__(self, data: bytes, reason: str) -> None:
        super().__init__(data, f"execution reverted: {reason}")
        self.reason = reason


class ContractPanic(ContractRevert):
    """A revert with Solidity's ``Panic(uint256)``: an assertion, overflow, bad index and so on."""

    def __init__(self, data: bytes, panic_code: int, meaning: str) -> None:
        super().__init__(data, f"panic 0x{panic_code:02x}: {meaning}")
        self.panic_code = panic_code
        self.meaning = meaning


class OutOfGas(ContractRevert):
    """A mined transaction ran out of gas: its gas limit ``gas_limit`` was below what it needed,
    in itself or in a call it made (whose failure the caller may have bubbled as an empty
    revert). ``gas_needed`` is an estimate on the state it ran on, when one was found."""

    def __init__(self, tx_hash: str, gas_limit: int, gas_needed: int | None = None) -> None:
        needed = "" if gas_needed is None else f"; it needed about {gas_needed}"
        super().__init__(b"", f"transaction {tx_hash} ran out of gas (limit {gas_limit}{needed})")
        self.tx_hash = tx_hash
        self.gas_limit = gas_limit
        self.gas_needed = gas_needed


class TransactionFailed(LedgerError):
    """A transaction could not be sent or was not mined within the bound of retries."""


class TransactionRejected(TransactionFailed):
    """The node refused the signed transaction, so it can never execute; ``rpc_error`` says why."""

    def __init__(self, tx_hash: str, rpc_error: RPCError) -> None:
        super().__init__(f"transaction {tx_hash} rejected by the node: {rpc_error.message}")
        self.tx_hash = tx_hash
        self.rpc_error = rpc_error


class ReceiptTimeout(TransactionFailed):
    """A sent transaction had no receipt within the wait. It is kept in the outbox, not lost."""

    def __init__(self, tx_hash: str, waited_s: float) -> None:
        super().__init__(
            f"transaction {tx_hash} not mined after {waited_s:.1f}s; "
            "it stays in the outbox and reconcile() will settle it"
        )
        self.tx_hash = tx_hash


class DeploymentError(LedgerError):
    """Contracts are not deployed, or the manifest does not match the code on chain."""


class ChainMismatch(DeploymentError):
    """The backend serves a different chain (chain id) than the one configured or recorded."""


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return repr(value)
