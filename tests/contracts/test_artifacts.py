"""The committed artifacts are exactly what the sources compile to, and load without a compiler."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_utils import abi_to_signature, function_signature_to_4byte_selector

from ledger.artifacts import (
    ARTIFACTS_DIR,
    CONTRACT_NAMES,
    ArtifactError,
    all_artifacts,
    error_abis,
    load_artifact,
)
from tests.contracts.chains import EmbeddedChain

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCES_DIR = REPO_ROOT / "contracts" / "src"
SOLCJS = REPO_ROOT / "node_modules" / ".bin" / "solcjs"
PUSH0, PUSH1, PUSH32 = 0x5F, 0x60, 0x7F


@pytest.mark.skipif(not SOLCJS.exists(), reason="solcjs is not installed (run `npm ci`)")
def test_rebuild_is_byte_identical_to_committed_artifacts(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "scripts" / "compile_contracts.py"),
            "--out",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    rebuilt = sorted(path.name for path in tmp_path.iterdir())
    assert rebuilt == sorted(path.name for path in ARTIFACTS_DIR.glob("*.json"))
    for name in rebuilt:
        assert (tmp_path / name).read_bytes() == (ARTIFACTS_DIR / name).read_bytes(), name


def test_artifact_directory_holds_exactly_the_contracts() -> None:
    assert sorted(path.stem for path in ARTIFACTS_DIR.glob("*.json")) == sorted(CONTRACT_NAMES)


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_artifact_records_the_sources_it_was_built_from(name: str) -> None:
    document = json.loads((ARTIFACTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert document["compiler"]["version"].startswith("0.8.28+")
    assert document["settings"]["evmVersion"] == "paris"
    assert f"src/{name}.sol" in document["sourceSha256"]
    for unit, digest in document["sourceSha256"].items():
        source = (REPO_ROOT / "contracts" / unit).read_bytes()
        assert hashlib.sha256(source).hexdigest() == digest, f"{unit} changed: rebuild artifacts"


def opcodes(code: bytes) -> Iterator[int]:
    """The opcodes of ``code`` in order, the data of each PUSH skipped."""
    position = 0
    while position < len(code):
        opcode = code[position]
        yield opcode
        position += 1 + (opcode - PUSH1 + 1 if PUSH1 <= opcode <= PUSH32 else 0)


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_code_has_no_push0_so_it_runs_on_paris_chains(name: str) -> None:
    """PUSH0 came with Shanghai, and a Clique chain (geth 1.13) stops at Paris: compiled for
    Paris, the same code runs there, on the embedded chain, on Anvil and on Besu QBFT."""
    artifact = load_artifact(name)
    # The runtime code ends with solc's CBOR metadata, whose length is in the last two bytes:
    # data, not code. The constructor is what comes before the runtime code in the creation code.
    metadata_length = 2 + int.from_bytes(artifact.deployed_bytecode[-2:], "big")
    runtime = artifact.deployed_bytecode[:-metadata_length]
    constructor = artifact.bytecode[: artifact.bytecode.index(artifact.deployed_bytecode)]
    for part in (runtime, constructor):
        assert PUSH0 not in set(opcodes(part))


def test_load_artifact() -> None:
    artifact = load_artifact("LicenceRegistry")
    assert artifact.name == "LicenceRegistry"
    assert artifact.compiler_version.startswith("0.8.28+")
    # The creation code carries the runtime code (immutables still zero) after the constructor.
    assert len(artifact.deployed_bytecode) > 1000
    assert artifact.deployed_bytecode in artifact.bytecode
    names = {entry.get("name") for entry in artifact.abi}
    assert {"anchorBatch", "statusOf", "BatchAnchored", "LicenceInvalidTransition"} <= names


def test_all_artifacts_in_deployment_order() -> None:
    assert list(all_artifacts()) == list(CONTRACT_NAMES)


def test_load_artifact_rejects_unknown_name() -> None:
    with pytest.raises(ArtifactError, match="Token"):
        load_artifact("Token")


def test_load_artifact_rejects_malformed_file(tmp_path: Path) -> None:
    (tmp_path / "Governance.json").write_text('{"contractName": "Governance"}', encoding="utf-8")
    with pytest.raises(ArtifactError, match="Governance"):
        load_artifact("Governance", tmp_path)
    with pytest.raises(ArtifactError, match="SealRegistry"):
        load_artifact("SealRegistry", tmp_path)  # missing


def test_error_abis_lists_every_error_once_with_distinct_selectors() -> None:
    errors = error_abis()
    names = [entry["name"] for entry in errors]
    assert len(names) == len(set(names))  # no error name is declared twice
    selectors = {function_signature_to_4byte_selector(abi_to_signature(e)) for e in errors}
    assert len(selectors) == len(errors)
    # An error raised through another contract is decodable from the combined list.
    assert {"DepartmentMissingRole", "SharingNotShareable"} <= set(names)


def test_deployed_code_is_the_artifact_runtime_code(tmp_path: Path) -> None:
    chain = EmbeddedChain(tmp_path)
    governance = chain.deploy(chain.new_account(), "Governance", [chain.new_account().address], 1)
    # Governance has no immutables, so its runtime code is byte-for-byte the artifact's.
    on_chain = bytes(chain.w3.eth.get_code(governance.address))
    assert on_chain == load_artifact("Governance").deployed_bytecode


def test_sources_use_custom_errors_and_never_tx_origin() -> None:
    for path in SOURCES_DIR.rglob("*.sol"):
        source = path.read_text(encoding="utf-8")
        assert "tx.origin" not in source, path.name
        assert not re.search(r"\brequire\s*\(", source), path.name
        assert source.startswith("// SPDX-License-Identifier: Apache-2.0\n"), path.name
