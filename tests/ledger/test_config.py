"""LedgerConfig refuses what cannot work before anything is opened."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ledger import LedgerConfig


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"backend": "rpc"}, "rpc_url"),
        ({"backend": "ipc"}, "unknown ledger backend"),
        ({"backend": "embedded", "chain_id": 0}, "positive"),
    ],
    ids=["rpc-without-url", "unknown-backend", "zero-chain-id"],
)
def test_invalid_configs_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LedgerConfig(**{"data_dir": Path("d"), "chain_id": 1337, **fields})


def test_the_embedded_chain_lives_under_the_data_dir() -> None:
    config = LedgerConfig(backend="embedded", data_dir=Path("d"), chain_id=1337)
    assert config.chain_dir == Path("d") / "chain"
