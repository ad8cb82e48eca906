"""DepartmentRegistry: who is who; changed only by the governance contract."""

from __future__ import annotations

import pytest
from web3 import Web3

from tests.contracts.chains import Chain, reverts
from tests.contracts.deployment import (
    ALL_ROLES,
    AUDITOR,
    DATA_PROVIDER,
    DATA_REQUESTER,
    ISSUER,
    SEAL_ADMIN,
    SM2_KEYS,
    VERIFIER,
    ZERO_ADDRESS,
    ZERO_HASH,
    Deployment,
    credit_code,
)

SM2_P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
UNKNOWN_ROLE = Web3.keccak(text="ADMIN_ROLE")


def register(deployment: Deployment, code: bytes, **overrides: object) -> None:
    arguments: dict[str, object] = {
        "name": "省市场监督管理局",
        "public_key": SM2_KEYS["K1"],
        "accounts": [],
        "roles": [],
    }
    arguments.update(overrides)
    deployment.govern(
        deployment.departments.functions.registerDepartment(
            code,
            arguments["name"],
            arguments["public_key"],
            arguments["accounts"],
            arguments["roles"],
        )
    )


def department_view(deployment: Deployment, code: bytes) -> dict[str, object]:
    values = deployment.departments.functions.getDepartment(code).call()
    keys = ("code", "name", "publicKey", "keyVersion", "active", "registeredAt", "accounts")
    return dict(zip((*keys, "roles"), values, strict=True))


# --- constants ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role_name",
    [
        "ISSUER_ROLE",
        "SEAL_ADMIN_ROLE",
        "DATA_PROVIDER_ROLE",
        "DATA_REQUESTER_ROLE",
        "VERIFIER_ROLE",
        "AUDITOR_ROLE",
    ],
)
def test_role_constants_are_keccak_of_their_names(deployment: Deployment, role_name: str) -> None:
    getter = deployment.departments.get_function_by_name(role_name)
    assert getter().call() == Web3.keccak(text=role_name)


# --- registerDepartment ------------------------------------------------------------------------


def test_register_department_stores_it_and_emits_events(
    chain: Chain, deployment: Deployment
) -> None:
    code, account = deployment.next_code(), chain.new_account()
    name = "某市行政审批局"
    receipt = deployment.govern(
        deployment.departments.functions.registerDepartment(
            code, name, SM2_KEYS["K3"], [account.address], [ISSUER, SEAL_ADMIN, ISSUER]
        )
    )
    timestamp = chain.block_time(receipt)
    registry = deployment.departments
    assert chain.events(receipt, registry, "DepartmentRegistered") == [{"code": code, "name": name}]
    assert chain.events(receipt, registry, "DepartmentKeyChanged") == [
        {"code": code, "keyVersion": 1, "publicKey": SM2_KEYS["K3"], "effectiveAt": timestamp}
    ]
    assert chain.events(receipt, registry, "DepartmentAccountAdded") == [
        {"code": code, "account": account.address}
    ]
    # The role listed twice is granted (and announced) once.
    assert chain.events(receipt, registry, "DepartmentRoleGranted") == [
        {"code": code, "role": ISSUER},
        {"code": code, "role": SEAL_ADMIN},
    ]
    assert department_view(deployment, code) == {
        "code": code,
        "name": name,
        "publicKey": SM2_KEYS["K3"],
        "keyVersion": 1,
        "active": True,
        "registeredAt": timestamp,
        "accounts": [account.address],
        "roles": [ISSUER, SEAL_ADMIN],
    }
    assert registry.functions.isRegistered(code).call()
    assert registry.functions.isActive(code).call()
    assert registry.functions.departmentOf(account.address).call() == code
    assert registry.functions.hasRole(code, ISSUER).call()
    assert not registry.functions.hasRole(code, AUDITOR).call()
    assert registry.functions.publicKeyOf(code).call() == SM2_KEYS["K3"]
    assert registry.functions.publicKeyAt(code, 1).call() == [SM2_KEYS["K3"], timestamp]


