"""The platform's deployment: settings → ledger → verified deployment → typed registries.

- :func:`open_chain` opens the configured chain and checks the deployment manifest
  (``data_dir/deployment.json``) against it before anyone trusts an address in it.
- :func:`init_chain` deploys the contracts once, with the governance committee; a second run
  verifies and reuses the deployment. :func:`chain_status` says what is deployed.

Keystore names: ``committee-<i>`` for committee members created by ``init_chain`` and
``deployer`` for the account that deploys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eth_utils.address import is_address, to_checksum_address

from govledger.committee import COMMITTEE_KEY_PREFIX
from govledger.errors import ConfigurationError, Conflict, InvalidInput
from govledger.files import read_json_file
from govledger.keystore import Keystore
from govledger.settings import Settings
from ledger import Ledger, LedgerConfig, open_ledger
from ledger.artifacts import CONTRACT_NAMES
from ledger.closing import Closing
from ledger.contracts import Registries
from ledger.deploy import MANIFEST_FILE, DeploymentManifest, deploy_all, load_manifest
from ledger.exceptions import DeploymentError

DEPLOYER_KEY = "deployer"
DEFAULT_COMMITTEE_SIZE = 3
DEFAULT_THRESHOLD = 2

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    """The default progress reporter: says nothing."""


class ChainNotInitialised(ConfigurationError):
    """There is no deployment in the data dir yet."""

    code = "chain-not-initialised"
    title = "Chain not initialised"


def ledger_config(settings: Settings, *, read_only: bool = False) -> LedgerConfig:
    """Where the platform's chain is, from its settings."""
    return LedgerConfig(
        backend=settings.chain_backend,
        data_dir=settings.data_dir,
        chain_id=settings.chain_id,
        rpc_url=settings.chain_rpc_url if settings.chain_backend == "rpc" else None,
        read_only=read_only,
    )


def manifest_path(settings: Settings) -> Path:
    return settings.data_dir / MANIFEST_FILE


@dataclass
class ChainContext(Closing):
    """An open ledger and the verified deployment on it. Close it (or use ``with``)."""

    ledger: Ledger
    manifest: DeploymentManifest
    registries: Registries

    def close(self) -> None:
        self.ledger.close()


def _open_ledger(settings: Settings, *, read_only: bool = False) -> Ledger:
    settings.ensure_data_dir()
    return open_ledger(ledger_config(settings, read_only=read_only))


def open_chain(settings: Settings, *, read_only: bool = False) -> ChainContext:
    """The configured chain with its verified deployment.

    ``read_only`` opens it beside the process that writes it (``govledger serve``): the
    embedded chain is read from what that process commits, no outbox is opened, and any write
    raises ``ReadOnlyLedger``. Read-only commands use it, so they work on a live system.

    Raises :class:`ChainNotInitialised` when there is no manifest, and the ledger's
    ``DeploymentError`` (a configuration error) when the manifest does not match the chain.
    """
    path = manifest_path(settings)
    if not path.is_file():
        raise ChainNotInitialised(
            f"the chain is not initialised: no {MANIFEST_FILE} in {settings.data_dir}; "
            "run `govledger chain init`"
        )
    ledger = _open_ledger(settings, read_only=read_only)
    try:
        manifest = verified_manifest(ledger, path)
    except BaseException:
        ledger.close()
        raise
    return ChainContext(ledger, manifest, Registries.from_manifest(ledger, manifest))


def verified_manifest(ledger: Ledger, path: Path) -> DeploymentManifest:
    """The manifest at ``path``, checked against the chain: the code at each address (by
    ``load_manifest``), and the record of the deployment itself: each contract was created by
    the recorded transaction, in the recorded block, by the recorded deployer, and Governance
    started with the recorded committee and threshold. Any difference is a ``DeploymentError``.
    """
    manifest = load_manifest(ledger, path)
    for name, entry in manifest.contracts.items():
        receipt = ledger.provider.request("eth_getTransactionReceipt", [entry.tx_hash])
        if (
            receipt is None
            or int(receipt["blockNumber"], 16) != entry.deploy_block
            or not receipt.get("contractAddress")
            or to_checksum_address(receipt["contractAddress"]) != entry.address
            or to_checksum_address(receipt["from"]) != manifest.deployer
        ):
            raise DeploymentError(
                f"{path}: {name} was not created at {entry.address} by {entry.tx_hash} from "
                f"{manifest.deployer} in block {entry.deploy_block}, as the manifest says"
            )
    governance = Registries.from_manifest(ledger, manifest).governance
    block = governance.deploy_block
    founders = tuple(
        event.args["member"]
        for event in governance.events("CommitteeMemberAdded", from_block=block, to_block=block)
    )
    thresholds = [
        event.args["newThreshold"]
        for event in governance.events(
            "CommitteeThresholdChanged", from_block=block, to_block=block
        )
    ]
    if (founders, thresholds) != (manifest.committee, [manifest.threshold]):
        raise DeploymentError(
            f"{path}: Governance was deployed with another committee or threshold than the "
            "manifest records"
        )
    return manifest


