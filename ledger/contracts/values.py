"""Typed wrappers of the govledger contracts: Python values in, Python values out.

Each contract gets one class, built from a :class:`~ledger.client.Ledger` and the contract's
address; :class:`Registries` builds all six from a deployment manifest. A method per contract
function converts its arguments to ABI values and its result to a frozen dataclass or enum.
Every method goes through one of three helpers of :class:`ContractWrapper` (``_read``,
``_send``, ``_send_returning``), so encoding, decoding and error handling live in one place.

Conventions:

- A department is named by its 18-character unified social credit code (``str``); the contracts
  store it as ``bytes32`` (ASCII, left-aligned, zero-padded): :func:`code_to_bytes32` and
  :func:`bytes32_to_code` are the one conversion.
- Hashes and ids are 32-byte ``bytes``; roles are :class:`Role` members.
- A write takes the sender's ``LocalAccount`` and returns the mined :class:`Receipt`, or a
  :class:`Written` (the value the Solidity function returns, read from the event it emits, plus
  the receipt). A revert raises the decoded exception of :mod:`ledger.revert`, e.g.
  ``revert_error_class("DepartmentMissingRole")`` with ``code`` and ``role`` attributes.
- Administrative changes (of the department registry, a data grant's revocation, the committee
  itself) are made by the governance committee: the ``encode_*`` methods return an
  :class:`Action` that a member proposes with :meth:`Governance.propose_action`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from typing import Any, ClassVar, Generic, TypeVar

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import EncodingError
from eth_account.signers.local import LocalAccount
from eth_utils.abi import (
    function_abi_to_4byte_selector,
    get_abi_input_types,
    get_abi_output_types,
)
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from ledger.artifacts import load_artifact
from ledger.client import Call, Ledger, Receipt
from ledger.deploy import DeploymentManifest
from ledger.events import BlockId, DecodedEvent, EventDecoder
from ledger.exceptions import LedgerError

T = TypeVar("T")

CODE_LENGTH = 18
# GB 32100 unified social credit codes: digits and capital letters except I, O, S, V and Z.
CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
SM2_PUBLIC_KEY_LENGTH = 64  # x || y, as the department registry stores it
_ZERO32 = bytes(32)


class InvalidArgument(LedgerError, ValueError):
    """A Python value cannot become the contract argument it is meant for (a malformed code,
    a hash that is not 32 bytes, a public key of the wrong length)."""


class EventMissing(LedgerError):
    """A mined transaction lacks the event its function always emits (a wrong address?)."""


# -- values ---------------------------------------------------------------------------------------


class Role(Enum):
    """The six department roles; each value is keccak-256 of the role's name, as in Roles.sol."""

    _value_: bytes

    ISSUER = keccak(text="ISSUER_ROLE")
    SEAL_ADMIN = keccak(text="SEAL_ADMIN_ROLE")
    DATA_PROVIDER = keccak(text="DATA_PROVIDER_ROLE")
    DATA_REQUESTER = keccak(text="DATA_REQUESTER_ROLE")
    VERIFIER = keccak(text="VERIFIER_ROLE")
    AUDITOR = keccak(text="AUDITOR_ROLE")

    @classmethod
    def parse(cls, name: str) -> Role:
        """``"ISSUER"``, ``"issuer"`` or ``"ISSUER_ROLE"`` → :attr:`ISSUER`."""
        key = name.strip().upper().removesuffix("_ROLE")
        try:
            return cls[key]
        except KeyError:
            known = ", ".join(role.name for role in cls)
            raise InvalidArgument(f"unknown role {name!r} (known: {known})") from None

    @classmethod
    def from_id(cls, role_id: bytes) -> Role:
        try:
            return cls(bytes(role_id))
        except ValueError:
            raise InvalidArgument(f"0x{bytes(role_id).hex()} is not a department role") from None


class LicenceState(IntEnum):
    """Licence status codes of ``LicenceRegistry`` (MOHURD style). ``EXPIRED`` is never stored:
    verifiers derive it from the signed validity dates."""

    UNKNOWN = 0
    VALID = 1
    SUSPENDED = 2
    WITHDRAWN = 3
    CANCELLED = 4
    EXPIRED = 5
    SUPERSEDED = 6
    REVOKED = 7


class ShareClass(IntEnum):
    UNCONDITIONAL = 0
    CONDITIONAL = 1
    NOT_SHAREABLE = 2


class GrantStatus(IntEnum):
    PENDING = 1
    GRANTED = 2
    REJECTED = 3
    REVOKED = 4


def code_to_bytes32(code: str) -> bytes:
    """A unified social credit code as the contracts store it.

    Checks the shape the contract checks (18 characters of the GB 32100 alphabet); the check
    character is the platform's business.
    """
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        raise InvalidArgument(
            f"{code!r} is not a unified social credit code "
            f"({CODE_LENGTH} characters of {CODE_ALPHABET})"
        )
    return code.encode("ascii").ljust(32, b"\0")