def test_register_department_with_every_role(deployment: Deployment) -> None:
    code = deployment.next_code()
    register(deployment, code, roles=list(ALL_ROLES))
    assert department_view(deployment, code)["roles"] == list(ALL_ROLES)


@pytest.mark.parametrize("key_name", sorted(SM2_KEYS))
def test_register_department_accepts_sm2_keys_from_independent_sources(
    deployment: Deployment, key_name: str
) -> None:
    code = deployment.next_code()
    register(deployment, code, public_key=SM2_KEYS[key_name])
    assert deployment.departments.functions.publicKeyOf(code).call() == SM2_KEYS[key_name]


@pytest.mark.parametrize(
    "text",
    [
        "",  # zero
        "11100000000000001",  # 17 characters
        "1110000000000000012",  # 19 characters
        "1110000000000000a1",  # lower case
        "11100000000000I001",  # I, O, S, V and Z are not in the alphabet
        "11100000000000O001",
        "11100000000000S001",
        "11100000000000V001",
        "11100000000000Z001",
        "1110000000000 0001",
    ],
)
def test_register_department_rejects_malformed_credit_code(
    deployment: Deployment, text: str
) -> None:
    code = credit_code(text)
    with reverts("DepartmentInvalidCode", code):
        register(deployment, code)


def test_register_department_rejects_bytes_after_the_code(deployment: Deployment) -> None:
    code = deployment.next_code()[:31] + b"\x01"
    with reverts("DepartmentInvalidCode", code):
        register(deployment, code)


def test_register_department_rejects_existing_code(deployment: Deployment) -> None:
    department = deployment.add_department()
    with reverts("DepartmentExists", department.code):
        register(deployment, department.code, name="Impostor", public_key=SM2_KEYS["K2"])
    assert department_view(deployment, department.code)["publicKey"] == SM2_KEYS["K1"]


def test_register_department_rejects_empty_name(deployment: Deployment) -> None:
    code = deployment.next_code()
    with reverts("DepartmentEmptyName", code):
        register(deployment, code, name="")
    assert not deployment.departments.functions.isRegistered(code).call()


def off_curve_key() -> bytes:
    key = bytearray(SM2_KEYS["G"])
    key[-1] ^= 1  # y changed: (x, y') is not on the curve
    return bytes(key)


@pytest.mark.parametrize(
    "public_key",
    [
        b"",
        SM2_KEYS["K1"][:63],
        b"\x04" + SM2_KEYS["K1"],  # uncompressed-point prefix: 65 bytes
        bytes(64),  # (0, 0) is not on the curve
        off_curve_key(),
        SM2_P.to_bytes(32, "big") + SM2_KEYS["G"][32:],  # x not reduced mod p
    ],
    ids=["empty", "63-bytes", "65-bytes", "zero-point", "off-curve", "x-equals-p"],
)
def test_register_department_rejects_invalid_public_key(
    deployment: Deployment, public_key: bytes
) -> None:
    code = deployment.next_code()
    with reverts("DepartmentInvalidPublicKey", code):
        register(deployment, code, public_key=public_key)
    assert not deployment.departments.functions.isRegistered(code).call()


def test_register_department_rejects_zero_account(deployment: Deployment) -> None:
    code = deployment.next_code()
    with reverts("DepartmentZeroAccount", code):
        register(deployment, code, accounts=[ZERO_ADDRESS])


def test_register_department_rejects_account_of_another_department(
    deployment: Deployment,
) -> None:
    other = deployment.add_department()
    code = deployment.next_code()
    with reverts("DepartmentAccountTaken", other.account.address, other.code):
        register(deployment, code, accounts=[other.account.address])
    assert deployment.departments.functions.departmentOf(other.account.address).call() == (
        other.code
    )


def test_register_department_rejects_unknown_role(deployment: Deployment) -> None:
    with reverts("DepartmentUnknownRole", UNKNOWN_ROLE):
        register(deployment, deployment.next_code(), roles=[UNKNOWN_ROLE])


# --- rotatePublicKey and key history -----------------------------------------------------------


