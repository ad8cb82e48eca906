"""A full govledger deployment on a test chain, with helpers to govern it and add departments."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from tests.contracts.chains import Chain, calldata

VECTORS_DIR = Path(__file__).resolve().parent / "vectors"

ISSUER = Web3.keccak(text="ISSUER_ROLE")
SEAL_ADMIN = Web3.keccak(text="SEAL_ADMIN_ROLE")
DATA_PROVIDER = Web3.keccak(text="DATA_PROVIDER_ROLE")
DATA_REQUESTER = Web3.keccak(text="DATA_REQUESTER_ROLE")
VERIFIER = Web3.keccak(text="VERIFIER_ROLE")
AUDITOR = Web3.keccak(text="AUDITOR_ROLE")
ALL_ROLES = (ISSUER, SEAL_ADMIN, DATA_PROVIDER, DATA_REQUESTER, VERIFIER, AUDITOR)

ZERO_HASH = bytes(32)
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def credit_code(text: str) -> bytes:
    """A unified social credit code as the contracts store it: ASCII, left-aligned, zero-padded."""
    return text.encode("ascii").ljust(32, b"\0")


def load_sm2_public_keys() -> dict[str, bytes]:
    """The SM2 public keys of vectors/sm2_public_keys.txt (see that file for their source)."""
    keys = {}
    for line in (VECTORS_DIR / "sm2_public_keys.txt").read_text(encoding="ascii").splitlines():
        if line and not line.startswith("#"):
            name, hex_key = line.split()
            keys[name] = bytes.fromhex(hex_key)
    return keys


SM2_KEYS = load_sm2_public_keys()


def random_hash() -> bytes:
    """A fresh non-zero 32-byte id, so tests sharing one deployment never collide."""
    return os.urandom(32)


@dataclass(frozen=True)
class Department:
    code: bytes
    account: LocalAccount


class Deployment:
    """Governance (2-of-3 committee), DepartmentRegistry and the four registries using it."""

    THRESHOLD = 2

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.committee = [chain.new_account() for _ in range(3)]
        self.outsider = chain.new_account()  # belongs to no department and no committee
        deployer = chain.new_account()
        members = [member.address for member in self.committee]
        self.governance = chain.deploy(deployer, "Governance", members, self.THRESHOLD)
        self.departments = chain.deploy(deployer, "DepartmentRegistry", self.governance.address)
        registry = self.departments.address
        self.licences = chain.deploy(deployer, "LicenceRegistry", registry)
        self.seals = chain.deploy(deployer, "SealRegistry", registry)
        self.sharing = chain.deploy(deployer, "DataSharing", registry, self.governance.address)
        self.audit = chain.deploy(deployer, "AuditAnchors", registry)
        self.by_name: dict[str, Contract] = {
            "Governance": self.governance,
            "DepartmentRegistry": self.departments,
            "LicenceRegistry": self.licences,
            "SealRegistry": self.seals,
            "DataSharing": self.sharing,
            "AuditAnchors": self.audit,
        }
        self._serials = itertools.count(1)
        self.unauthorised_callers: dict[
            tuple[str, bytes], tuple[LocalAccount, str, tuple[object, ...]]
        ] = {}

    def function(self, qualified_name: str) -> Any:
        """Function ``Contract.function`` of this deployment, to be called with its arguments."""
        contract_name, function_name = qualified_name.split(".")
        return self.by_name[contract_name].get_function_by_name(function_name)

    def propose(self, function: object, proposer: int = 0) -> int:
        """Have committee member ``proposer`` propose ``function``; returns the proposal id."""
        data = calldata(function)
        self.chain.send(
            self.committee[proposer],
            self.governance.functions.propose(
                function.address,  # type: ignore[attr-defined]
                data,
                Web3.keccak(data),
            ),
        )
        return int(self.governance.functions.proposalCount().call())

    def govern(self, function: object) -> TxReceipt:
        """Pass ``function`` through the committee: member 0 proposes, member 1 approves (the
        second approval reaches the threshold and executes it)."""
        proposal_id = self.propose(function)
        return self.chain.send(self.committee[1], self.governance.functions.approve(proposal_id))

    def next_code(self) -> bytes:
        """A fresh, well-formed 18-character unified social credit code."""
        return credit_code(f"1110{next(self._serials):014d}")

    def add_department(
        self, *roles: bytes, suspended: bool = False, public_key: bytes = SM2_KEYS["K1"]
    ) -> Department:
        """Register a department with a fresh account and ``roles`` through governance."""
        department = Department(self.next_code(), self.chain.new_account())
        self.govern(
            self.departments.functions.registerDepartment(
                department.code,
                f"测试部门 {department.code[:18].decode()}",
                public_key,
                [department.account.address],
                list(roles),
            )
        )
        if suspended:
            self.govern(self.departments.functions.suspendDepartment(department.code, 1))
        return department


# The three kinds of caller every role-gated function must refuse.
UNAUTHORISED_CALLERS = ("unknown account", "department without the role", "suspended department")


def unauthorised_caller(
    deployment: Deployment, kind: str, role: bytes
) -> tuple[LocalAccount, str, tuple[object, ...]]:
    """A caller of ``kind`` for a function gated on ``role``, with the error it must get.

    Made once per deployment and reused: no test changes these departments.
    """
    key = (kind, role)
    if key not in deployment.unauthorised_callers:
        deployment.unauthorised_callers[key] = _make_unauthorised_caller(deployment, kind, role)
    return deployment.unauthorised_callers[key]


def _make_unauthorised_caller(
    deployment: Deployment, kind: str, role: bytes
) -> tuple[LocalAccount, str, tuple[object, ...]]:
    if kind == "unknown account":
        account = deployment.outsider
        return account, "DepartmentUnknownAccount", (account.address,)
    if kind == "department without the role":
        department = deployment.add_department(*(other for other in ALL_ROLES if other != role))
        return department.account, "DepartmentMissingRole", (department.code, role)
    if kind == "suspended department":
        department = deployment.add_department(role, suspended=True)
        return department.account, "DepartmentSuspended", (department.code,)
    raise ValueError(kind)
