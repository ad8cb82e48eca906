"""The typed contract wrappers on a real deployment, on the embedded chain and on Anvil.

Each backend gets one deployment per module (2-of-3 committee); tests use fresh codes and ids
so they do not depend on each other. Refused writes are checked to change nothing.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from ledger import ContractRevert, JSONRPCBackend, Ledger, revert_error_class
from ledger.artifacts import load_artifact
from ledger.backends.embedded import EmbeddedBackend
from ledger.contracts import Registries
from ledger.contracts.governance import Governance
from ledger.contracts.values import (
    Action,
    GrantStatus,
    InvalidArgument,
    LicenceStatus,
    Role,
    ShareClass,
    bytes32_to_code,
    code_to_bytes32,
)
from ledger.deploy import deploy_all
from ledger.devnode import AnvilNode
from tests.contracts.deployment import SM2_KEYS

EMBEDDED_CHAIN_ID = 1337
_SERIALS = itertools.count(1)


def new_code() -> str:
    """A fresh code of the registry's alphabet (the check character is not the chain's job)."""
    return f"1135{next(_SERIALS):014d}"


def new_id() -> bytes:
    return os.urandom(32)


@dataclass
class World:
    ledger: Ledger
    registries: Registries
    committee: list[LocalAccount]

    def govern(self, action: Action) -> int:
        """Member 0 proposes, member 1 approves (reaching the threshold of 2)."""
        proposal_id = self.registries.governance.propose_action(self.committee[0], action).value
        self.registries.governance.approve(self.committee[1], proposal_id)
        return proposal_id

    def department(self, *roles: Role) -> tuple[str, LocalAccount]:
        code, account = new_code(), Account.create()
        self.govern(
            self.registries.departments.encode_register(
                code, f"部门 {code}", SM2_KEYS["K1"], [account.address], roles
            )
        )
        return code, account

    def now(self) -> int:
        return int(
            self.ledger.provider.request("eth_getBlockByNumber", ["latest", False])["timestamp"], 16
        )


@dataclass
class Committee:
    """A Governance contract of its own, for tests that change the committee (the world's
    committee must stay 2-of-3 for the other tests)."""

    governance: Governance
    members: list[LocalAccount]

    def pass_action(self, action: Action) -> int:
        """Member 0 proposes, member 1 approves: enough for a threshold of 2."""
        proposal_id = self.governance.propose_action(self.members[0], action).value
        self.governance.approve(self.members[1], proposal_id)
        return proposal_id


def new_committee(world: World, size: int, threshold: int) -> Committee:
    members = [Account.create() for _ in range(size)]
    deployed = world.ledger.deploy_contract(
        members[0], load_artifact("Governance"), [member.address for member in members], threshold
    )
    governance = Governance(world.ledger, deployed.address, deploy_block=deployed.block_number)
    return Committee(governance, members)


def _open_ledger(backend: str, data_dir: Path, request: pytest.FixtureRequest) -> Ledger:
    if backend == "embedded":
        return Ledger(
            EmbeddedBackend(data_dir / "chain", chain_id=EMBEDDED_CHAIN_ID),
            data_dir=data_dir,
            chain_id=EMBEDDED_CHAIN_ID,
        )
    node: AnvilNode = request.getfixturevalue("anvil")
    return Ledger(JSONRPCBackend(node.url), data_dir=data_dir, chain_id=node.chain_id)


@pytest.fixture(scope="module", params=["embedded", pytest.param("anvil", marks=pytest.mark.anvil)])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp(f"wrappers-{request.param}")
    ledger = _open_ledger(request.param, data_dir, request)
    committee = [Account.create() for _ in range(3)]
    manifest = deploy_all(ledger, committee[0], [member.address for member in committee], 2)
    yield World(ledger, Registries.from_manifest(ledger, manifest), committee)
    ledger.close()


# -- values -------------------------------------------------------------------------------------


def test_codes_and_roles_convert_both_ways() -> None:
    assert bytes32_to_code(code_to_bytes32("91350100M000100Y43")) == "91350100M000100Y43"
    assert code_to_bytes32("91350100M000100Y43")[18:] == bytes(14)
    assert Role.parse("issuer") is Role.ISSUER
    assert Role.parse("SEAL_ADMIN_ROLE") is Role.SEAL_ADMIN
    assert Role.from_id(Role.AUDITOR.value) is Role.AUDITOR
    # The values are the contract's own constants.
    assert (
        Role.ISSUER.value.hex()
        == "114e74f6ea3bd819998f78687bfcb11b140da08e9b7d222fa9c1f1ba1f2aa122"
    )


def test_enums_are_the_contracts_own_constants(world: World) -> None:
    registries = world.registries
    # The enum standing for each contract's constants, and how a member names its constant.
    enums = [
        (registries.departments, Role, "{}_ROLE"),
        (registries.licences, LicenceStatus, "STATUS_{}"),
        (registries.sharing, GrantStatus, "GRANT_{}"),
        (registries.sharing, ShareClass, "SHARE_{}"),
    ]
    checked: set[tuple[str, str]] = set()
    for wrapper, enum, constant_name in enums:
        contract = world.ledger.contract(list(wrapper.abi), wrapper.address)
        for member in enum:
            if member is LicenceStatus.EXPIRED:  # never stored, so the contract has no constant
                continue
            name = constant_name.format(member.name)
            assert contract.functions[name]().call() == member.value, name
            checked.add((wrapper.contract_name, name))
    every_contract = (
        registries.governance,
        registries.departments,
        registries.licences,
        registries.seals,
        registries.sharing,
        registries.audit,
    )
    constants = {
        (wrapper.contract_name, str(entry["name"]))
        for wrapper in every_contract
        for entry in wrapper.abi
        if entry.get("type") == "function" and str(entry["name"]).isupper()
    }
    assert constants == checked  # no constant of the contracts is left without its enum member


@pytest.mark.parametrize(
    "bad_code",
    ["91350100M000100Y4", "91350100M000100Y431", "91350100M000100Y4I", "91350100m000100y43"],
)
def test_malformed_codes_are_refused_before_any_call(bad_code: str) -> None:
    with pytest.raises(InvalidArgument):
        code_to_bytes32(bad_code)


def test_unknown_role_names_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="unknown role 'ADMIN'"):
        Role.parse("ADMIN")


# -- governance ---------------------------------------------------------------------------------


def test_proposal_below_threshold_does_not_execute(world: World) -> None:
    governance, departments = world.registries.governance, world.registries.departments
    code, account = new_code(), Account.create()
    action = departments.encode_register(code, "待批部门", SM2_KEYS["K2"], [account.address], [])

    proposal_id = governance.propose_action(world.committee[2], action).value

    proposal = governance.get_proposal(proposal_id)
    assert (proposal.proposer, proposal.target, proposal.executed) == (
        world.committee[2].address,
        departments.address,
        False,
    )
    assert proposal.data == action.calldata
    assert governance.approval_count(proposal_id) == 1
    assert governance.has_approved(proposal_id, world.committee[2].address)
    assert departments.find_department(code) is None

    governance.approve(world.committee[0], proposal_id)
    assert governance.get_proposal(proposal_id).executed
    assert departments.get_department(code).name == "待批部门"


def test_each_contract_knows_the_contracts_it_was_deployed_with(world: World) -> None:
    registries = world.registries
    governed = (registries.departments, registries.sharing)
    assert [wrapper.governance() for wrapper in governed] == [registries.governance.address] * 2
    users = (registries.licences, registries.seals, registries.sharing, registries.audit)
    assert [wrapper.department_registry() for wrapper in users] == [
        registries.departments.address
    ] * 4


def test_committee_reads(world: World) -> None:
    governance = world.registries.governance
    assert governance.members() == tuple(member.address for member in world.committee)
    assert governance.threshold() == 2
    assert governance.is_member(world.committee[1].address)
    assert not governance.is_member(Account.create().address)


def test_outsider_cannot_propose_and_double_approval_is_refused(world: World) -> None:
    governance, departments = world.registries.governance, world.registries.departments
    outsider = Account.create()
    action = departments.encode_suspend(new_code(), 1)
    count = governance.proposal_count()

    with pytest.raises(revert_error_class("GovernanceNotMember")) as refused:
        governance.propose_action(outsider, action)
    assert refused.value.args_by_name == {"account": outsider.address}
    assert governance.proposal_count() == count

    code, _ = world.department()
    proposal_id = governance.propose_action(
        world.committee[0], departments.encode_suspend(code, 1)
    ).value
    with pytest.raises(revert_error_class("GovernanceAlreadyApproved")):
        governance.approve(world.committee[0], proposal_id)
    assert governance.approval_count(proposal_id) == 1
    assert departments.is_active(code)


def test_a_failing_target_reverts_the_approval_with_its_own_error(world: World) -> None:
    governance, departments = world.registries.governance, world.registries.departments
    code, _ = world.department()
    proposal_id = governance.propose_action(
        world.committee[0],
        departments.encode_register(code, "重复", SM2_KEYS["K1"], [], []),
    ).value

    with pytest.raises(revert_error_class("DepartmentExists")) as refused:
        governance.approve(world.committee[1], proposal_id)
    assert bytes32_to_code(refused.value.args_by_name["code"]) == code
    assert not governance.has_approved(proposal_id, world.committee[1].address)
    assert not governance.get_proposal(proposal_id).executed


def test_committee_adds_a_member(world: World) -> None:
    committee = new_committee(world, size=3, threshold=2)
    governance, newcomer = committee.governance, Account.create()
    action = governance.encode_add_member(newcomer.address)
    assert action.target == governance.address  # a committee change is a call to itself

    committee.pass_action(action)

    assert governance.is_member(newcomer.address)
    assert governance.members() == (
        *(member.address for member in committee.members),
        newcomer.address,
    )
    (added,) = governance.events("CommitteeMemberAdded", {"member": newcomer.address})
    assert added.args == {"member": newcomer.address}
    governance.propose_action(newcomer, governance.encode_change_threshold(2))  # it can act


@pytest.mark.parametrize(
    ("candidate", "error"),
    [("existing", "GovernanceDuplicateMember"), ("zero", "GovernanceInvalidMember")],
)
def test_adding_an_existing_or_zero_member_is_refused(
    world: World, candidate: str, error: str
) -> None:
    committee = new_committee(world, size=3, threshold=2)
    governance = committee.governance
    member = committee.members[2].address if candidate == "existing" else "0x" + "00" * 20
    proposal_id = governance.propose_action(
        committee.members[0], governance.encode_add_member(member)
    ).value

    with pytest.raises(revert_error_class(error)) as refused:
        governance.approve(committee.members[1], proposal_id)

    assert refused.value.args_by_name == {"member": member}
    assert len(governance.members()) == 3
    assert not governance.get_proposal(proposal_id).executed


def test_committee_removes_a_member(world: World) -> None:
    committee = new_committee(world, size=3, threshold=2)
    governance, leaving = committee.governance, committee.members[2]

    committee.pass_action(governance.encode_remove_member(leaving.address))

    assert not governance.is_member(leaving.address)
    assert set(governance.members()) == {member.address for member in committee.members[:2]}
    (removed,) = governance.events("CommitteeMemberRemoved")
    assert removed.args == {"member": leaving.address}


def test_removing_a_non_member_is_refused(world: World) -> None:
    committee = new_committee(world, size=3, threshold=2)
    governance, stranger = committee.governance, Account.create().address
    proposal_id = governance.propose_action(
        committee.members[0], governance.encode_remove_member(stranger)
    ).value

    with pytest.raises(revert_error_class("GovernanceNotMember")) as refused:
        governance.approve(committee.members[1], proposal_id)

    assert refused.value.args_by_name == {"account": stranger}
    assert len(governance.members()) == 3


def test_removing_a_member_below_the_threshold_is_refused(world: World) -> None:
    committee = new_committee(world, size=2, threshold=2)
    governance = committee.governance
    proposal_id = governance.propose_action(
        committee.members[0], governance.encode_remove_member(committee.members[1].address)
    ).value

    with pytest.raises(revert_error_class("GovernanceInvalidThreshold")) as refused:
        governance.approve(committee.members[1], proposal_id)

    assert refused.value.args_by_name == {"threshold": 2, "memberCount": 1}
    assert len(governance.members()) == 2


def test_committee_changes_its_threshold(world: World) -> None:
    committee = new_committee(world, size=3, threshold=2)
    governance = committee.governance

    committee.pass_action(governance.encode_change_threshold(3))

    assert governance.threshold() == 3
    assert governance.events("CommitteeThresholdChanged")[-1].args == {
        "oldThreshold": 2,
        "newThreshold": 3,
    }


@pytest.mark.parametrize("threshold", [0, 4])
def test_a_threshold_outside_one_to_the_member_count_is_refused(
    world: World, threshold: int
) -> None:
    committee = new_committee(world, size=3, threshold=2)
    governance = committee.governance
    proposal_id = governance.propose_action(
        committee.members[0], governance.encode_change_threshold(threshold)
    ).value

    with pytest.raises(revert_error_class("GovernanceInvalidThreshold")) as refused:
        governance.approve(committee.members[1], proposal_id)

    assert refused.value.args_by_name == {"threshold": threshold, "memberCount": 3}
    assert governance.threshold() == 2


@pytest.mark.parametrize("change", ["add member", "remove member", "change threshold"])
def test_committee_changes_refuse_a_direct_call_even_by_a_member(world: World, change: str) -> None:
    committee = new_committee(world, size=3, threshold=2)
    governance, member = committee.governance, committee.members[0]
    action = {
        "add member": governance.encode_add_member(Account.create().address),
        "remove member": governance.encode_remove_member(committee.members[2].address),
        "change threshold": governance.encode_change_threshold(1),
    }[change]

    with pytest.raises(revert_error_class("GovernanceOnlySelf")) as refused:
        world.ledger.transact(member, action.target, action.calldata)

    assert refused.value.args_by_name == {"caller": member.address}
    assert (len(governance.members()), governance.threshold()) == (3, 2)


def test_execute_runs_a_proposal_once_the_threshold_was_lowered(world: World) -> None:
    committee = new_committee(world, size=3, threshold=3)
    governance, (first, second, third) = committee.governance, committee.members
    newcomer = Account.create().address
    pending = governance.propose_action(first, governance.encode_add_member(newcomer)).value
    governance.approve(second, pending)
    lowering = governance.propose_action(first, governance.encode_change_threshold(2)).value
    governance.approve(second, lowering)
    governance.approve(third, lowering)
    assert (governance.threshold(), governance.is_member(newcomer)) == (2, False)

    governance.execute(third, pending)

    assert governance.get_proposal(pending).executed
    assert governance.is_member(newcomer)


def test_execute_below_the_threshold_is_refused(world: World) -> None:
    governance, departments = world.registries.governance, world.registries.departments
    code, _ = world.department()
    proposal_id = governance.propose_action(
        world.committee[0], departments.encode_suspend(code, 1)
    ).value

    with pytest.raises(revert_error_class("GovernanceThresholdNotReached")) as refused:
        governance.execute(world.committee[1], proposal_id)

    assert refused.value.args_by_name == {"proposalId": proposal_id, "approvals": 1, "threshold": 2}
    assert departments.is_active(code)


def test_execute_of_an_executed_proposal_is_refused(world: World) -> None:
    governance = world.registries.governance
    code, _ = world.department()
    proposal_id = world.govern(world.registries.departments.encode_suspend(code, 1))

    with pytest.raises(revert_error_class("GovernanceAlreadyExecuted")) as refused:
        governance.execute(world.committee[2], proposal_id)

    assert refused.value.args_by_name == {"proposalId": proposal_id}


# -- departments --------------------------------------------------------------------------------


def test_department_lifecycle_through_governance(world: World) -> None:
    departments = world.registries.departments
    code, account = world.department(Role.ISSUER, Role.AUDITOR)

    department = departments.get_department(code)
    assert (department.code, department.key_version, department.active) == (code, 1, True)
    assert department.public_key == SM2_KEYS["K1"]
    assert department.accounts == (account.address,)
    assert department.roles == {Role.ISSUER, Role.AUDITOR}
    assert departments.department_of(account.address) == code
    assert departments.require_role(account.address, Role.ISSUER) == code

    # Re-key (a 65-byte 04-prefixed key is accepted too) and the key history.
    world.govern(departments.encode_rekey(code, b"\x04" + SM2_KEYS["K2"]))
    history = departments.key_history(code)
    assert [(change.key_version, change.public_key) for change in history] == [
        (1, SM2_KEYS["K1"]),
        (2, SM2_KEYS["K2"]),
    ]
    assert departments.public_key_of(code) == SM2_KEYS["K2"]
    assert departments.public_key_at(code, 1) == (SM2_KEYS["K1"], history[0].effective_at)
    assert departments.key_version_at(code, history[1].effective_at) == 2

    # Roles: one proposal per grant or revocation.
    actions = departments.encode_set_roles(
        code, department.roles, frozenset({Role.ISSUER, Role.SEAL_ADMIN})
    )
    assert [action.description for action in actions] == [
        f"grant SEAL_ADMIN to department {code}",
        f"revoke AUDITOR from department {code}",
    ]
    for action in actions:
        world.govern(action)
    assert departments.get_department(code).roles == {Role.ISSUER, Role.SEAL_ADMIN}

    # Accounts.
    second = Account.create()
    world.govern(departments.encode_add_account(code, second.address))
    world.govern(departments.encode_remove_account(code, account.address))
    assert departments.get_department(code).accounts == (second.address,)

    # Suspend and reinstate.
    world.govern(departments.encode_suspend(code, 3))
    assert not departments.is_active(code)
    with pytest.raises(revert_error_class("DepartmentSuspended")):
        departments.require_role(second.address, Role.ISSUER)
    world.govern(departments.encode_reinstate(code, 4))
    assert departments.is_active(code)
    assert code in departments.registered_codes()


def test_require_active_answers_the_code_of_an_active_department(world: World) -> None:
    code, account = world.department()  # no role needed
    assert world.registries.departments.require_active(account.address) == code


def test_require_active_refuses_an_unknown_account(world: World) -> None:
    stranger = Account.create().address
    with pytest.raises(revert_error_class("DepartmentUnknownAccount")) as refused:
        world.registries.departments.require_active(stranger)
    assert refused.value.args_by_name == {"account": stranger}


def test_require_active_refuses_a_suspended_department(world: World) -> None:
    departments = world.registries.departments
    code, account = world.department(Role.AUDITOR)
    world.govern(departments.encode_suspend(code, 2))
    with pytest.raises(revert_error_class("DepartmentSuspended")) as refused:
        departments.require_active(account.address)
    assert bytes32_to_code(refused.value.args_by_name["code"]) == code


def test_unknown_department(world: World) -> None:
    departments = world.registries.departments
    code = new_code()
    assert departments.find_department(code) is None
    assert not departments.is_registered(code)
    with pytest.raises(revert_error_class("DepartmentUnknown")):
        departments.get_department(code)
    assert departments.key_history(code) == []


def test_direct_registry_writes_are_refused(world: World) -> None:
    """Only the governance contract may change the registry, even for a committee member."""
    departments = world.registries.departments
    code = new_code()
    action = departments.encode_register(code, "越权", SM2_KEYS["K1"], [], [])
    with pytest.raises(revert_error_class("DepartmentNotGovernance")) as refused:
        world.ledger.transact(world.committee[0], action.target, action.calldata)
    assert refused.value.args_by_name == {"caller": world.committee[0].address}
    assert not departments.is_registered(code)


# -- licences -----------------------------------------------------------------------------------


def test_licence_batches_and_status(world: World) -> None:
    licences = world.registries.licences
    code, issuer = world.department(Role.ISSUER)
    root, leaf, new_root, new_leaf = new_id(), new_id(), new_id(), new_id()

    receipt = licences.anchor_batch(issuer, root, 3)
    assert receipt.succeeded
    batch = licences.batch_of(root)
    assert batch is not None
    assert (batch.issuer, batch.count) == (code, 3)
    assert licences.status_of(root, leaf).status is LicenceStatus.VALID

    licences.set_status(issuer, root, leaf, LicenceStatus.SUSPENDED, 21)
    status = licences.status_of(root, leaf)
    assert (status.status, status.reason_code, status.superseded_by) == (
        LicenceStatus.SUSPENDED,
        21,
        None,
    )
    licences.anchor_batch(issuer, new_root, 1)
    licences.supersede(issuer, root, leaf, new_root=new_root, new_leaf=new_leaf, reason_code=6)
    assert licences.status_of(root, leaf).superseded_by == (new_root, new_leaf)

    changes = licences.status_changes(root=root)
    assert [(c.leaf, c.previous_status, c.status) for c in changes] == [
        (leaf, LicenceStatus.VALID, LicenceStatus.SUSPENDED),
        (leaf, LicenceStatus.SUSPENDED, LicenceStatus.SUPERSEDED),
    ]
    assert changes[0].timestamp is not None
    assert licences.status_changes(leaf=new_leaf) == []


def test_a_department_without_the_issuer_role_cannot_anchor(world: World) -> None:
    licences = world.registries.licences
    code, sealer = world.department(Role.SEAL_ADMIN)
    root = new_id()

    with pytest.raises(revert_error_class("DepartmentMissingRole")) as refused:
        licences.anchor_batch(sealer, root, 1)

    assert bytes32_to_code(refused.value.args_by_name["code"]) == code
    assert refused.value.args_by_name["role"] == Role.ISSUER.value
    assert licences.batch_of(root) is None


def test_only_the_anchoring_department_changes_a_licence(world: World) -> None:
    licences = world.registries.licences
    _, issuer = world.department(Role.ISSUER)
    other_code, other = world.department(Role.ISSUER)
    root, leaf = new_id(), new_id()
    licences.anchor_batch(issuer, root, 1)

    with pytest.raises(revert_error_class("LicenceNotBatchIssuer")) as refused:
        licences.set_status(other, root, leaf, LicenceStatus.REVOKED, 7)
    assert bytes32_to_code(refused.value.args_by_name["department"]) == other_code
    assert licences.status_of(root, leaf).status is LicenceStatus.VALID

    with pytest.raises(InvalidArgument):
        licences.set_status(issuer, root, leaf, LicenceStatus.SUPERSEDED, 1)


# -- seals --------------------------------------------------------------------------------------


def test_seal_registration_and_revocation(world: World) -> None:
    seals = world.registries.seals
    code, admin = world.department(Role.SEAL_ADMIN)
    _, other_admin = world.department(Role.SEAL_ADMIN)
    seal_id, holder = new_id(), new_id()
    now = world.now()

    seals.register_seal(admin, seal_id, [holder], now - 10, now + 86_400)
    seal = seals.get_seal(seal_id)
    assert (seal.owner, seal.holder_key_hashes, seal.revoked_at) == (code, (holder,), None)
    assert seals.is_holder(seal_id, holder)
    assert seals.is_valid_at(seal_id, now)

    with pytest.raises(revert_error_class("SealNotOwner")):
        seals.revoke_seal(other_admin, seal_id, 1)
    assert seals.get_seal(seal_id).revoked_at is None

    seals.revoke_seal(admin, seal_id, 2)
    revoked = seals.get_seal(seal_id)
    assert revoked.revoked_at is not None
    assert revoked.revocation_reason == 2
    assert not seals.is_valid_at(seal_id, revoked.revoked_at)


# -- data sharing -------------------------------------------------------------------------------


def test_dataset_request_grant_and_use(world: World) -> None:
    sharing = world.registries.sharing
    provider_code, provider = world.department(Role.DATA_PROVIDER)
    requester_code, requester = world.department(Role.DATA_REQUESTER)
    dataset_id, schema, name_field, id_field = new_id(), new_id(), new_id(), new_id()

    sharing.register_dataset(provider, dataset_id, ShareClass.CONDITIONAL, schema)
    assert sharing.publish_version(provider, dataset_id, new_id(), new_id()).value == 1
    dataset = sharing.get_dataset(dataset_id)
    assert (dataset.provider, dataset.share_class, dataset.latest_version) == (
        provider_code,
        ShareClass.CONDITIONAL,
        1,
    )
    assert sharing.get_version(dataset_id, 1).published_at > 0

    expires_at = world.now() + 3_600
    requested = sharing.request_access(
        requester,
        dataset_id,
        [name_field, id_field],
        purpose_hash=new_id(),
        scenario_code=12,
        expires_at=expires_at,
        max_uses=5,
    )
    grant_id = requested.value
    assert grant_id == sharing.grant_count()
    pending = sharing.get_grant(grant_id)
    assert (pending.requester, pending.status, pending.decided_at) == (
        requester_code,
        GrantStatus.PENDING,
        None,
    )

    # Approving wider terms than requested is refused.
    with pytest.raises(revert_error_class("SharingUsesWidened")):
        sharing.approve_request(provider, grant_id, [name_field], expires_at, 6)
    sharing.approve_request(provider, grant_id, [name_field], expires_at, 2)
    granted = sharing.get_grant(grant_id)
    assert (granted.status, granted.fields, granted.max_uses) == (
        GrantStatus.GRANTED,
        (name_field,),
        2,
    )
    assert sharing.is_grant_active(grant_id)

    assert sharing.consume_uses(provider, grant_id, 2, 0).value == 2
    with pytest.raises(revert_error_class("SharingUsesExceeded")) as refused:
        sharing.consume_uses(provider, grant_id, 1, 2)
    assert refused.value.args_by_name["maxUses"] == 2
    assert sharing.get_grant(grant_id).used == 2


def test_the_committee_can_revoke_a_grant(world: World) -> None:
    sharing = world.registries.sharing
    _, provider = world.department(Role.DATA_PROVIDER)
    _, requester = world.department(Role.DATA_REQUESTER)
    dataset_id = new_id()
    sharing.register_dataset(provider, dataset_id, ShareClass.UNCONDITIONAL, new_id())
    grant_id = sharing.request_access(
        requester,
        dataset_id,
        [new_id()],
        purpose_hash=new_id(),
        scenario_code=1,
        expires_at=world.now() + 3_600,
        max_uses=1,
    ).value
    assert sharing.get_grant(grant_id).status is GrantStatus.GRANTED

    world.govern(sharing.encode_revoke_grant(grant_id, 9))
    revoked = sharing.get_grant(grant_id)
    assert (revoked.status, revoked.reason_code) == (GrantStatus.REVOKED, 9)
    assert not sharing.is_grant_active(grant_id)


# -- audit anchors ------------------------------------------------------------------------------


def test_log_operators_are_named_by_the_committee(world: World) -> None:
    audit = world.registries.audit
    assert audit.governance() == world.registries.governance.address
    code, department = world.department()
    with pytest.raises(revert_error_class("AuditNotLogOperator")):
        audit.anchor_segment(department, new_id(), 0, 0, new_id())
    world.govern(audit.encode_grant_log_operator(code))
    assert audit.is_log_operator(code)
    world.govern(audit.encode_revoke_log_operator(code))
    assert not audit.is_log_operator(code)


def test_audit_segments(world: World) -> None:
    audit = world.registries.audit
    code, department = world.department(Role.AUDITOR)
    other_code, other = world.department()
    for operator in (code, other_code):
        world.govern(audit.encode_grant_log_operator(operator))
    log_id, first_root, second_root = new_id(), new_id(), new_id()
    assert audit.get_log(log_id) is None

    assert audit.anchor_segment(department, log_id, 0, 9, first_root).value == 0
    assert audit.anchor_segment(department, log_id, 10, 14, second_root).value == 1
    log = audit.get_log(log_id)
    assert log is not None
    assert (log.owner, log.next_seq, log.segment_count) == (code, 15, 2)
    assert audit.get_segment(log_id, 1).root == second_root
    found = audit.find_segment(log_id, 12)
    assert (found.index, found.first_seq, found.last_seq) == (1, 10, 14)

    with pytest.raises(revert_error_class("AuditNotContiguous")) as gap:
        audit.anchor_segment(department, log_id, 16, 20, new_id())
    assert (gap.value.args_by_name["expectedFirstSeq"], gap.value.args_by_name["firstSeq"]) == (
        15,
        16,
    )
    with pytest.raises(revert_error_class("AuditNotLogOwner")):
        audit.anchor_segment(other, log_id, 15, 20, new_id())
    with pytest.raises(revert_error_class("AuditSeqNotAnchored")):
        audit.find_segment(log_id, 15)
    assert audit.get_log(log_id) == log


def test_batched_anchoring_calls(world: World) -> None:
    licences, audit = world.registries.licences, world.registries.audit
    code, issuer = world.department(Role.ISSUER)
    world.govern(audit.encode_grant_log_operator(code))
    roots = [new_id() for _ in range(3)]
    log_id = new_id()
    calls = [licences.anchor_batch_call(root, 2) for root in roots] + [
        audit.anchor_segment_call(log_id, 0, 4, new_id())
    ]

    receipts = world.ledger.transact_batch(issuer, calls)

    assert all(receipt.succeeded for receipt in receipts)
    assert all(licences.batch_of(root) is not None for root in roots)
    assert audit.get_log(log_id) is not None


def test_wrong_hash_lengths_are_refused(world: World) -> None:
    with pytest.raises(InvalidArgument, match="root must be 32 bytes"):
        world.registries.licences.batch_of(b"\x01" * 31)
    with pytest.raises(InvalidArgument):
        world.registries.departments.encode_rekey(new_code(), b"\x01" * 63)
    # ContractRevert is the root of every decoded revert.
    assert issubclass(revert_error_class("LicenceZeroRoot"), ContractRevert)


def test_out_of_range_numbers_are_refused_before_sending(world: World) -> None:
    _, issuer = world.department(Role.ISSUER)
    root, leaf = new_id(), new_id()
    world.registries.licences.anchor_batch(issuer, root, 1)
    with pytest.raises(InvalidArgument, match="suspendLicence"):
        world.registries.licences.set_status(issuer, root, leaf, LicenceStatus.SUSPENDED, 70_000)
    assert world.registries.licences.status_of(root, leaf).status is LicenceStatus.VALID
