"""The ``DepartmentRegistry`` wrapper: departments, their SM2 key history, accounts and roles."""

from __future__ import annotations

from collections.abc import Sequence

from eth_utils.address import to_checksum_address

from ledger.contracts.base import Governed, build
from ledger.contracts.values import (
    Action,
    Department,
    KeyChange,
    Role,
    bytes32_to_code,
    chain_public_key,
    code_to_bytes32,
)


class DepartmentRegistry(Governed):
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
        key = self._read("publicKeyAt", code_to_bytes32(code), key_version)
        return key["public_key"], key["effective_at"]

    def key_version_at(self, code: str, timestamp: int) -> int:
        """The key version in force at ``timestamp`` (0 before registration)."""
        return int(self._read("keyVersionAt", code_to_bytes32(code), timestamp))

    def get_department(self, code: str) -> Department:
        """Department ``code``; reverts ``DepartmentUnknown`` if it is not registered."""
        department = self._read("getDepartment", code_to_bytes32(code))
        return build(
            Department,
            department,
            code=bytes32_to_code(department["code"]),
            roles=frozenset(Role.from_id(role) for role in department["roles"]),
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
