"""Behaviours several contracts share, each one test parametrised over the contracts that have it:
deployment with a zero address, the wiring views, governance-only functions, unknown departments
and role-gated functions. What a contract does on its own is in its own module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount
from web3.contract import Contract

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

# --- constructors ------------------------------------------------------------------------------

# Each contract with an address argument, the arguments with one of them zero, and its error.
ZERO_ADDRESS_DEPLOYMENTS: dict[str, tuple[str, Callable[[Deployment], tuple[object, ...]], str]] = {
    "DepartmentRegistry(governance)": (
        "DepartmentRegistry",
        lambda d: (ZERO_ADDRESS,),
        "DepartmentZeroAddress",
    ),
    "LicenceRegistry(registry)": (
        "LicenceRegistry",
        lambda d: (ZERO_ADDRESS,),
        "LicenceZeroAddress",
    ),
    "SealRegistry(registry)": ("SealRegistry", lambda d: (ZERO_ADDRESS,), "SealZeroAddress"),
    "DataSharing(registry)": (
        "DataSharing",
        lambda d: (ZERO_ADDRESS, d.governance.address),
        "SharingZeroAddress",
    ),
    "DataSharing(governance)": (
        "DataSharing",
        lambda d: (d.departments.address, ZERO_ADDRESS),
        "SharingZeroAddress",
    ),
    "AuditAnchors(registry)": ("AuditAnchors", lambda d: (ZERO_ADDRESS,), "AuditZeroAddress"),
}


@pytest.mark.parametrize("case", ZERO_ADDRESS_DEPLOYMENTS)
def test_constructor_rejects_zero_address(chain: Chain, deployment: Deployment, case: str) -> None:
    contract_name, arguments, error = ZERO_ADDRESS_DEPLOYMENTS[case]
    with reverts(error):
        chain.deploy(chain.new_account(), contract_name, *arguments(deployment))


# --- wiring views ------------------------------------------------------------------------------

# (contract attribute of the deployment, view, the attribute of the contract it must answer)
WIRING = [
    ("departments", "governance", "governance"),
    ("licences", "departmentRegistry", "departments"),
    ("seals", "departmentRegistry", "departments"),
    ("sharing", "departmentRegistry", "departments"),
    ("sharing", "governance", "governance"),
    ("audit", "departmentRegistry", "departments"),
    ("audit", "governance", "governance"),
]


@pytest.mark.parametrize(("contract", "view", "answer"), WIRING)
def test_wiring_views_answer_the_deployment_addresses(
    deployment: Deployment, contract: str, view: str, answer: str
) -> None:
    function = getattr(deployment, contract).get_function_by_name(view)
    assert function().call() == getattr(deployment, answer).address


# --- functions only the governance contract calls ---------------------------------------------


@dataclass(frozen=True)
class GovernedCase:
    """A function only governance may call: the deployment's contract it is on, well-formed
    arguments naming a department, the refusal's error, and a view of what a call would change."""

    contract: str
    arguments: Callable[[Deployment, Department], tuple[object, ...]]
    error: str
    state: Callable[[Deployment, Department], object]


def _department_state(deployment: Deployment, department: Department) -> object:
    return deployment.departments.functions.getDepartment(department.code).call()


def _committee_state(deployment: Deployment, department: Department) -> object:
    functions = deployment.governance.functions
    return (
        functions.members().call(),
        functions.threshold().call(),
        functions.proposalLifetime().call(),
    )


def _operator_state(deployment: Deployment, department: Department) -> object:
    return deployment.audit.functions.isLogOperator(department.code).call()


def _registry_change(
    arguments: Callable[[Deployment, Department], tuple[object, ...]],
) -> GovernedCase:
    return GovernedCase("departments", arguments, "DepartmentNotGovernance", _department_state)


def _committee_change(argument: Callable[[Deployment], object]) -> GovernedCase:
    return GovernedCase(
        "governance", lambda d, _: (argument(d),), "GovernanceOnlySelf", _committee_state
    )


def _operator_change() -> GovernedCase:
    return GovernedCase("audit", lambda d, o: (o.code,), "AuditNotGovernance", _operator_state)