def test_rotate_public_key_keeps_history_with_times(chain: Chain, deployment: Deployment) -> None:
    department = deployment.add_department()
    registry = deployment.departments
    registered_at = department_view(deployment, department.code)["registeredAt"]
    assert isinstance(registered_at, int)
    chain.travel_to(registered_at + 100)
    receipt = deployment.govern(registry.functions.rotatePublicKey(department.code, SM2_KEYS["K2"]))
    rotated_at = chain.block_time(receipt)
    assert chain.events(receipt, registry, "DepartmentKeyChanged") == [
        {
            "code": department.code,
            "keyVersion": 2,
            "publicKey": SM2_KEYS["K2"],
            "effectiveAt": rotated_at,
        }
    ]
    assert registry.functions.publicKeyOf(department.code).call() == SM2_KEYS["K2"]
    assert registry.functions.publicKeyAt(department.code, 1).call() == [
        SM2_KEYS["K1"],
        registered_at,
    ]
    assert registry.functions.publicKeyAt(department.code, 2).call() == [
        SM2_KEYS["K2"],
        rotated_at,
    ]
    assert department_view(deployment, department.code)["keyVersion"] == 2
    key_version_at = registry.functions.keyVersionAt
    assert key_version_at(department.code, registered_at - 1).call() == 0
    assert key_version_at(department.code, registered_at).call() == 1
    assert key_version_at(department.code, rotated_at - 1).call() == 1
    assert key_version_at(department.code, rotated_at).call() == 2
    assert key_version_at(department.code, 2**64 - 1).call() == 2


def test_rotate_public_key_rejects_same_key(deployment: Deployment) -> None:
    department = deployment.add_department()
    with reverts("DepartmentSameKey", department.code):
        deployment.govern(
            deployment.departments.functions.rotatePublicKey(department.code, SM2_KEYS["K1"])
        )
    assert department_view(deployment, department.code)["keyVersion"] == 1


def test_rotate_public_key_rejects_invalid_key(deployment: Deployment) -> None:
    department = deployment.add_department()
    with reverts("DepartmentInvalidPublicKey", department.code):
        deployment.govern(
            deployment.departments.functions.rotatePublicKey(department.code, off_curve_key())
        )
    assert department_view(deployment, department.code)["keyVersion"] == 1


@pytest.mark.parametrize("version", [0, 2])
def test_public_key_at_rejects_unknown_version(
    chain: Chain, deployment: Deployment, version: int
) -> None:
    department = deployment.add_department()
    with reverts("DepartmentUnknown", department.code):
        chain.call(
            deployment.outsider,
            deployment.departments.functions.publicKeyAt(department.code, version),
        )


def test_key_version_at_is_zero_for_unknown_department(deployment: Deployment) -> None:
    code = deployment.next_code()
    assert deployment.departments.functions.keyVersionAt(code, 2**63).call() == 0


# --- accounts ----------------------------------------------------------------------------------


def test_add_account(chain: Chain, deployment: Deployment) -> None:
    department, extra = deployment.add_department(ISSUER), chain.new_account()
    receipt = deployment.govern(
        deployment.departments.functions.addAccount(department.code, extra.address)
    )
    assert chain.events(receipt, deployment.departments, "DepartmentAccountAdded") == [
        {"code": department.code, "account": extra.address}
    ]
    assert department_view(deployment, department.code)["accounts"] == [
        department.account.address,
        extra.address,
    ]
    assert deployment.departments.functions.requireRole(extra.address, ISSUER).call() == (
        department.code
    )


def test_add_account_rejects_zero_account(deployment: Deployment) -> None:
    department = deployment.add_department()
    with reverts("DepartmentZeroAccount", department.code):
        deployment.govern(
            deployment.departments.functions.addAccount(department.code, ZERO_ADDRESS)
        )


@pytest.mark.parametrize("owner", ["same", "other"])
def test_add_account_rejects_bound_account(deployment: Deployment, owner: str) -> None:
    department, other = deployment.add_department(), deployment.add_department()
    holder = department if owner == "same" else other
    with reverts("DepartmentAccountTaken", holder.account.address, holder.code):
        deployment.govern(
            deployment.departments.functions.addAccount(department.code, holder.account.address)
        )
    assert department_view(deployment, department.code)["accounts"] == [department.account.address]