def bytes32_to_code(value: bytes) -> str:
    """The inverse of :func:`code_to_bytes32`."""
    return bytes(value).rstrip(b"\0").decode("ascii")


def _bytes32(value: bytes, what: str) -> bytes:
    if len(value) != 32:
        raise InvalidArgument(f"{what} must be 32 bytes, got {len(value)}")
    return bytes(value)


def chain_public_key(public_key: bytes) -> bytes:
    """An SM2 public key as the registry stores it: ``x || y`` (a leading ``04`` is dropped)."""
    if len(public_key) == SM2_PUBLIC_KEY_LENGTH + 1 and public_key[0] == 4:
        return bytes(public_key[1:])
    if len(public_key) != SM2_PUBLIC_KEY_LENGTH:
        raise InvalidArgument(
            f"an SM2 public key is 64 bytes x || y or 65 bytes 04 || x || y, not {len(public_key)}"
        )
    return bytes(public_key)


def _optional_time(value: int) -> int | None:
    return value or None


@dataclass(frozen=True)
class Written(Generic[T]):
    """What a write returned (``value``, as the Solidity function declares) and its receipt."""

    value: T
    receipt: Receipt


@dataclass(frozen=True)
class Action:
    """A call for the governance committee to propose: ``calldata`` sent to ``target``."""

    target: str
    calldata: bytes = field(repr=False)
    description: str


class ProposalState(IntEnum):
    """Where a governance proposal stands (``Governance.ProposalState``)."""

    PENDING = 0
    EXECUTED = 1
    CANCELLED = 2
    EXPIRED = 3


@dataclass(frozen=True)
class Proposal:
    """A governance proposal as stored; ``state`` as the contract judged it when read."""

    proposal_id: int
    proposer: str
    target: str
    calldata: bytes = field(repr=False)
    description_hash: bytes
    created_at: int
    executed: bool
    expires_at: int
    cancelled: bool
    state: ProposalState


@dataclass(frozen=True)
class Department:
    """A department as the registry returns it; ``public_key`` is 64 bytes ``x || y``."""

    code: str
    name: str
    public_key: bytes = field(repr=False)
    key_version: int
    active: bool
    registered_at: int
    accounts: tuple[str, ...]
    roles: frozenset[Role]


@dataclass(frozen=True)
class KeyChange:
    """Version ``key_version`` of a department's key, in force from ``effective_at`` on."""

    code: str
    key_version: int
    public_key: bytes = field(repr=False)
    effective_at: int
    block_number: int
    tx_hash: str


@dataclass(frozen=True)
class Batch:
    issuer: str
    count: int
    anchored_at: int


@dataclass(frozen=True)
class LicenceStatus:
    """``superseded_by`` is the (root, leaf) of the successor, for ``SUPERSEDED`` only."""

    status: LicenceState
    reason_code: int
    changed_at: int
    superseded_by: tuple[bytes, bytes] | None


@dataclass(frozen=True)
class LicenceStatusChange:
    root: bytes
    leaf: bytes
    status: LicenceState
    previous_status: LicenceState
    reason_code: int
    block_number: int
    tx_hash: str
    timestamp: int | None


@dataclass(frozen=True)
class Seal:
    """``revoked_at`` is None while the seal is not revoked."""

    seal_id: bytes
    owner: str
    holder_key_hashes: tuple[bytes, ...]
    valid_from: int
    valid_to: int
    registered_at: int
    revoked_at: int | None
    revocation_reason: int


@dataclass(frozen=True)
class Dataset:
    dataset_id: bytes
    provider: str
    share_class: ShareClass
    schema_hash: bytes
    latest_version: int
    registered_at: int


@dataclass(frozen=True)
class DatasetVersion:
    content_hash: bytes
    signature_hash: bytes
    published_at: int


@dataclass(frozen=True)
class Grant:
    """A request and, once approved, its grant (``decided_at`` None while pending)."""

    grant_id: int
    requester: str
    dataset_id: bytes
    fields: tuple[bytes, ...]
    purpose_hash: bytes
    scenario_code: int
    status: GrantStatus
    reason_code: int
    requested_at: int
    decided_at: int | None
    expires_at: int
    max_uses: int
    used: int


@dataclass(frozen=True)
class AuditLog:
    owner: str
    next_seq: int
    segment_count: int


@dataclass(frozen=True)
class Segment:
    index: int
    first_seq: int
    last_seq: int
    root: bytes
    anchored_at: int


# -- the generic part ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _FunctionABI:
    """What encoding a call and decoding its result need, read once from the ABI."""

    selector: bytes
    input_types: tuple[str, ...]
    output_types: tuple[str, ...]


