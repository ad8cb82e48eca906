"""The platform's chain wiring: settings → ledger → verified deployment → typed registries.

- :func:`open_chain` opens the configured chain and checks the deployment manifest
  (``data_dir/deployment.json``) against it before anyone trusts an address in it.
- :func:`init_chain` deploys the contracts once, with the governance committee; a second run
  verifies and reuses the deployment.
- Administrative changes go through the committee: :func:`committee_signers` finds the
  members' keys in the keystore, :func:`submit_action` proposes (and, with enough local members,
  approves) an :class:`~ledger.contracts.Action`, :func:`approve_proposal` adds one approval,
  :func:`cancel_proposal` cancels one (its proposer at once, anyone else through the committee).
- Departments: :func:`register_department` creates a department's keys and has the committee
  register it; :func:`rekey_department`, :func:`set_department_roles`,
  :func:`suspend_department` and :func:`reinstate_department` change it the same way, and
  :func:`set_log_operator` names it a log operator (it may then anchor an access log);
  :func:`load_department_keys` gives a registered department's keys as the chain knows them.

Keystore names: ``committee-<i>`` for committee members created by ``init_chain``, ``deployer``
for the account that deploys, ``<code>`` for a department (its chain account and first SM2
key) and ``<code>.v<n>`` for its SM2 key version n ≥ 2 (keys in the keystore are never replaced).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from eth_account.signers.local import LocalAccount
from eth_utils.address import is_address, to_checksum_address

from govledger.directory import check_uscc
from govledger.errors import ConfigurationError, Conflict, Forbidden, InvalidInput, NotFound
from govledger.files import read_json_file
from govledger.keystore import KeyPair, Keystore, generated_passphrase
from govledger.settings import Settings
from ledger import Ledger, LedgerConfig, open_ledger
from ledger.artifacts import CONTRACT_NAMES
from ledger.closing import Closing
from ledger.contracts import Registries
from ledger.contracts.values import Action, Department, Proposal, ProposalState, Role
from ledger.deploy import MANIFEST_FILE, DeploymentManifest, deploy_all, load_manifest
from ledger.exceptions import DeploymentError
from sm_crypto import SM2PrivateKey

COMMITTEE_KEY_PREFIX = "committee-"
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


def open_keystore(settings: Settings) -> Keystore:
    """The keystore, unlocked by the given passphrase or else by the data dir's generated one."""
    directory = settings.resolved_keystore_dir
    given = settings.keystore_passphrase
    if given is not None:
        return Keystore(directory, given.get_secret_value())
    return Keystore(directory, generated_passphrase(directory))


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


# -- governance -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalOutcome:
    """Where a proposal stands after this process's members acted on it."""

    proposal_id: int
    approvals: int
    threshold: int
    state: ProposalState
    expires_at: int

    @property
    def executed(self) -> bool:
        return self.state is ProposalState.EXECUTED


def committee_signers(
    keystore: Keystore, registries: Registries, member: str | None = None
) -> list[KeyPair]:
    """The committee members' keys this process may sign with.

    ``member`` names one keystore entry (which must be a current member); without it, every
    ``committee-*`` entry that is a current member, as ``init_chain`` created them.
    """
    governance = registries.governance
    if member is not None:
        keys = keystore.load(member)
        if not governance.is_member(keys.address):
            raise Forbidden(f"{member} ({keys.address}) is not on the governance committee")
        return [keys]
    local = [
        keys
        for keys in (
            keystore.load(name)
            for name in keystore.names()
            if name.startswith(COMMITTEE_KEY_PREFIX)
        )
        if governance.is_member(keys.address)
    ]
    if not local:
        raise Forbidden("no committee member's key is in the keystore: name one with --member")
    return local


def submit_action(
    registries: Registries, signers: Sequence[KeyPair], action: Action
) -> ProposalOutcome:
    """The first signer proposes ``action``; the others approve until it executes."""
    governance = registries.governance
    proposal_id = governance.propose_action(signers[0].account, action).value
    for keys in signers[1:]:
        if governance.get_proposal(proposal_id).executed:
            break
        governance.approve(keys.account, proposal_id)
    return proposal_outcome(registries, proposal_id)


def approve_proposal(registries: Registries, signer: KeyPair, proposal_id: int) -> ProposalOutcome:
    """One more approval; the one that reaches the threshold executes the proposal."""
    pending_proposal(registries, proposal_id)
    registries.governance.approve(signer.account, proposal_id)
    return proposal_outcome(registries, proposal_id)


def cancel_proposal(
    registries: Registries, signers: Sequence[KeyPair], proposal_id: int
) -> ProposalOutcome:
    """Cancel pending proposal ``proposal_id``: at once if its proposer is among ``signers``;
    otherwise ``signers`` propose that the committee cancel it (as :func:`submit_action`).
    Returns the outcome of the cancelled proposal, or of the cancellation proposal."""
    proposal = pending_proposal(registries, proposal_id)
    governance = registries.governance
    proposer = next((keys for keys in signers if keys.address == proposal.proposer), None)
    if proposer is None:
        return submit_action(registries, signers, governance.encode_cancel(proposal_id))
    governance.cancel(proposer.account, proposal_id)
    return proposal_outcome(registries, proposal_id)


