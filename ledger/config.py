"""How to reach the chain. The platform builds a :class:`LedgerConfig` from its own settings;
``ledger`` never reads the platform's settings itself."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

BackendKind = Literal["embedded", "rpc"]


@dataclass(frozen=True)
class LedgerConfig:
    """``embedded``: an in-process py-evm chain stored under ``data_dir / "chain"``.
    ``rpc``: any Ethereum JSON-RPC node at ``rpc_url`` (Anvil, Besu/QBFT).

    Either way the outbox lives in ``data_dir`` and the chain must report ``chain_id``.
    ``read_only``: a ledger that only reads, beside the process that writes (it takes neither
    the embedded chain's lock nor the outbox; see :class:`ledger.client.Ledger`).
    """

    backend: BackendKind
    data_dir: Path
    chain_id: int
    rpc_url: str | None = None
    rpc_timeout_s: float = 10.0
    receipt_timeout_s: float = 30.0
    read_only: bool = False

    def __post_init__(self) -> None:
        if self.backend not in ("embedded", "rpc"):
            raise ValueError(f"unknown ledger backend {self.backend!r} (embedded or rpc)")
        if self.chain_id < 1:
            raise ValueError(f"chain id must be positive, got {self.chain_id}")
        if self.backend == "rpc" and not self.rpc_url:
            raise ValueError("the rpc backend needs rpc_url")

    @property
    def chain_dir(self) -> Path:
        """Where the embedded backend keeps its chain."""
        return self.data_dir / "chain"