@dataclass(frozen=True)
class _ContractABI:
    abi: tuple[Mapping[str, Any], ...]
    functions: Mapping[str, _FunctionABI]


@functools.cache
def _contract_abi(name: str) -> _ContractABI:
    abi = tuple(load_artifact(name).abi)
    functions = {
        str(entry["name"]): _FunctionABI(
            selector=function_abi_to_4byte_selector(entry),  # type: ignore[arg-type]
            input_types=tuple(get_abi_input_types(entry)),  # type: ignore[arg-type]
            output_types=tuple(get_abi_output_types(entry)),  # type: ignore[arg-type]
        )
        for entry in abi
        if entry.get("type") == "function"
    }
    return _ContractABI(abi, functions)


class ContractWrapper:
    """What every wrapper shares: ABI encoding, reads, writes and event queries."""

    contract_name: ClassVar[str]

    def __init__(self, ledger: Ledger, address: str, *, deploy_block: int = 0) -> None:
        self.ledger = ledger
        self.address = to_checksum_address(address)
        # Event queries start here: nothing of this contract is older.
        self.deploy_block = deploy_block
        contract_abi = _contract_abi(self.contract_name)
        self.abi = contract_abi.abi
        self._functions = contract_abi.functions
        self._events = EventDecoder(self.abi)

    def encode(self, function: str, *args: Any) -> bytes:
        """The calldata of ``function(args)``, with arguments already in ABI form.

        Encoded with eth_abi directly: web3's contract encoder costs twenty times as much, which
        shows in batched sends."""
        entry = self._functions[function]
        try:
            return entry.selector + abi_encode(entry.input_types, args)
        except EncodingError as error:  # e.g. a reason code beyond uint16
            raise InvalidArgument(f"{self.contract_name}.{function}: {error}") from None

    def call_of(self, function: str, *args: Any) -> Call:
        """``function(args)`` as a :class:`Call` for :meth:`Ledger.transact_batch`."""
        return Call(self.address, self.encode(function, *args), purpose=self._purpose(function))

    def events(
        self,
        event_name: str,
        filters: Mapping[str, Any] | None = None,
        *,
        from_block: BlockId | None = None,
        to_block: BlockId = "latest",
    ) -> list[DecodedEvent]:
        """Events ``event_name`` of this contract, oldest first; ``filters`` as in
        :func:`ledger.events.get_events` (ABI values)."""
        return self.ledger.get_events(
            self.address,
            self.abi,
            event_name=event_name,
            argument_filters=filters,
            from_block=self.deploy_block if from_block is None else from_block,
            to_block=to_block,
        )

    def _read(self, function: str, *args: Any) -> Any:
        """``eth_call`` of a view: its one result, or the tuple of its results."""
        raw = self.ledger.call(self.address, self.encode(function, *args))
        values = abi_decode(self._functions[function].output_types, raw)
        return values[0] if len(values) == 1 else values

    def _send(self, sender: LocalAccount, function: str, *args: Any) -> Receipt:
        return self.ledger.transact(
            sender, self.address, self.encode(function, *args), purpose=self._purpose(function)
        )

    def _send_returning(
        self, sender: LocalAccount, function: str, args: Sequence[Any], event: str, value_arg: str
    ) -> Written[int]:
        """A write whose return value is also the ``value_arg`` of the ``event`` it emits."""
        receipt = self._send(sender, function, *args)
        for log in receipt.logs:
            if log.address != self.address:
                continue
            decoded = self._events.decode(log)
            if decoded is not None and decoded.name == event:
                return Written(int(decoded.args[value_arg]), receipt)
        raise EventMissing(f"{self.contract_name}.{function} mined without its {event} event")

    def _purpose(self, function: str) -> str:
        return f"{self.contract_name}.{function}"

    def _action(self, description: str, function: str, *args: Any) -> Action:
        """``function(args)`` of this contract, for the governance committee to propose."""
        return Action(self.address, self.encode(function, *args), description)


class _UsesDepartmentRegistry(ContractWrapper):
    """A contract that checks its callers against the department registry."""

    def department_registry(self) -> str:
        """The address of the DepartmentRegistry this contract was deployed with."""
        return to_checksum_address(self._read("departmentRegistry"))


class _Governed(ContractWrapper):
    """A contract the governance committee may call."""

    def governance(self) -> str:
        """The address of the Governance contract this contract was deployed with."""
        return to_checksum_address(self._read("governance"))


# -- one class per contract ----------------------------------------------------------------------