def pending_proposal(registries: Registries, proposal_id: int) -> Proposal:
    """Proposal ``proposal_id`` if it can still be approved or cancelled; else a refusal that
    says why (the contract refuses the same, with less to read)."""
    governance = registries.governance
    if not 1 <= proposal_id <= governance.proposal_count():
        raise NotFound(f"there is no proposal {proposal_id}")
    proposal = governance.get_proposal(proposal_id)
    if proposal.state is ProposalState.EXPIRED:
        raise Conflict(
            f"proposal {proposal_id} expired at {utc_text(proposal.expires_at)} without enough "
            "approvals; propose it again"
        )
    if proposal.state is not ProposalState.PENDING:
        raise Conflict(f"proposal {proposal_id} is {proposal.state.name.lower()} already")
    return proposal


def proposal_outcome(registries: Registries, proposal_id: int) -> ProposalOutcome:
    governance = registries.governance
    proposal = governance.get_proposal(proposal_id)
    return ProposalOutcome(
        proposal_id=proposal_id,
        approvals=governance.approval_count(proposal_id),
        threshold=governance.threshold(),
        state=proposal.state,
        expires_at=proposal.expires_at,
    )


def utc_text(timestamp: int) -> str:
    """A chain timestamp as people read it: ``2026-12-03 09:30:00 UTC``."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


# -- departments ----------------------------------------------------------------------------------


def department_key_name(code: str, key_version: int = 1) -> str:
    """The keystore entry of ``code``'s SM2 key version ``key_version`` (version 1's entry also
    holds the department's chain account)."""
    return code if key_version == 1 else f"{code}.v{key_version}"


def _registered(registries: Registries, code: str) -> Department:
    department = registries.departments.find_department(check_uscc(code))
    if department is None:
        raise NotFound(f"department {code} is not registered")
    return department


def register_department(
    registries: Registries,
    keystore: Keystore,
    signers: Sequence[KeyPair],
    code: str,
    *,
    name: str,
    roles: Sequence[Role],
) -> tuple[KeyPair, ProposalOutcome]:
    """Create ``code``'s keys (or reuse those of an earlier attempt) and propose its
    registration with them: its SM2 public key and chain account, and ``roles``."""
    check_uscc(code)
    if not name.strip():
        raise InvalidInput("a department needs a name")
    if registries.departments.is_registered(code):
        raise Conflict(f"department {code} is already registered")
    keys = keystore.load_or_create(department_key_name(code))
    action = registries.departments.encode_register(
        code, name, keys.sm2.public_key().to_bytes(), [keys.address], roles
    )
    return keys, submit_action(registries, signers, action)


def rekey_department(
    registries: Registries, keystore: Keystore, signers: Sequence[KeyPair], code: str
) -> tuple[KeyPair, ProposalOutcome]:
    """Create the department's next SM2 key and propose installing it."""
    department = _registered(registries, code)
    keys = keystore.load_or_create(department_key_name(code, department.key_version + 1))
    action = registries.departments.encode_rekey(code, keys.sm2.public_key().to_bytes())
    return keys, submit_action(registries, signers, action)


def set_department_roles(
    registries: Registries, signers: Sequence[KeyPair], code: str, roles: Sequence[Role]
) -> list[tuple[Action, ProposalOutcome]]:
    """Propose the grants and revocations that give ``code`` exactly ``roles``."""
    department = _registered(registries, code)
    actions = registries.departments.encode_set_roles(code, department.roles, frozenset(roles))
    return [(action, submit_action(registries, signers, action)) for action in actions]


def suspend_department(
    registries: Registries, signers: Sequence[KeyPair], code: str, reason_code: int
) -> ProposalOutcome:
    department = _registered(registries, code)
    if not department.active:
        raise Conflict(f"department {code} is already suspended")
    return submit_action(
        registries, signers, registries.departments.encode_suspend(code, reason_code)
    )


def reinstate_department(
    registries: Registries, signers: Sequence[KeyPair], code: str, reason_code: int
) -> ProposalOutcome:
    department = _registered(registries, code)
    if department.active:
        raise Conflict(f"department {code} is not suspended")
    return submit_action(
        registries, signers, registries.departments.encode_reinstate(code, reason_code)
    )


def set_log_operator(
    registries: Registries, signers: Sequence[KeyPair], code: str, *, operator: bool = True
) -> ProposalOutcome:
    """Propose making ``code`` a log operator of ``AuditAnchors`` (the only departments that
    may anchor, and so claim, an access log), or, with ``operator=False``, no longer one."""
    _registered(registries, code)
    audit = registries.audit
    if audit.is_log_operator(code) == operator:
        raise Conflict(f"department {code} {'is already' if operator else 'is not'} a log operator")
    action = (
        audit.encode_grant_log_operator(code)
        if operator
        else audit.encode_revoke_log_operator(code)
    )
    return submit_action(registries, signers, action)


@dataclass(frozen=True)
class DepartmentKeys:
    """A registered department's chain account and its current SM2 key (``key_version``)."""

    code: str
    account: LocalAccount
    sm2: SM2PrivateKey
    key_version: int


def load_department_keys(registries: Registries, keystore: Keystore, code: str) -> DepartmentKeys:
    """The keys ``code`` acts and signs with, checked against the registry: the account must be
    one of the department's and the SM2 key the one in force."""
    department = _registered(registries, code)
    account = keystore.load(department_key_name(code)).account
    sm2 = keystore.load(department_key_name(code, department.key_version)).sm2
    if account.address not in department.accounts:
        raise ConfigurationError(f"the keystore's account for {code} no longer acts for it")
    if sm2.public_key().to_bytes()[1:] != department.public_key:
        raise ConfigurationError(
            f"the keystore's SM2 key for {code} is not the one the registry has "
            f"(version {department.key_version})"
        )
    return DepartmentKeys(code, account, sm2, department.key_version)
