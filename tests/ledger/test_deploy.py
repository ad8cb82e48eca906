"""deploy_all and the deployment manifest, on the embedded chain.

A manifest is trusted only after it is checked against the chain: each refusal below is the bad
input itself (another chain, a swapped address, a forged code hash, code built from other
sources), and each leaves the manifest file as it was.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from ledger import ChainMismatch, DeploymentError, Ledger, LedgerConfig, open_ledger
from ledger.artifacts import CONTRACT_NAMES, all_artifacts
from ledger.deploy import MANIFEST_FILE, DeploymentManifest, deploy_all, load_manifest
from tests.ledger.suite import chain_nonce

CHAIN_ID = 1337


def _open(data_dir: Path, chain_id: int = CHAIN_ID) -> Ledger:
    return open_ledger(LedgerConfig(backend="embedded", data_dir=data_dir, chain_id=chain_id))


@pytest.fixture(scope="module")
def deployment(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Ledger, LocalAccount, list[str], DeploymentManifest]]:
    """One deployment for the module: deploying six contracts is the slow part."""
    ledger = _open(tmp_path_factory.mktemp("deployed"))
    deployer = Account.create()
    committee = [deployer.address, Account.create().address, Account.create().address]
    manifest = deploy_all(ledger, deployer, committee, 2)
    yield ledger, deployer, committee, manifest
    ledger.close()


def _rewrite(path: Path, change: dict[str, object]) -> Path:
    document = json.loads(path.read_text())
    for dotted, value in change.items():
        target = document
        *parents, last = dotted.split(".")
        for key in parents:
            target = target[key]
        target[last] = value
    copy = path.with_name("tampered.json")
    copy.write_text(json.dumps(document))
    return copy


def test_fresh_init_writes_a_manifest_that_matches_the_chain(
    deployment: tuple[Ledger, LocalAccount, list[str], DeploymentManifest],
) -> None:
    ledger, deployer, committee, manifest = deployment
    path = ledger.data_dir / MANIFEST_FILE
    assert DeploymentManifest.from_json(path.read_text()) == manifest
    assert (manifest.chain_id, manifest.threshold) == (CHAIN_ID, 2)
    assert list(manifest.committee) == committee
    assert manifest.deployer == deployer.address
    assert list(manifest.contracts) == list(CONTRACT_NAMES)
    for entry in manifest.contracts.values():
        code = ledger.provider.request("eth_getCode", [entry.address, "latest"])
        assert entry.code_hash == "0x" + keccak(bytes.fromhex(code[2:])).hex()
        assert entry.deploy_block >= 1
    governance = ledger.contract(all_artifacts()["Governance"], manifest.address("Governance"))
    assert governance.functions.members().call() == committee
    registry = ledger.contract(
        all_artifacts()["DepartmentRegistry"], manifest.address("DepartmentRegistry")
    )
    assert registry.address != governance.address
    assert [
        p.name for p in ledger.data_dir.iterdir() if p.name.startswith(MANIFEST_FILE + ".")
    ] == []


def test_running_init_again_reuses_the_manifest(
    deployment: tuple[Ledger, LocalAccount, list[str], DeploymentManifest],
) -> None:
    ledger, deployer, committee, manifest = deployment
    nonce = chain_nonce(ledger, deployer.address)
    assert deploy_all(ledger, deployer, committee, 2) == manifest
    assert load_manifest(ledger, ledger.data_dir / MANIFEST_FILE) == manifest
    assert chain_nonce(ledger, deployer.address) == nonce, "nothing deployed again"


def test_init_with_another_committee_is_refused(
    deployment: tuple[Ledger, LocalAccount, list[str], DeploymentManifest],
) -> None:
    ledger, deployer, committee, _ = deployment
    path = ledger.data_dir / MANIFEST_FILE
    before = path.read_bytes()
    with pytest.raises(DeploymentError, match="committee"):
        deploy_all(ledger, deployer, committee[:2], 2)
    with pytest.raises(DeploymentError, match="threshold"):
        deploy_all(ledger, deployer, committee, 3)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"contracts.Governance.code_hash": "0x" + "00" * 32}, "does not match"),
        ({"chain_id": CHAIN_ID + 1}, "chain id"),
        ({"genesis_hash": "0x" + "ab" * 32}, "genesis"),
        ({"contracts.LicenceRegistry.address": "0x" + "42" * 20}, "no contract"),
    ],
    ids=["forged-code-hash", "other-chain-id", "other-genesis", "address-without-code"],
)
def test_a_tampered_manifest_is_refused(
    deployment: tuple[Ledger, LocalAccount, list[str], DeploymentManifest],
    change: dict[str, object],
    message: str,
) -> None:
    ledger, *_ = deployment
    with pytest.raises(DeploymentError, match=message):
        load_manifest(ledger, _rewrite(ledger.data_dir / MANIFEST_FILE, change))


def test_swapped_addresses_are_refused(
    deployment: tuple[Ledger, LocalAccount, list[str], DeploymentManifest],
) -> None:
    ledger, _, _, manifest = deployment
    tampered = _rewrite(
        ledger.data_dir / MANIFEST_FILE,
        {
            "contracts.SealRegistry.address": manifest.address("AuditAnchors"),
            "contracts.AuditAnchors.address": manifest.address("SealRegistry"),
        },
    )
    with pytest.raises(DeploymentError, match="SealRegistry: the code at"):
        load_manifest(ledger, tampered)


def test_a_manifest_for_another_chain_id_is_refused(
    deployment: tuple[Ledger, LocalAccount, list[str], DeploymentManifest], tmp_path: Path
) -> None:
    ledger, *_ = deployment
    with _open(tmp_path, chain_id=CHAIN_ID + 1) as other, pytest.raises(ChainMismatch):
        load_manifest(other, ledger.data_dir / MANIFEST_FILE)


def test_code_built_from_other_sources_is_refused(
    deployment: tuple[Ledger, LocalAccount, list[str], DeploymentManifest],
) -> None:
    ledger, *_ = deployment
    artifacts = dict(all_artifacts())
    current = artifacts["DataSharing"]
    # Another build: same code, another metadata hash in solc's CBOR trailer.
    rebuilt = current.deployed_bytecode[:-30] + bytes(28) + current.deployed_bytecode[-2:]
    artifacts["DataSharing"] = dataclasses.replace(current, deployed_bytecode=rebuilt)
    with pytest.raises(DeploymentError, match="other sources"):
        load_manifest(ledger, ledger.data_dir / MANIFEST_FILE, artifacts=artifacts)


@pytest.mark.parametrize(
    "text",
    ["not json", "{}", '{"format": 1, "chain_id": "x"}', '{"format": 99}'],
    ids=["not-json", "empty", "wrong-types", "unknown-format"],
)
def test_a_malformed_manifest_is_refused(
    deployment: tuple[Ledger, LocalAccount, list[str], DeploymentManifest],
    tmp_path: Path,
    text: str,
) -> None:
    ledger, *_ = deployment
    path = tmp_path / "manifest.json"
    path.write_text(text)
    with pytest.raises(DeploymentError):
        load_manifest(ledger, path)


def test_a_missing_manifest_says_what_to_run(
    deployment: tuple[Ledger, LocalAccount, list[str], DeploymentManifest], tmp_path: Path
) -> None:
    ledger, *_ = deployment
    with pytest.raises(DeploymentError, match="chain init"):
        load_manifest(ledger, tmp_path / "absent.json")