class Governance(ContractWrapper):
    """The M-of-N committee: every administrative change is a proposal it executes."""

    contract_name = "Governance"

    def propose(
        self, member: LocalAccount, target: str, calldata: bytes, description: str
    ) -> Written[int]:
        """Propose calling ``target`` with ``calldata``; the proposal id is the value. The
        proposer's approval counts at once (with threshold 1 the proposal executes now).
        ``description`` stays off chain; its keccak-256 identifies it."""
        return self._send_returning(
            member,
            "propose",
            (to_checksum_address(target), bytes(calldata), keccak(text=description)),
            "ProposalCreated",
            "proposalId",
        )

    def propose_action(self, member: LocalAccount, action: Action) -> Written[int]:
        return self.propose(member, action.target, action.calldata, action.description)

    def approve(self, member: LocalAccount, proposal_id: int) -> Receipt:
        """Approve; the approval that reaches the threshold executes the proposal (and reverts
        with the target's error if the target refuses)."""
        return self._send(member, "approve", proposal_id)

    def execute(self, member: LocalAccount, proposal_id: int) -> Receipt:
        """Run a proposal that already has enough approvals (after the threshold was lowered)."""
        return self._send(member, "execute", proposal_id)

    def cancel(self, proposer: LocalAccount, proposal_id: int) -> Receipt:
        """Cancel a pending proposal, as its proposer (a current member)."""
        return self._send(proposer, "cancel", proposal_id)

    def encode_cancel(self, proposal_id: int) -> Action:
        """The committee cancels a pending proposal of anyone's (a proposal of its own)."""
        return self._action(f"cancel proposal {proposal_id}", "cancel", proposal_id)

    # Committee changes: proposals whose target is this contract, which alone may make them.

    def encode_add_member(self, member: str) -> Action:
        member = to_checksum_address(member)
        return self._action(f"add {member} to the committee", "addMember", member)

    def encode_remove_member(self, member: str) -> Action:
        """Refused on execution if fewer members than the threshold would remain."""
        member = to_checksum_address(member)
        return self._action(f"remove {member} from the committee", "removeMember", member)

    def encode_change_threshold(self, threshold: int) -> Action:
        return self._action(
            f"require {threshold} approvals per proposal", "changeThreshold", threshold
        )

    def encode_change_proposal_lifetime(self, seconds: int) -> Action:
        """New proposals expire ``seconds`` after they are made (1 s to 365 days)."""
        return self._action(
            f"let new proposals live {seconds} seconds", "changeProposalLifetime", seconds
        )

    def members(self) -> tuple[str, ...]:
        return tuple(to_checksum_address(member) for member in self._read("members"))

    def threshold(self) -> int:
        return int(self._read("threshold"))

    def is_member(self, account: str) -> bool:
        return bool(self._read("isMember", to_checksum_address(account)))

    def proposal_count(self) -> int:
        return int(self._read("proposalCount"))

    def proposal_lifetime(self) -> int:
        """Seconds a new proposal stays open."""
        return int(self._read("proposalLifetime"))

    def proposal_state(self, proposal_id: int) -> ProposalState:
        return ProposalState(int(self._read("proposalState", proposal_id)))

    def get_proposal(self, proposal_id: int) -> Proposal:
        (
            proposer,
            target,
            data,
            description_hash,
            created_at,
            executed,
            expires_at,
            cancelled,
        ) = self._read("getProposal", proposal_id)
        return Proposal(
            proposal_id=proposal_id,
            proposer=to_checksum_address(proposer),
            target=to_checksum_address(target),
            calldata=bytes(data),
            description_hash=bytes(description_hash),
            created_at=int(created_at),
            executed=bool(executed),
            expires_at=int(expires_at),
            cancelled=bool(cancelled),
            state=self.proposal_state(proposal_id),
        )

    def has_approved(self, proposal_id: int, member: str) -> bool:
        return bool(self._read("hasApproved", proposal_id, to_checksum_address(member)))

    def approval_count(self, proposal_id: int) -> int:
        return int(self._read("approvalCount", proposal_id))