GOVERNED: dict[str, GovernedCase] = {
    "DepartmentRegistry.registerDepartment": _registry_change(
        lambda d, o: (d.next_code(), "Name", SM2_KEYS["K1"], [], [])
    ),
    "DepartmentRegistry.rotatePublicKey": _registry_change(lambda d, o: (o.code, SM2_KEYS["K2"])),
    "DepartmentRegistry.addAccount": _registry_change(lambda d, o: (o.code, ZERO_ADDRESS)),
    "DepartmentRegistry.removeAccount": _registry_change(lambda d, o: (o.code, o.account.address)),
    "DepartmentRegistry.grantRole": _registry_change(lambda d, o: (o.code, ISSUER)),
    "DepartmentRegistry.revokeRole": _registry_change(lambda d, o: (o.code, ISSUER)),
    "DepartmentRegistry.suspendDepartment": _registry_change(lambda d, o: (o.code, 1)),
    "DepartmentRegistry.reinstateDepartment": _registry_change(lambda d, o: (o.code, 1)),
    "Governance.addMember": _committee_change(lambda d: d.outsider.address),
    "Governance.removeMember": _committee_change(lambda d: d.committee[2].address),
    "Governance.changeThreshold": _committee_change(lambda d: 1),
    "Governance.changeProposalLifetime": _committee_change(lambda d: 60),
    "AuditAnchors.grantLogOperator": _operator_change(),
    "AuditAnchors.revokeLogOperator": _operator_change(),
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
    case = GOVERNED[function_name]
    contract: Contract = getattr(deployment, case.contract)
    function = contract.get_function_by_name(function_name.split(".")[1])
    account = DIRECT_CALLERS[caller](deployment, governed_department)
    before = case.state(deployment, governed_department)
    with reverts(case.error, account.address):
        chain.send(account, function(*case.arguments(deployment, governed_department)))
    assert case.state(deployment, governed_department) == before


# --- unknown departments -----------------------------------------------------------------------

# Each governed function that names a department, with arguments for department ``code`` and the
# error it gets when ``code`` is not registered.
NAMING_A_DEPARTMENT: dict[str, tuple[Callable[[Deployment, bytes], object], str]] = {
    "DepartmentRegistry.rotatePublicKey": (
        lambda d, code: d.departments.functions.rotatePublicKey(code, SM2_KEYS["K2"]),
        "DepartmentUnknown",
    ),
    "DepartmentRegistry.addAccount": (
        lambda d, code: d.departments.functions.addAccount(code, d.chain.new_account().address),
        "DepartmentUnknown",
    ),
    "DepartmentRegistry.removeAccount": (
        lambda d, code: d.departments.functions.removeAccount(code, d.outsider.address),
        "DepartmentUnknown",
    ),
    "DepartmentRegistry.grantRole": (
        lambda d, code: d.departments.functions.grantRole(code, ISSUER),
        "DepartmentUnknown",
    ),
    "DepartmentRegistry.revokeRole": (
        lambda d, code: d.departments.functions.revokeRole(code, ISSUER),
        "DepartmentUnknown",
    ),
    "DepartmentRegistry.suspendDepartment": (
        lambda d, code: d.departments.functions.suspendDepartment(code, 1),
        "DepartmentUnknown",
    ),
    "DepartmentRegistry.reinstateDepartment": (
        lambda d, code: d.departments.functions.reinstateDepartment(code, 1),
        "DepartmentUnknown",
    ),
    "AuditAnchors.grantLogOperator": (
        lambda d, code: d.audit.functions.grantLogOperator(code),
        "AuditUnknownDepartment",
    ),
}


@pytest.mark.parametrize("function_name", NAMING_A_DEPARTMENT)
def test_governed_functions_reject_unknown_department(
    deployment: Deployment, function_name: str
) -> None:
    call, error = NAMING_A_DEPARTMENT[function_name]
    code = deployment.next_code()
    with reverts(error, code):
        deployment.govern(call(deployment, code))
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


LICENCE_CHANGES = (
    "anchorBatch",
    "suspendLicence",
    "reinstateLicence",
    "withdrawLicence",
    "cancelLicence",
    "revokeLicence",
    "supersedeLicence",
)
# Each role-gated function: the role it needs and how to prepare a call of it.
GATED: dict[str, tuple[bytes, Callable[[Deployment, Department, str], Prepared]]] = {
    **{f"LicenceRegistry.{name}": (ISSUER, _licence_change) for name in LICENCE_CHANGES},
    "SealRegistry.registerSeal": (SEAL_ADMIN, _seal_change),
    "SealRegistry.revokeSeal": (SEAL_ADMIN, _seal_change),
    **{
        f"DataSharing.{name}": (DATA_PROVIDER, _sharing_change)
        for name in (
            "registerDataset",
            "publishVersion",
            "approveRequest",
            "rejectRequest",
            "revokeGrant",
            "consumeUses",
        )
    },
    "DataSharing.requestAccess": (DATA_REQUESTER, _sharing_change),
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
