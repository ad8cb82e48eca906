"""The plain values of the contract layer: enums, dataclasses and the code conversion.

Nothing here talks to a chain (no web3, no ABI codec), so domain code can share these types with
the wrappers of :mod:`ledger.contracts` (docs/ledger.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntEnum

from eth_utils.crypto import keccak

from ledger.exceptions import LedgerError

CODE_LENGTH = 18
# GB 32100 unified social credit codes: digits and capital letters except I, O, S, V and Z.
CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
SM2_PUBLIC_KEY_LENGTH = 64  # x || y, as the department registry stores it


class InvalidArgument(LedgerError, ValueError):
    """A Python value cannot become the contract argument it is meant for (a malformed code,
    a hash that is not 32 bytes, a public key of the wrong length)."""


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


class LicenceStatus(IntEnum):
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


def chain_public_key(public_key: bytes) -> bytes:
    """An SM2 public key as the registry stores it: ``x || y`` (a leading ``04`` is dropped)."""
    if len(public_key) == SM2_PUBLIC_KEY_LENGTH + 1 and public_key[0] == 4:
        return bytes(public_key[1:])
    if len(public_key) != SM2_PUBLIC_KEY_LENGTH:
        raise InvalidArgument(
            f"an SM2 public key is 64 bytes x || y or 65 bytes 04 || x || y, not {len(public_key)}"
        )
    return bytes(public_key)


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
    data: bytes = field(repr=False)
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
class LicenceRecord:
    """A licence's entry in ``LicenceRegistry``; ``superseded_by`` is the (root, leaf) of the
    successor, for ``SUPERSEDED`` only."""

    status: LicenceStatus
    reason_code: int
    changed_at: int
    superseded_by: tuple[bytes, bytes] | None


@dataclass(frozen=True)
class LicenceStatusChange:
    root: bytes
    leaf: bytes
    status: LicenceStatus
    previous_status: LicenceStatus
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