class DepartmentRegistry(_Governed):
    """Departments: code, name, SM2 key history, accounts, roles, active flag."""

    contract_name = "DepartmentRegistry"

    # Reads.

    def is_registered(self, code: str) -> bool:
        return bool(self._read("isRegistered", code_to_bytes32(code)))

    def is_active(self, code: str) -> bool:
        return bool(self._read("isActive", code_to_bytes32(code)))

    def has_role(self, code: str, role: Role) -> bool:
        return bool(self._read("hasRole", code_to_bytes32(code), role.value))

    def department_of(self, account: str) -> str:
        """The code of the department ``account`` acts for (reverts DepartmentUnknownAccount)."""
        return bytes32_to_code(self._read("departmentOf", to_checksum_address(account)))

    def public_key_of(self, code: str) -> bytes:
        return bytes(self._read("publicKeyOf", code_to_bytes32(code)))

    def public_key_at(self, code: str, key_version: int) -> tuple[bytes, int]:
        """Key ``key_version`` of ``code`` and the time it took effect."""
        public_key, effective_at = self._read("publicKeyAt", code_to_bytes32(code), key_version)
        return bytes(public_key), int(effective_at)

    def key_version_at(self, code: str, timestamp: int) -> int:
        """The key version in force at ``timestamp`` (0 before registration)."""
        return int(self._read("keyVersionAt", code_to_bytes32(code), timestamp))

    def get_department(self, code: str) -> Department:
        """Department ``code``; reverts ``DepartmentUnknown`` if it is not registered."""
        raw_code, name, public_key, key_version, active, registered_at, accounts, roles = (
            self._read("getDepartment", code_to_bytes32(code))
        )
        return Department(
            code=bytes32_to_code(raw_code),
            name=str(name),
            public_key=bytes(public_key),
            key_version=int(key_version),
            active=bool(active),
            registered_at=int(registered_at),
            accounts=tuple(to_checksum_address(account) for account in accounts),
            roles=frozenset(Role.from_id(role) for role in roles),
        )

    def find_department(self, code: str) -> Department | None:
        """Department ``code``, or None when it is not registered."""
        return self.get_department(code) if self.is_registered(code) else None

    def require_role(self, account: str, role: Role) -> str:
        """The code of ``account``'s department if it is active and holds ``role``; otherwise
        reverts DepartmentUnknownAccount, DepartmentSuspended or DepartmentMissingRole."""
        return bytes32_to_code(self._read("requireRole", to_checksum_address(account), role.value))

    def require_active(self, account: str) -> str:
        """The code of ``account``'s department if it is active; otherwise reverts
        DepartmentUnknownAccount or DepartmentSuspended."""
        return bytes32_to_code(self._read("requireActive", to_checksum_address(account)))

    def registered_codes(self) -> list[str]:
        """Every code ever registered, in registration order."""
        return [
            bytes32_to_code(event.args["code"]) for event in self.events("DepartmentRegistered")
        ]

    def key_history(self, code: str) -> list[KeyChange]:
        """Every key ``code`` has had, oldest first."""
        return [
            KeyChange(
                code=code,
                key_version=int(event.args["keyVersion"]),
                public_key=bytes(event.args["publicKey"]),
                effective_at=int(event.args["effectiveAt"]),
                block_number=event.block_number,
                tx_hash=event.tx_hash,
            )
            for event in self.events("DepartmentKeyChanged", {"code": code_to_bytes32(code)})
        ]

    # Governance actions: the committee proposes these (see Governance.propose_action).

    def encode_register(
        self,
        code: str,
        name: str,
        public_key: bytes,
        accounts: Sequence[str],
        roles: Sequence[Role],
    ) -> Action:
        return self._action(
            f"register department {code} ({name})",
            "registerDepartment",
            code_to_bytes32(code),
            name,
            chain_public_key(public_key),
            [to_checksum_address(account) for account in accounts],
            [role.value for role in roles],
        )

    def encode_rekey(self, code: str, public_key: bytes) -> Action:
        return self._action(
            f"install a new SM2 key for department {code}",
            "rotatePublicKey",
            code_to_bytes32(code),
            chain_public_key(public_key),
        )

    def encode_grant_role(self, code: str, role: Role) -> Action:
        return self._action(
            f"grant {role.name} to department {code}",
            "grantRole",
            code_to_bytes32(code),
            role.value,
        )

    def encode_revoke_role(self, code: str, role: Role) -> Action:
        return self._action(
            f"revoke {role.name} from department {code}",
            "revokeRole",
            code_to_bytes32(code),
            role.value,
        )

    def encode_set_roles(
        self, code: str, current: frozenset[Role], wanted: frozenset[Role]
    ) -> list[Action]:
        """The grants and revocations that take ``code`` from ``current`` to ``wanted`` roles (one
        proposal each: a proposal makes one call)."""
        return [self.encode_grant_role(code, role) for role in Role if role in wanted - current] + [
            self.encode_revoke_role(code, role) for role in Role if role in current - wanted
        ]

    def encode_add_account(self, code: str, account: str) -> Action:
        return self._action(
            f"let {account} act for department {code}",
            "addAccount",
            code_to_bytes32(code),
            to_checksum_address(account),
        )

    def encode_remove_account(self, code: str, account: str) -> Action:
        return self._action(
            f"stop {account} acting for department {code}",
            "removeAccount",
            code_to_bytes32(code),
            to_checksum_address(account),
        )

    def encode_suspend(self, code: str, reason_code: int) -> Action:
        return self._action(
            f"suspend department {code} (reason {reason_code})",
            "suspendDepartment",
            code_to_bytes32(code),
            reason_code,
        )

    def encode_reinstate(self, code: str, reason_code: int) -> Action:
        return self._action(
            f"reinstate department {code} (reason {reason_code})",
            "reinstateDepartment",
            code_to_bytes32(code),
            reason_code,
        )


