"""govledger's chain layer: backends, the web3 provider, the client with its outbox, contracts.

Start with :func:`open_ledger`; everything a caller needs is importable from here.
"""

from __future__ import annotations

from ledger.backends.base import Backend
from ledger.backends.rpc import JSONRPCBackend
from ledger.client import (
    Call,
    DeployableArtifact,
    DeployedContract,
    Ledger,
    Receipt,
    ReconcileReport,
)
from ledger.config import LedgerConfig
from ledger.events import DecodedEvent, Log
from ledger.exceptions import (
    BackendUnavailable,
    BadResponse,
    ChainMismatch,
    ContractCustomError,
    ContractPanic,
    ContractRevert,
    DeploymentError,
    LedgerError,
    MethodUnavailable,
    OutOfGas,
    ReadOnlyLedger,
    ReceiptTimeout,
    RevertWithReason,
    RPCError,
    TransactionFailed,
    TransactionRejected,
)
from ledger.recursion import cap_recursion_limit
from ledger.revert import decode_revert, register_abi, revert_error_class

# eth_account, imported above, brings py_ecc, which raises the limit (see ledger.recursion).
cap_recursion_limit()

__all__ = [
    "Backend",
    "BackendUnavailable",
    "BadResponse",
    "Call",
    "ChainMismatch",
    "ContractCustomError",
    "ContractPanic",
    "ContractRevert",
    "DecodedEvent",
    "DeployableArtifact",
    "DeployedContract",
    "DeploymentError",
    "JSONRPCBackend",
    "Ledger",
    "LedgerConfig",
    "LedgerError",
    "Log",
    "MethodUnavailable",
    "OutOfGas",
    "RPCError",
    "ReadOnlyLedger",
    "Receipt",
    "ReceiptTimeout",
    "ReconcileReport",
    "RevertWithReason",
    "TransactionFailed",
    "TransactionRejected",
    "decode_revert",
    "open_backend",
    "open_ledger",
    "register_abi",
    "revert_error_class",
]


def open_backend(config: LedgerConfig) -> Backend:
    """The backend ``config`` names, opened."""
    if config.backend == "rpc":
        assert config.rpc_url is not None  # checked by LedgerConfig
        return JSONRPCBackend(config.rpc_url, timeout_s=config.rpc_timeout_s)
    # Imported here: py-evm is heavy, and a deployment on a node never needs it.
    from ledger.backends.embedded import EmbeddedBackend  # noqa: PLC0415

    return EmbeddedBackend(config.chain_dir, chain_id=config.chain_id, read_only=config.read_only)


def open_ledger(config: LedgerConfig) -> Ledger:
    """Open the chain ``config`` names, check its chain id, and settle the outbox (unless
    read-only)."""
    return Ledger(
        open_backend(config),
        data_dir=config.data_dir,
        chain_id=config.chain_id,
        receipt_timeout_s=config.receipt_timeout_s,
        read_only=config.read_only,
    )
