"""Compiled govledger contracts, read from the committed JSON artifacts.

The artifacts in ``contracts/artifacts/`` are built by ``scripts/compile_contracts.py`` and
committed, so nothing here needs a Solidity compiler. A test rebuilds them and compares bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.exceptions import LedgerError

ARTIFACTS_DIR = Path(__file__).resolve().parent.parent / "contracts" / "artifacts"

# Deployment order: each contract's constructor takes addresses of contracts before it.
CONTRACT_NAMES: tuple[str, ...] = (
    "Governance",
    "DepartmentRegistry",
    "LicenceRegistry",
    "SealRegistry",
    "DataSharing",
    "AuditAnchors",
)


class ArtifactError(LedgerError):
    """A contract name is not one of :data:`CONTRACT_NAMES`, or its artifact is missing or
    malformed."""


@dataclass(frozen=True)
class ContractArtifact:
    """What is needed to deploy and call one contract."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: bytes
    deployed_bytecode: bytes
    compiler_version: str


def load_artifact(name: str, artifacts_dir: Path = ARTIFACTS_DIR) -> ContractArtifact:
    """Read the artifact of contract ``name`` (one of :data:`CONTRACT_NAMES`)."""
    if name not in CONTRACT_NAMES:
        raise ArtifactError(f"{name!r} is not a govledger contract (known: {CONTRACT_NAMES})")
    path = artifacts_dir / f"{name}.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return ContractArtifact(
            name=document["contractName"],
            abi=document["abi"],
            bytecode=bytes.fromhex(document["bytecode"].removeprefix("0x")),
            deployed_bytecode=bytes.fromhex(document["deployedBytecode"].removeprefix("0x")),
            compiler_version=document["compiler"]["version"],
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ArtifactError(f"cannot read the artifact of {name} at {path}: {error}") from error


def all_artifacts(artifacts_dir: Path = ARTIFACTS_DIR) -> dict[str, ContractArtifact]:
    """Every contract's artifact, by name, in deployment order."""
    return {name: load_artifact(name, artifacts_dir) for name in CONTRACT_NAMES}


def error_abis(artifacts_dir: Path = ARTIFACTS_DIR) -> list[dict[str, Any]]:
    """The ABI entries of every custom error any contract can revert with, each once.

    A call into one contract can revert with another's error (a registry check bubbles up), so
    revert decoding should use this combined list rather than one contract's ABI.
    """
    unique: dict[str, dict[str, Any]] = {}
    for artifact in all_artifacts(artifacts_dir).values():
        for entry in artifact.abi:
            if entry["type"] == "error":
                # The same error inherited by several contracts has identical ABI entries.
                unique.setdefault(json.dumps(entry, sort_keys=True), entry)
    return sorted(unique.values(), key=lambda entry: str(entry["name"]))
