"""ledger's errors. One root, :class:`LedgerError`; families carry their payload as attributes."""

from __future__ import annotations

from typing import Any


class LedgerError(Exception):
    """Root of every error the ledger package raises."""


class BackendUnavailable(LedgerError):
    """The chain backend cannot be reached or opened (node down, data dir locked or corrupt)."""


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


class TransactionFailed(LedgerError):
    """A transaction could not be sent or was not mined within the bound of retries."""


class DeploymentError(LedgerError):
    """Contracts are not deployed, or the manifest does not match the code on chain."""


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return repr(value)
