"""Deploy every contract once, and remember where: the deployment manifest.

:func:`deploy_all` deploys in dependency order (Governance → DepartmentRegistry(governance) → the
registries that take the department registry) and writes a manifest JSON: chain id and genesis
hash, each contract's address, the keccak-256 of its runtime code as deployed, its deploy block
and transaction, the committee and threshold. :func:`load_manifest` checks a manifest against the
chain before anyone trusts an address in it: another chain, a missing contract, code that differs
from what was deployed, or code built from other sources than the current artifacts →
:class:`DeploymentError` saying which.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils.address import is_address, to_checksum_address
from eth_utils.crypto import keccak

from ledger.artifacts import CONTRACT_NAMES, ContractArtifact, all_artifacts
from ledger.client import Ledger
from ledger.exceptions import ChainMismatch, DeploymentError

MANIFEST_FILE = "deployment.json"
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class ManifestContract:
    """One deployed contract as the manifest records it."""

    address: str
    code_hash: str
    deploy_block: int
    tx_hash: str


@dataclass(frozen=True)
class DeploymentManifest:
    """Where the contracts of one deployment are, and what they must look like."""

    chain_id: int
    genesis_hash: str
    deployer: str
    committee: tuple[str, ...]
    threshold: int
    created_at: str
    contracts: Mapping[str, ManifestContract]

    def address(self, name: str) -> str:
        try:
            return self.contracts[name].address
        except KeyError:
            raise DeploymentError(f"the deployment has no contract {name!r}") from None

    def to_json(self) -> str:
        document = {
            "format": MANIFEST_FORMAT,
            "chain_id": self.chain_id,
            "genesis_hash": self.genesis_hash,
            "deployer": self.deployer,
            "committee": list(self.committee),
            "threshold": self.threshold,
            "created_at": self.created_at,
            "contracts": {name: asdict(entry) for name, entry in self.contracts.items()},
        }
        return json.dumps(document, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> DeploymentManifest:
        """Parse a manifest; anything missing or mistyped is a :class:`DeploymentError`."""
        try:
            document = json.loads(text)
            if document["format"] != MANIFEST_FORMAT:
                raise DeploymentError(f"unsupported manifest format {document['format']!r}")
            contracts = {
                str(name): ManifestContract(
                    address=_checked_address(entry["address"]),
                    code_hash=str(entry["code_hash"]),
                    deploy_block=int(entry["deploy_block"]),
                    tx_hash=str(entry["tx_hash"]),
                )
                for name, entry in document["contracts"].items()
            }
            return cls(
                chain_id=int(document["chain_id"]),
                genesis_hash=str(document["genesis_hash"]),
                deployer=_checked_address(document["deployer"]),
                committee=tuple(_checked_address(member) for member in document["committee"]),
                threshold=int(document["threshold"]),
                created_at=str(document["created_at"]),
                contracts=contracts,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise DeploymentError(f"the deployment manifest is malformed: {error!r}") from error


def default_manifest_path(ledger: Ledger) -> Path:
    return ledger.data_dir / MANIFEST_FILE


def deploy_all(
    ledger: Ledger,
    deployer: LocalAccount,
    committee: Sequence[str],
    threshold: int,
    *,
    path: Path | None = None,
    artifacts: Mapping[str, ContractArtifact] | None = None,
) -> DeploymentManifest:
    """Deploy every contract and write the manifest at ``path`` (default: in the data dir).

    If a manifest is already there it is verified and reused, provided it was made for the same
    committee and threshold; a manifest that fails verification is refused, never overwritten.
    A deployment interrupted before the manifest is written leaves only unreferenced contracts.
    """
    path = path or default_manifest_path(ledger)
    artifacts = artifacts or all_artifacts()
    members = tuple(to_checksum_address(member) for member in committee)
    if path.exists():
        manifest = load_manifest(ledger, path, artifacts=artifacts)
        if (manifest.committee, manifest.threshold) != (members, threshold):
            raise DeploymentError(
                f"{path} records a deployment for committee {list(manifest.committee)} with "
                f"threshold {manifest.threshold}, not {list(members)} with {threshold}; "
                "change the committee through governance, or use another data dir"
            )
        return manifest
    deployed: dict[str, Any] = {}
    for name in CONTRACT_NAMES:
        arguments = _constructor_arguments(name, deployed, members, threshold)
        deployed[name] = ledger.deploy_contract(deployer, artifacts[name], *arguments)
    manifest = DeploymentManifest(
        chain_id=ledger.chain_id,
        genesis_hash=_genesis_hash(ledger),
        deployer=deployer.address,
        committee=members,
        threshold=threshold,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        contracts={
            name: ManifestContract(
                address=item.address,
                code_hash=_code_hash(_code_at(ledger, item.address)),
                deploy_block=item.block_number,
                tx_hash=item.tx_hash,
            )
            for name, item in deployed.items()
        },
    )
    _write_atomically(path, manifest.to_json())
    return manifest


def _constructor_arguments(
    name: str, deployed: Mapping[str, Any], committee: Sequence[str], threshold: int
) -> list[Any]:
    """The constructor arguments each contract declares (contracts/src/*.sol)."""
    if name == "Governance":
        return [list(committee), threshold]
    governance = deployed["Governance"].address
    if name == "DepartmentRegistry":
        return [governance]
    departments = deployed["DepartmentRegistry"].address
    if name == "DataSharing":
        return [departments, governance]
    if name in ("LicenceRegistry", "SealRegistry", "AuditAnchors"):
        return [departments]
    raise DeploymentError(f"no constructor arguments are defined for {name}")


def load_manifest(
    ledger: Ledger, path: Path, *, artifacts: Mapping[str, ContractArtifact] | None = None
) -> DeploymentManifest:
    """Read the manifest at ``path`` and verify it against the chain ``ledger`` is on."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DeploymentError(
            f"no deployment manifest at {path} ({error.strerror}); run `govledger chain init`"
        ) from error
    manifest = DeploymentManifest.from_json(text)
    if manifest.chain_id != ledger.chain_id:
        raise ChainMismatch(
            f"{path} is for chain id {manifest.chain_id}, the ledger is on {ledger.chain_id}"
        )
    if manifest.genesis_hash != _genesis_hash(ledger):
        raise ChainMismatch(
            f"{path} was made on another chain with id {manifest.chain_id} "
            "(its genesis block differs): the chain was reset, or this is another network"
        )
    artifacts = artifacts or all_artifacts()
    for name in CONTRACT_NAMES:
        if name not in manifest.contracts:
            raise DeploymentError(f"{path} has no address for {name}")
        entry = manifest.contracts[name]
        code = _code_at(ledger, entry.address)
        if not code:
            raise DeploymentError(f"{name}: no contract at {entry.address} on this chain")
        if _code_hash(code) != entry.code_hash:
            raise DeploymentError(
                f"{name}: the code at {entry.address} does not match the manifest's code hash"
            )
        if _metadata_trailer(code) != _metadata_trailer(artifacts[name].deployed_bytecode):
            raise DeploymentError(
                f"{name} at {entry.address} was built from other sources than this release's "
                "artifacts: deploy afresh in a new data dir"
            )
    return manifest


def _code_at(ledger: Ledger, address: str) -> bytes:
    code = ledger.provider.request("eth_getCode", [address, "latest"])
    return bytes.fromhex(str(code)[2:])


def _code_hash(code: bytes) -> str:
    return "0x" + keccak(code).hex()


def _metadata_trailer(runtime_code: bytes) -> bytes:
    """solc's CBOR metadata at the end of the runtime code (it names the sources' hash).

    Immutable values are patched into the code at deployment, so deployed code never equals
    the artifact byte for byte; the trailer is never patched and identifies the build.
    """
    if len(runtime_code) < 2:
        return b""
    length = int.from_bytes(runtime_code[-2:], "big")
    return runtime_code[-(length + 2) :]


def _genesis_hash(ledger: Ledger) -> str:
    block = ledger.provider.request("eth_getBlockByNumber", ["0x0", False])
    return str(block["hash"])


def _checked_address(value: Any) -> str:
    if not isinstance(value, str) or not is_address(value):
        raise ValueError(f"not an address: {value!r}")
    return to_checksum_address(value)


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so a reader sees the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
