"""Behaviours several contracts share, each one test parametrised over the contracts that have it:
deployment with a zero address, the wiring views, governance-only functions, unknown departments
and role-gated functions. What a contract does on its own is in its own module."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from tests.contracts.chains import Chain, reverts
from tests.contracts.deployment import (
    ALL_ROLES,
    DATA_PROVIDER,
    DATA_REQUESTER,
    ISSUER,
    SEAL_ADMIN,
    SM2_KEYS,
    UNAUTHORISED_CALLERS,
    ZERO_ADDRESS,
    Department,
    Deployment,
    random_hash,
    unauthorised_caller,
)

SOME_ACCOUNT = Account.create().address

# --- constructors ------------------------------------------------------------------------------

# The contracts with address arguments: the deployment's contracts they take, and their error.
ADDRESS_ARGUMENTS = {
    "DepartmentRegistry": (("governance",), "DepartmentZeroAddress"),
    "LicenceRegistry": (("departments",), "LicenceZeroAddress"),
    "SealRegistry": (("departments",), "SealZeroAddress"),
    "DataSharing": (("departments", "governance"), "SharingZeroAddress"),
    "AuditAnchors": (("departments",), "AuditZeroAddress"),
}


@pytest.mark.parametrize(
    ("contract_name", "zero"),
    [(name, argument) for name, (names, _) in ADDRESS_ARGUMENTS.items() for argument in names],
)
def test_constructor_rejects_zero_address(
    chain: Chain, deployment: Deployment, contract_name: str, zero: str
) -> None:
    names, error = ADDRESS_ARGUMENTS[contract_name]
    arguments = [ZERO_ADDRESS if n == zero else getattr(deployment, n).address for n in names]
    with reverts(error):
        chain.deploy(chain.new_account(), contract_name, *arguments)


# --- wiring views ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("view", "answer"),
    [
        ("DepartmentRegistry.governance", "governance"),
        ("LicenceRegistry.departmentRegistry", "departments"),
        ("SealRegistry.departmentRegistry", "departments"),
        ("DataSharing.departmentRegistry", "departments"),
        ("DataSharing.governance", "governance"),
        ("AuditAnchors.departmentRegistry", "departments"),
        ("AuditAnchors.governance", "governance"),
    ],
)
def test_wiring_views_answer_the_deployment_addresses(
    deployment: Deployment, view: str, answer: str
) -> None:
    assert deployment.function(view)().call() == getattr(deployment, answer).address


# --- functions only the governance contract calls ---------------------------------------------

COMMITTEE_VIEWS = ("Governance.members", "Governance.threshold", "Governance.proposalLifetime")
# Per contract: the error of a direct call, and a view of what such a call could change.
GOVERNED_CONTRACTS: dict[str, tuple[str, Callable[[Deployment, Department], object]]] = {
    "DepartmentRegistry": (
        "DepartmentNotGovernance",
        lambda d, o: d.departments.functions.getDepartment(o.code).call(),
    ),
    "Governance": (
        "GovernanceOnlySelf",
        lambda d, o: [d.function(view)().call() for view in COMMITTEE_VIEWS],
    ),
    "AuditAnchors": (
        "AuditNotGovernance",
        lambda d, o: d.audit.functions.isLogOperator(o.code).call(),
    ),
}
# Each function only governance may call, with well-formed arguments about department ``o``.
GOVERNED: dict[str, Callable[[Deployment, Department], tuple[object, ...]]] = {
    "DepartmentRegistry.registerDepartment": lambda d, o: (
        d.next_code(),
        "Name",
        SM2_KEYS["K1"],
        [],
        [],
    ),
    "DepartmentRegistry.rotatePublicKey": lambda d, o: (o.code, SM2_KEYS["K2"]),
    "DepartmentRegistry.addAccount": lambda d, o: (o.code, ZERO_ADDRESS),
    "DepartmentRegistry.removeAccount": lambda d, o: (o.code, o.account.address),
    "DepartmentRegistry.grantRole": lambda d, o: (o.code, ISSUER),
    "DepartmentRegistry.revokeRole": lambda d, o: (o.code, ISSUER),
    "DepartmentRegistry.suspendDepartment": lambda d, o: (o.code, 1),
    "DepartmentRegistry.reinstateDepartment": lambda d, o: (o.code, 1),
    "Governance.addMember": lambda d, o: (d.outsider.address,),
    "Governance.removeMember": lambda d, o: (d.committee[2].address,),
    "Governance.changeThreshold": lambda d, o: (1,),
    "Governance.changeProposalLifetime": lambda d, o: (60,),
    "AuditAnchors.grantLogOperator": lambda d, o: (o.code,),
    "AuditAnchors.revokeLogOperator": lambda d, o: (o.code,),
}
# Who tries the call directly: a committee member acting alone, the department concerned, anyone.
DIRECT_CALLERS: dict[str, Callable[[Deployment, Department], LocalAccount]] = {
    "committee member": lambda d, department: d.committee[0],
    "department": lambda d, department: department.account,
    "outsider": lambda d, department: d.outsider,
}


@pytest.fixture(scope="module")
def governed_department(deployment: Deployment) -> Department:
    """An ISSUER department that is a log operator; no direct call may change either."""
    department = deployment.add_department(ISSUER)
    deployment.govern(deployment.audit.functions.grantLogOperator(department.code))
    return department


@pytest.mark.parametrize("function_name", GOVERNED)
@pytest.mark.parametrize("caller", DIRECT_CALLERS)
def test_governed_functions_refuse_direct_calls(
    chain: Chain,
    deployment: Deployment,
    governed_department: Department,
    function_name: str,
    caller: str,
) -> None:
    error, state = GOVERNED_CONTRACTS[function_name.split(".", maxsplit=1)[0]]
    arguments = GOVERNED[function_name](deployment, governed_department)
    account = DIRECT_CALLERS[caller](deployment, governed_department)
    before = state(deployment, governed_department)
    with reverts(error, account.address):
        chain.send(account, deployment.function(function_name)(*arguments))
    assert state(deployment, governed_department) == before


# --- unknown departments -----------------------------------------------------------------------

# Each governed function that names a department, with its arguments after the department's
# code (checked first, so any well-formed value does), and its error for an unknown department.
NAMING_A_DEPARTMENT: dict[str, tuple[tuple[object, ...], str]] = {
    "DepartmentRegistry.rotatePublicKey": ((SM2_KEYS["K2"],), "DepartmentUnknown"),
    "DepartmentRegistry.addAccount": ((SOME_ACCOUNT,), "DepartmentUnknown"),
    "DepartmentRegistry.removeAccount": ((SOME_ACCOUNT,), "DepartmentUnknown"),
    "DepartmentRegistry.grantRole": ((ISSUER,), "DepartmentUnknown"),
    "DepartmentRegistry.revokeRole": ((ISSUER,), "DepartmentUnknown"),
    "DepartmentRegistry.suspendDepartment": ((1,), "DepartmentUnknown"),
    "DepartmentRegistry.reinstateDepartment": ((1,), "DepartmentUnknown"),
    "AuditAnchors.grantLogOperator": ((), "AuditUnknownDepartment"),
}


@pytest.mark.parametrize("function_name", NAMING_A_DEPARTMENT)
def test_governed_functions_reject_unknown_department(
    deployment: Deployment, function_name: str
) -> None:
    arguments, error = NAMING_A_DEPARTMENT[function_name]
    code = deployment.next_code()
    with reverts(error, code):
        deployment.govern(deployment.function(function_name)(code, *arguments))
    assert not deployment.departments.functions.isRegistered(code).call()
    assert not deployment.audit.functions.isLogOperator(code).call()


# --- functions gated on a department role ------------------------------------------------------

# What a gated call acts on, prepared by ``owner`` (a department holding every role): the call
# and a view of everything a refused call must leave as it was.
Prepared = tuple[object, Callable[[], object]]
FIELD = random_hash()  # a field name's hash, also used as a purpose


def _licence_change(d: Deployment, owner: Department, name: str) -> Prepared:
    root, leaf, licences = random_hash(), random_hash(), d.licences.functions
    d.chain.send(owner.account, licences.anchorBatch(root, 3))
    if name == "reinstateLicence":
        d.chain.send(owner.account, licences.suspendLicence(root, leaf, 1))
    calls: dict[str, Callable[[], object]] = {
        "anchorBatch": lambda: licences.anchorBatch(random_hash(), 1),
        "supersedeLicence": lambda: licences.supersedeLicence(root, leaf, root, random_hash(), 1),
    }
    call = calls.get(name, lambda: d.licences.get_function_by_name(name)(root, leaf, 1))()
    return call, lambda: licences.statusOf(root, leaf).call()


def _seal_change(d: Deployment, owner: Department, name: str) -> Prepared:
    seal_id, seals = random_hash(), d.seals.functions
    d.chain.send(owner.account, seals.registerSeal(seal_id, [random_hash()], 0, 1))
    call = (
        seals.registerSeal(random_hash(), [random_hash()], 0, 1)
        if name == "registerSeal"
        else seals.revokeSeal(seal_id, 1)
    )
    return call, lambda: seals.getSeal(seal_id).call()


def _sharing_change(d: Deployment, owner: Department, name: str) -> Prepared:
    """A conditional dataset with a pending request, and a grant of an unconditional one."""
    sharing, send = d.sharing.functions, d.chain.send
    dataset_id, open_dataset = random_hash(), random_hash()
    expires_at = d.chain.latest_timestamp() + 10**6
    send(owner.account, sharing.registerDataset(dataset_id, 1, random_hash()))
    send(owner.account, sharing.registerDataset(open_dataset, 0, random_hash()))
    for requested in (dataset_id, open_dataset):
        send(owner.account, sharing.requestAccess(requested, [FIELD], FIELD, 1, expires_at, 5))
    grant_id = sharing.grantCount().call()
    pending = grant_id - 1
    call = {
        "registerDataset": lambda: sharing.registerDataset(random_hash(), 1, random_hash()),
        "publishVersion": lambda: sharing.publishVersion(dataset_id, random_hash(), random_hash()),
        "requestAccess": lambda: sharing.requestAccess(dataset_id, [FIELD], FIELD, 1, 2**40, 1),
        "approveRequest": lambda: sharing.approveRequest(pending, [FIELD], 2**40, 1),
        "rejectRequest": lambda: sharing.rejectRequest(pending, 1),
        "revokeGrant": lambda: sharing.revokeGrant(grant_id, 1),
        "consumeUses": lambda: sharing.consumeUses(grant_id, 1, 0),
    }[name]()
    return call, lambda: (
        sharing.getGrant(pending).call(),
        sharing.getGrant(grant_id).call(),
        sharing.getDataset(dataset_id).call(),
        sharing.grantCount().call(),
    )


# Each role-gated function: the role it needs and how to prepare a call of it.
GATED: dict[str, tuple[bytes, Callable[[Deployment, Department, str], Prepared]]] = {
    "LicenceRegistry.anchorBatch": (ISSUER, _licence_change),
    "LicenceRegistry.suspendLicence": (ISSUER, _licence_change),
    "LicenceRegistry.reinstateLicence": (ISSUER, _licence_change),
    "LicenceRegistry.withdrawLicence": (ISSUER, _licence_change),
    "LicenceRegistry.cancelLicence": (ISSUER, _licence_change),
    "LicenceRegistry.revokeLicence": (ISSUER, _licence_change),
    "LicenceRegistry.supersedeLicence": (ISSUER, _licence_change),
    "SealRegistry.registerSeal": (SEAL_ADMIN, _seal_change),
    "SealRegistry.revokeSeal": (SEAL_ADMIN, _seal_change),
    "DataSharing.registerDataset": (DATA_PROVIDER, _sharing_change),
    "DataSharing.publishVersion": (DATA_PROVIDER, _sharing_change),
    "DataSharing.requestAccess": (DATA_REQUESTER, _sharing_change),
    "DataSharing.approveRequest": (DATA_PROVIDER, _sharing_change),
    "DataSharing.rejectRequest": (DATA_PROVIDER, _sharing_change),
    "DataSharing.revokeGrant": (DATA_PROVIDER, _sharing_change),
    "DataSharing.consumeUses": (DATA_PROVIDER, _sharing_change),
}


@pytest.fixture(scope="module")
def owner(deployment: Deployment) -> Department:
    return deployment.add_department(*ALL_ROLES)


@pytest.mark.parametrize("function_name", GATED)
@pytest.mark.parametrize("kind", UNAUTHORISED_CALLERS)
def test_gated_functions_refuse_unauthorised_callers(
    chain: Chain, deployment: Deployment, owner: Department, function_name: str, kind: str
) -> None:
    role, prepare = GATED[function_name]
    call, state = prepare(deployment, owner, function_name.split(".")[1])
    before = state()
    account, error, arguments = unauthorised_caller(deployment, kind, role)
    with reverts(error, *arguments):
        chain.send(account, call)
    assert state() == before
