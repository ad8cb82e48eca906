"""Behaviours several contracts share, each one test parametrised over the contracts that have it:
deployment with a zero address, the wiring views, governance-only functions and unknown
departments. What a contract does on its own is in its own module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from tests.contracts.chains import Chain, reverts
from tests.contracts.deployment import ISSUER, SM2_KEYS, ZERO_ADDRESS, Department, Deployment

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