class LicenceRegistry(_UsesDepartmentRegistry):
    """Anchored licence batches (Merkle roots) and the status of each licence (root, leaf)."""

    contract_name = "LicenceRegistry"

    def anchor_batch_call(self, root: bytes, count: int) -> Call:
        """:meth:`anchor_batch` as a :class:`Call`, for :meth:`Ledger.transact_batch`."""
        return self.call_of("anchorBatch", _bytes32(root, "root"), count)

    def anchor_batch(self, issuer: LocalAccount, root: bytes, count: int) -> Receipt:
        """Anchor batch ``root`` of ``count`` licences; ``issuer`` acts for an ISSUER department."""
        return self._send(issuer, "anchorBatch", _bytes32(root, "root"), count)

    def set_status(
        self,
        issuer: LocalAccount,
        root: bytes,
        leaf: bytes,
        status: LicenceState,
        reason_code: int,
    ) -> Receipt:
        """Suspend, reinstate (``VALID``), withdraw, cancel or revoke licence (root, leaf).
        Superseding needs the successor: :meth:`supersede`."""
        try:
            function = _STATUS_FUNCTIONS[status]
        except KeyError:
            raise InvalidArgument(f"a licence cannot be set to {status.name} this way") from None
        return self._send(
            issuer, function, _bytes32(root, "root"), _bytes32(leaf, "leaf"), reason_code
        )

    def supersede(
        self,
        issuer: LocalAccount,
        root: bytes,
        leaf: bytes,
        *,
        new_root: bytes,
        new_leaf: bytes,
        reason_code: int,
    ) -> Receipt:
        return self._send(
            issuer,
            "supersedeLicence",
            _bytes32(root, "root"),
            _bytes32(leaf, "leaf"),
            _bytes32(new_root, "new root"),
            _bytes32(new_leaf, "new leaf"),
            reason_code,
        )

    def batch_of(self, root: bytes) -> Batch | None:
        """Batch ``root``, or None when it is not anchored."""
        issuer, count, anchored_at = self._read("batchOf", _bytes32(root, "root"))
        if anchored_at == 0:
            return None
        return Batch(bytes32_to_code(issuer), int(count), int(anchored_at))

    def status_of(self, root: bytes, leaf: bytes) -> LicenceStatus:
        status, reason_code, changed_at, new_root, new_leaf = self._read(
            "statusOf", _bytes32(root, "root"), _bytes32(leaf, "leaf")
        )
        return LicenceStatus(
            status=LicenceState(status),
            reason_code=int(reason_code),
            changed_at=int(changed_at),
            superseded_by=None if new_root == _ZERO32 else (bytes(new_root), bytes(new_leaf)),
        )

    def status_changes(
        self, root: bytes | None = None, leaf: bytes | None = None
    ) -> list[LicenceStatusChange]:
        """Status changes, oldest first: of one batch, of one licence, or all."""
        filters = {
            name: _bytes32(value, name)
            for name, value in (("root", root), ("leaf", leaf))
            if value is not None
        }
        return [
            LicenceStatusChange(
                root=bytes(event.args["root"]),
                leaf=bytes(event.args["leaf"]),
                status=LicenceState(event.args["status"]),
                previous_status=LicenceState(event.args["previousStatus"]),
                reason_code=int(event.args["reasonCode"]),
                block_number=event.block_number,
                tx_hash=event.tx_hash,
                timestamp=event.timestamp,
            )
            for event in self.events("LicenceStatusChanged", filters)
        ]


_STATUS_FUNCTIONS: Mapping[LicenceState, str] = {
    LicenceState.SUSPENDED: "suspendLicence",
    LicenceState.VALID: "reinstateLicence",
    LicenceState.WITHDRAWN: "withdrawLicence",
    LicenceState.CANCELLED: "cancelLicence",
    LicenceState.REVOKED: "revokeLicence",
}


class SealRegistry(_UsesDepartmentRegistry):
    """Electronic seals (GB/T 38540): owner, holders, validity, revocation."""

    contract_name = "SealRegistry"

    def register_seal(
        self,
        admin: LocalAccount,
        seal_id: bytes,
        holder_key_hashes: Sequence[bytes],
        valid_from: int,
        valid_to: int,
    ) -> Receipt:
        """Register ``seal_id``; ``admin`` acts for a SEAL_ADMIN department, its owner."""
        return self._send(
            admin,
            "registerSeal",
            _bytes32(seal_id, "seal id"),
            [_bytes32(key_hash, "holder key hash") for key_hash in holder_key_hashes],
            valid_from,
            valid_to,
        )

    def revoke_seal(self, admin: LocalAccount, seal_id: bytes, reason_code: int) -> Receipt:
        return self._send(admin, "revokeSeal", _bytes32(seal_id, "seal id"), reason_code)

    def get_seal(self, seal_id: bytes) -> Seal:
        """Seal ``seal_id``; reverts ``SealUnknown``."""
        owner, holders, valid_from, valid_to, registered_at, revoked_at, reason = self._read(
            "getSeal", _bytes32(seal_id, "seal id")
        )
        return Seal(
            seal_id=bytes(seal_id),
            owner=bytes32_to_code(owner),
            holder_key_hashes=tuple(bytes(holder) for holder in holders),
            valid_from=int(valid_from),
            valid_to=int(valid_to),
            registered_at=int(registered_at),
            revoked_at=_optional_time(int(revoked_at)),
            revocation_reason=int(reason),
        )

    def is_valid_at(self, seal_id: bytes, timestamp: int) -> bool:
        return bool(self._read("isSealValidAt", _bytes32(seal_id, "seal id"), timestamp))

    def is_holder(self, seal_id: bytes, key_hash: bytes) -> bool:
        return bool(
            self._read("isHolder", _bytes32(seal_id, "seal id"), _bytes32(key_hash, "key hash"))
        )