# -- initialisation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Committee:
    """The governance committee a deployment starts with: M of these members must approve."""

    members: tuple[str, ...]
    threshold: int

    def __post_init__(self) -> None:
        if len(set(self.members)) != len(self.members):
            raise InvalidInput("the committee lists a member twice")
        if not 1 <= self.threshold <= len(self.members):
            raise InvalidInput(
                f"the threshold must be between 1 and the number of members "
                f"({len(self.members)}), got {self.threshold}"
            )

    @classmethod
    def from_file(cls, path: Path) -> Committee:
        """Read ``{"members": ["0x…", …], "threshold": M}`` (the format of node_config/)."""
        document = read_json_file(path)
        try:
            members, threshold = document["members"], document["threshold"]
        except (KeyError, TypeError) as error:
            raise InvalidInput(f"cannot read the committee file {path}: {error}") from None
        if not isinstance(members, list) or not all(
            isinstance(member, str) and is_address(member) for member in members
        ):
            raise InvalidInput(f"{path}: members must be a list of 0x addresses")
        if not isinstance(threshold, int) or isinstance(threshold, bool):
            raise InvalidInput(f"{path}: threshold must be an integer")
        return cls(tuple(to_checksum_address(member) for member in members), threshold)


@dataclass(frozen=True)
class InitResult:
    """``deployed`` is False when an existing deployment was verified and reused."""

    manifest: DeploymentManifest
    deployed: bool
    deployer: str


def init_chain(
    settings: Settings,
    keystore: Keystore,
    committee: Committee | None = None,
    *,
    members: int | None = None,
    threshold: int | None = None,
    progress: Progress = _quiet,
) -> InitResult:
    """Deploy every contract with the governance committee and write the manifest, once.

    Without ``committee``, a local one of ``members`` keys (``committee-1`` …, created in the
    keystore; default 3) with ``threshold`` (default 2) is used: the development setup, where
    one person holds every member's key. A second run verifies the manifest against the chain
    and reuses it; a committee, size or threshold that differs from the recorded one is a
    :class:`~govledger.errors.Conflict`.
    """
    with _open_ledger(settings) as ledger:
        path = manifest_path(settings)
        if path.exists():
            manifest = verified_manifest(ledger, path)
            _check_same_committee(manifest, committee, members, threshold)
            return InitResult(manifest, deployed=False, deployer=manifest.deployer)
        if committee is None:
            committee = _local_committee(
                keystore,
                DEFAULT_COMMITTEE_SIZE if members is None else members,
                DEFAULT_THRESHOLD if threshold is None else threshold,
                progress,
            )
        deployer = keystore.load_or_create(DEPLOYER_KEY)
        progress(
            f"deploying {len(CONTRACT_NAMES)} contracts from {deployer.address} "
            f"({', '.join(CONTRACT_NAMES)})"
        )
        manifest = deploy_all(
            ledger, deployer.account, committee.members, committee.threshold, path=path
        )
        progress(f"deployed; manifest written to {path}")
        return InitResult(manifest, deployed=True, deployer=deployer.address)


def _local_committee(
    keystore: Keystore, members: int, threshold: int, progress: Progress
) -> Committee:
    if members < 1:
        raise InvalidInput(f"a committee needs at least one member, got {members}")
    addresses = []
    for index in range(1, members + 1):
        name = f"{COMMITTEE_KEY_PREFIX}{index}"
        progress(f"committee key {index}/{members}: {name}")
        addresses.append(keystore.load_or_create(name).address)
    return Committee(tuple(addresses), threshold)


def _check_same_committee(
    manifest: DeploymentManifest,
    committee: Committee | None,
    members: int | None,
    threshold: int | None,
) -> None:
    recorded = f"{len(manifest.committee)} members with threshold {manifest.threshold}"
    if committee is not None and (committee.members, committee.threshold) != (
        manifest.committee,
        manifest.threshold,
    ):
        raise Conflict(f"the chain is already initialised with another committee ({recorded})")
    if (members is not None and members != len(manifest.committee)) or (
        threshold is not None and threshold != manifest.threshold
    ):
        raise Conflict(f"the chain is already initialised with {recorded}")


# -- status ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainStatus:
    """What ``govledger chain status`` shows. The committee is read live from the contract."""

    backend: str
    chain_id: int
    block_number: int
    contracts: dict[str, str]
    committee: tuple[str, ...]
    threshold: int
    deployer: str
    deployed_at: str


def chain_status(settings: Settings, context: ChainContext) -> ChainStatus:
    governance = context.registries.governance
    return ChainStatus(
        backend=settings.chain_backend,
        chain_id=context.ledger.chain_id,
        block_number=context.ledger.block_number(),
        contracts={name: entry.address for name, entry in context.manifest.contracts.items()},
        committee=governance.members(),
        threshold=governance.threshold(),
        deployer=context.manifest.deployer,
        deployed_at=context.manifest.created_at,
    )