def test_remove_account(chain: Chain, deployment: Deployment) -> None:
    department = deployment.add_department(ISSUER)
    second, third = chain.new_account(), chain.new_account()
    for extra in (second, third):
        deployment.govern(
            deployment.departments.functions.addAccount(department.code, extra.address)
        )
    removed = department.account.address
    receipt = deployment.govern(
        deployment.departments.functions.removeAccount(department.code, removed)
    )
    assert chain.events(receipt, deployment.departments, "DepartmentAccountRemoved") == [
        {"code": department.code, "account": removed}
    ]
    assert sorted(department_view(deployment, department.code)["accounts"]) == sorted(  # type: ignore[type-var]
        [second.address, third.address]
    )
    with reverts("DepartmentUnknownAccount", removed):
        chain.call(
            deployment.outsider, deployment.departments.functions.requireRole(removed, ISSUER)
        )
    # The account that moved in the list can still be removed.
    deployment.govern(
        deployment.departments.functions.removeAccount(department.code, third.address)
    )
    assert department_view(deployment, department.code)["accounts"] == [second.address]


@pytest.mark.parametrize("holder", ["nobody", "other department"])
def test_remove_account_rejects_account_not_bound_to_department(
    chain: Chain, deployment: Deployment, holder: str
) -> None:
    department, other = deployment.add_department(), deployment.add_department()
    account = chain.new_account().address if holder == "nobody" else other.account.address
    with reverts("DepartmentAccountNotBound", department.code, account):
        deployment.govern(deployment.departments.functions.removeAccount(department.code, account))


# --- roles -------------------------------------------------------------------------------------


def test_grant_role(chain: Chain, deployment: Deployment) -> None:
    department = deployment.add_department()
    receipt = deployment.govern(
        deployment.departments.functions.grantRole(department.code, VERIFIER)
    )
    assert chain.events(receipt, deployment.departments, "DepartmentRoleGranted") == [
        {"code": department.code, "role": VERIFIER}
    ]
    assert deployment.departments.functions.hasRole(department.code, VERIFIER).call()


def test_grant_role_twice_changes_nothing(chain: Chain, deployment: Deployment) -> None:
    department = deployment.add_department(VERIFIER)
    receipt = deployment.govern(
        deployment.departments.functions.grantRole(department.code, VERIFIER)
    )
    assert chain.events(receipt, deployment.departments, "DepartmentRoleGranted") == []
    assert department_view(deployment, department.code)["roles"] == [VERIFIER]


@pytest.mark.parametrize("function_name", ["grantRole", "revokeRole"])
def test_role_changes_reject_unknown_role(deployment: Deployment, function_name: str) -> None:
    department = deployment.add_department()
    function = deployment.departments.get_function_by_name(function_name)
    with reverts("DepartmentUnknownRole", UNKNOWN_ROLE):
        deployment.govern(function(department.code, UNKNOWN_ROLE))


def test_revoke_role(chain: Chain, deployment: Deployment) -> None:
    department = deployment.add_department(DATA_PROVIDER, DATA_REQUESTER)
    receipt = deployment.govern(
        deployment.departments.functions.revokeRole(department.code, DATA_PROVIDER)
    )
    assert chain.events(receipt, deployment.departments, "DepartmentRoleRevoked") == [
        {"code": department.code, "role": DATA_PROVIDER}
    ]
    assert department_view(deployment, department.code)["roles"] == [DATA_REQUESTER]
    with reverts("DepartmentMissingRole", department.code, DATA_PROVIDER):
        chain.call(
            deployment.outsider,
            deployment.departments.functions.requireRole(department.account.address, DATA_PROVIDER),
        )


def test_revoke_role_not_held_changes_nothing(chain: Chain, deployment: Deployment) -> None:
    department = deployment.add_department(AUDITOR)
    receipt = deployment.govern(
        deployment.departments.functions.revokeRole(department.code, ISSUER)
    )
    assert chain.events(receipt, deployment.departments, "DepartmentRoleRevoked") == []
    assert department_view(deployment, department.code)["roles"] == [AUDITOR]