class DataSharing(_UsesDepartmentRegistry, _Governed):
    """Datasets, their versions, access requests and grants."""

    contract_name = "DataSharing"

    def register_dataset(
        self, provider: LocalAccount, dataset_id: bytes, share_class: ShareClass, schema_hash: bytes
    ) -> Receipt:
        return self._send(
            provider,
            "registerDataset",
            _bytes32(dataset_id, "dataset id"),
            int(share_class),
            _bytes32(schema_hash, "schema hash"),
        )

    def publish_version(
        self, provider: LocalAccount, dataset_id: bytes, content_hash: bytes, signature_hash: bytes
    ) -> Written[int]:
        """Publish a version; the value is its number (from 1)."""
        return self._send_returning(
            provider,
            "publishVersion",
            (
                _bytes32(dataset_id, "dataset id"),
                _bytes32(content_hash, "content hash"),
                _bytes32(signature_hash, "signature hash"),
            ),
            "DatasetVersionPublished",
            "version",
        )

    def request_access(
        self,
        requester: LocalAccount,
        dataset_id: bytes,
        fields: Sequence[bytes],
        *,
        purpose_hash: bytes,
        scenario_code: int,
        expires_at: int,
        max_uses: int,
    ) -> Written[int]:
        """Request access; the value is the grant id. Unconditional datasets are granted now."""
        return self._send_returning(
            requester,
            "requestAccess",
            (
                _bytes32(dataset_id, "dataset id"),
                [_bytes32(name, "field name") for name in fields],
                _bytes32(purpose_hash, "purpose hash"),
                scenario_code,
                expires_at,
                max_uses,
            ),
            "AccessRequested",
            "grantId",
        )

    def approve_request(
        self,
        provider: LocalAccount,
        grant_id: int,
        fields: Sequence[bytes],
        expires_at: int,
        max_uses: int,
    ) -> Receipt:
        return self._send(
            provider,
            "approveRequest",
            grant_id,
            [_bytes32(name, "field name") for name in fields],
            expires_at,
            max_uses,
        )

    def reject_request(self, provider: LocalAccount, grant_id: int, reason_code: int) -> Receipt:
        return self._send(provider, "rejectRequest", grant_id, reason_code)

    def revoke_grant(self, provider: LocalAccount, grant_id: int, reason_code: int) -> Receipt:
        return self._send(provider, "revokeGrant", grant_id, reason_code)

    def encode_revoke_grant(self, grant_id: int, reason_code: int) -> Action:
        """Revocation of any grant by the governance committee."""
        return self._action(
            f"revoke data grant {grant_id} (reason {reason_code})",
            "revokeGrant",
            grant_id,
            reason_code,
        )

    def consume_uses(
        self, provider: LocalAccount, grant_id: int, uses: int, used_before: int
    ) -> Written[int]:
        """Record ``uses`` uses made when ``used_before`` were recorded (refused
        ``SharingUsesOutOfStep`` otherwise); the value is the total recorded so far."""
        return self._send_returning(
            provider, "consumeUses", (grant_id, uses, used_before), "GrantUsed", "used"
        )

    def get_dataset(self, dataset_id: bytes) -> Dataset:
        """Dataset ``dataset_id``; reverts ``SharingUnknownDataset``."""
        provider, share_class, schema_hash, latest_version, registered_at = self._read(
            "getDataset", _bytes32(dataset_id, "dataset id")
        )
        return Dataset(
            dataset_id=bytes(dataset_id),
            provider=bytes32_to_code(provider),
            share_class=ShareClass(share_class),
            schema_hash=bytes(schema_hash),
            latest_version=int(latest_version),
            registered_at=int(registered_at),
        )

    def get_version(self, dataset_id: bytes, version: int) -> DatasetVersion:
        content_hash, signature_hash, published_at = self._read(
            "getVersion", _bytes32(dataset_id, "dataset id"), version
        )
        return DatasetVersion(bytes(content_hash), bytes(signature_hash), int(published_at))

    def get_grant(self, grant_id: int) -> Grant:
        """Request or grant ``grant_id``; reverts ``SharingUnknownGrant``."""
        (
            requester,
            dataset_id,
            fields,
            purpose_hash,
            scenario_code,
            status,
            reason_code,
            requested_at,
            decided_at,
            expires_at,
            max_uses,
            used,
        ) = self._read("getGrant", grant_id)
        return Grant(
            grant_id=grant_id,
            requester=bytes32_to_code(requester),
            dataset_id=bytes(dataset_id),
            fields=tuple(bytes(name) for name in fields),
            purpose_hash=bytes(purpose_hash),
            scenario_code=int(scenario_code),
            status=GrantStatus(status),
            reason_code=int(reason_code),
            requested_at=int(requested_at),
            decided_at=_optional_time(int(decided_at)),
            expires_at=int(expires_at),
            max_uses=int(max_uses),
            used=int(used),
        )

    def is_grant_active(self, grant_id: int) -> bool:
        return bool(self._read("isGrantActive", grant_id))

    def grant_count(self) -> int:
        return int(self._read("grantCount"))


class AuditAnchors(_UsesDepartmentRegistry, _Governed):
    """Merkle roots of contiguous segments of append-only access logs, anchored by the log
    operators the governance committee names."""

    contract_name = "AuditAnchors"

    def encode_grant_log_operator(self, code: str) -> Action:
        return self._action(
            f"make department {code} a log operator", "grantLogOperator", code_to_bytes32(code)
        )

    def encode_revoke_log_operator(self, code: str) -> Action:
        return self._action(
            f"department {code} is no longer a log operator",
            "revokeLogOperator",
            code_to_bytes32(code),
        )

    def is_log_operator(self, code: str) -> bool:
        return bool(self._read("isLogOperator", code_to_bytes32(code)))

    def anchor_segment_call(
        self, log_id: bytes, first_seq: int, last_seq: int, root: bytes
    ) -> Call:
        """:meth:`anchor_segment` as a :class:`Call`, for :meth:`Ledger.transact_batch`."""
        return self.call_of(
            "anchorSegment", _bytes32(log_id, "log id"), first_seq, last_seq, _bytes32(root, "root")
        )

    def anchor_segment(
        self, department: LocalAccount, log_id: bytes, first_seq: int, last_seq: int, root: bytes
    ) -> Written[int]:
        """Anchor entries ``first_seq``..``last_seq`` of ``log_id``; the value is the segment's
        index in the log."""
        return self._send_returning(
            department,
            "anchorSegment",
            (_bytes32(log_id, "log id"), first_seq, last_seq, _bytes32(root, "root")),
            "AuditSegmentAnchored",
            "index",
        )

    def get_log(self, log_id: bytes) -> AuditLog | None:
        """Log ``log_id``, or None when nothing of it is anchored."""
        owner, next_seq, segment_count = self._read("getLog", _bytes32(log_id, "log id"))
        if owner == _ZERO32:
            return None
        return AuditLog(bytes32_to_code(owner), int(next_seq), int(segment_count))

    def get_segment(self, log_id: bytes, index: int) -> Segment:
        """Segment ``index`` of ``log_id``; reverts ``AuditUnknownSegment``."""
        return _segment(index, self._read("getSegment", _bytes32(log_id, "log id"), index))

    def find_segment(self, log_id: bytes, seq: int) -> Segment:
        """The segment covering entry ``seq``; reverts ``AuditSeqNotAnchored``."""
        index, raw = self._read("findSegment", _bytes32(log_id, "log id"), seq)
        return _segment(int(index), raw)


W = TypeVar("W", bound=ContractWrapper)


def _segment(index: int, raw: Sequence[Any]) -> Segment:
    first_seq, last_seq, root, anchored_at = raw
    return Segment(index, int(first_seq), int(last_seq), bytes(root), int(anchored_at))


@dataclass(frozen=True)
class Registries:
    """The six contracts of one deployment, wrapped."""

    governance: Governance
    departments: DepartmentRegistry
    licences: LicenceRegistry
    seals: SealRegistry
    sharing: DataSharing
    audit: AuditAnchors

    @classmethod
    def from_manifest(cls, ledger: Ledger, manifest: DeploymentManifest) -> Registries:
        """Wrap the contracts of ``manifest`` (verify it with ``load_manifest`` first)."""

        def wrap(wrapper: type[W]) -> W:
            entry = manifest.contracts[wrapper.contract_name]
            return wrapper(ledger, entry.address, deploy_block=entry.deploy_block)

        return cls(
            governance=wrap(Governance),
            departments=wrap(DepartmentRegistry),
            licences=wrap(LicenceRegistry),
            seals=wrap(SealRegistry),
            sharing=wrap(DataSharing),
            audit=wrap(AuditAnchors),
        )