# --- suspension --------------------------------------------------------------------------------


def test_suspend_department(chain: Chain, deployment: Deployment) -> None:
    department = deployment.add_department(ISSUER)
    receipt = deployment.govern(
        deployment.departments.functions.suspendDepartment(department.code, 17)
    )
    assert chain.events(receipt, deployment.departments, "DepartmentStatusChanged") == [
        {"code": department.code, "active": False, "reasonCode": 17}
    ]
    registry = deployment.departments
    assert not registry.functions.isActive(department.code).call()
    assert registry.functions.hasRole(department.code, ISSUER).call()  # kept for reinstatement
    with reverts("DepartmentSuspended", department.code):
        chain.call(
            deployment.outsider, registry.functions.requireRole(department.account.address, ISSUER)
        )


def test_suspend_department_rejects_suspended(deployment: Deployment) -> None:
    department = deployment.add_department(suspended=True)
    with reverts("DepartmentSuspended", department.code):
        deployment.govern(deployment.departments.functions.suspendDepartment(department.code, 1))


def test_reinstate_department(chain: Chain, deployment: Deployment) -> None:
    department = deployment.add_department(ISSUER, suspended=True)
    receipt = deployment.govern(
        deployment.departments.functions.reinstateDepartment(department.code, 18)
    )
    assert chain.events(receipt, deployment.departments, "DepartmentStatusChanged") == [
        {"code": department.code, "active": True, "reasonCode": 18}
    ]
    assert deployment.departments.functions.isActive(department.code).call()
    assert (
        deployment.departments.functions.requireRole(department.account.address, ISSUER).call()
        == department.code
    )


def test_reinstate_department_rejects_active(deployment: Deployment) -> None:
    department = deployment.add_department()
    with reverts("DepartmentNotSuspended", department.code):
        deployment.govern(deployment.departments.functions.reinstateDepartment(department.code, 1))


# --- views -------------------------------------------------------------------------------------


def test_views_of_unknown_department(chain: Chain, deployment: Deployment) -> None:
    code, registry = deployment.next_code(), deployment.departments
    assert not registry.functions.isRegistered(code).call()
    assert not registry.functions.isActive(code).call()
    assert not registry.functions.hasRole(code, ISSUER).call()
    for function in (registry.functions.publicKeyOf(code), registry.functions.getDepartment(code)):
        with reverts("DepartmentUnknown", code):
            chain.call(deployment.outsider, function)


def test_department_of_unknown_account(chain: Chain, deployment: Deployment) -> None:
    account = deployment.outsider.address
    with reverts("DepartmentUnknownAccount", account):
        chain.call(deployment.outsider, deployment.departments.functions.departmentOf(account))


def test_require_role(chain: Chain, deployment: Deployment) -> None:
    department = deployment.add_department(SEAL_ADMIN)
    registry, account = deployment.departments, department.account.address
    assert registry.functions.requireRole(account, SEAL_ADMIN).call() == department.code
    with reverts("DepartmentMissingRole", department.code, ISSUER):
        chain.call(deployment.outsider, registry.functions.requireRole(account, ISSUER))
    outsider = deployment.outsider.address
    with reverts("DepartmentUnknownAccount", outsider):
        chain.call(deployment.outsider, registry.functions.requireRole(outsider, SEAL_ADMIN))


def test_require_active(chain: Chain, deployment: Deployment) -> None:
    active, suspended = deployment.add_department(), deployment.add_department(suspended=True)
    registry = deployment.departments
    assert registry.functions.requireActive(active.account.address).call() == active.code
    with reverts("DepartmentSuspended", suspended.code):
        chain.call(deployment.outsider, registry.functions.requireActive(suspended.account.address))
    outsider = deployment.outsider.address
    with reverts("DepartmentUnknownAccount", outsider):
        chain.call(deployment.outsider, registry.functions.requireActive(outsider))


def test_zero_hash_is_no_role(deployment: Deployment) -> None:
    department = deployment.add_department(*ALL_ROLES)
    assert not deployment.departments.functions.hasRole(department.code, ZERO_HASH).call()
