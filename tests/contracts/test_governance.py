"""Governance: an M-of-N committee; nothing runs below the threshold and no key acts alone."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from tests.contracts.chains import Chain, calldata, reverts
from tests.contracts.deployment import ISSUER, SM2_KEYS, ZERO_ADDRESS, ZERO_HASH, Deployment

DESCRIPTION = Web3.keccak(text="committee resolution 2026-01")
LIFETIME = 7 * 24 * 3600  # the default lifetime of a proposal
PENDING, EXECUTED, CANCELLED, EXPIRED = range(4)  # Governance.ProposalState


class Committee:
    """A Governance contract of its own, for tests that change the committee."""

    def __init__(self, chain: Chain, size: int, threshold: int) -> None:
        self.chain = chain
        self.members = [chain.new_account() for _ in range(size)]
        self.governance = chain.deploy(
            chain.new_account(), "Governance", [m.address for m in self.members], threshold
        )

    def propose(self, proposer: LocalAccount, data: bytes) -> int:
        """Propose a call of governance itself (a committee change)."""
        self.chain.send(
            proposer, self.governance.functions.propose(self.governance.address, data, DESCRIPTION)
        )
        return int(self.governance.functions.proposalCount().call())

    def approve(self, member: LocalAccount, proposal_id: int) -> None:
        self.chain.send(member, self.governance.functions.approve(proposal_id))

    def encode(self, function_name: str, *args: object) -> bytes:
        return calldata(self.governance.get_function_by_name(function_name)(*args))

    def govern(self, data: bytes) -> TxReceipt:
        """Pass a committee change: member 0 proposes, the others approve up to the threshold."""
        proposal_id = self.propose(self.members[0], data)
        threshold = self.governance.functions.threshold().call()
        receipt = None
        for member in self.members[1:threshold]:
            receipt = self.chain.send(member, self.governance.functions.approve(proposal_id))
        assert receipt is not None
        return receipt


def proposal_of(governance: Contract, proposal_id: int) -> dict[str, object]:
    names = ("proposer", "target", "data", "descriptionHash", "createdAt", "executed")
    values = governance.functions.getProposal(proposal_id).call()
    return dict(zip((*names, "expiresAt", "cancelled"), values, strict=True))


def state_of(governance: Contract, proposal_id: int) -> int:
    return int(governance.functions.proposalState(proposal_id).call())


def pending_proposal(deployment: Deployment, proposer: int = 0) -> int:
    """A proposal of ``proposer``'s that stays pending (one approval of the two needed)."""
    return deployment.propose(
        deployment.departments.functions.grantRole(deployment.next_code(), ZERO_HASH), proposer
    )


# --- constructor -------------------------------------------------------------------------------


def test_constructor_sets_committee_and_emits_its_events(chain: Chain) -> None:
    members = [chain.new_account().address for _ in range(3)]
    governance, receipt = chain.deploy_with_receipt(chain.new_account(), "Governance", members, 2)
    assert governance.functions.members().call() == members
    assert governance.functions.threshold().call() == 2
    assert all(governance.functions.isMember(member).call() for member in members)
    assert governance.functions.proposalCount().call() == 0
    added = chain.events(receipt, governance, "CommitteeMemberAdded")
    assert added == [{"member": member} for member in members]
    changed = chain.events(receipt, governance, "CommitteeThresholdChanged")
    assert changed == [{"oldThreshold": 0, "newThreshold": 2}]
    lifetime = chain.events(receipt, governance, "ProposalLifetimeChanged")
    assert lifetime == [{"oldLifetime": 0, "newLifetime": LIFETIME}]
    assert governance.functions.proposalLifetime().call() == LIFETIME


def test_constructor_rejects_zero_member(chain: Chain) -> None:
    with reverts("GovernanceInvalidMember", ZERO_ADDRESS):
        chain.deploy(chain.new_account(), "Governance", [ZERO_ADDRESS], 1)


def test_constructor_rejects_duplicate_member(chain: Chain) -> None:
    member = chain.new_account().address
    with reverts("GovernanceDuplicateMember", member):
        chain.deploy(chain.new_account(), "Governance", [member, member], 1)


@pytest.mark.parametrize(("size", "threshold"), [(3, 0), (3, 4), (0, 0)])
def test_constructor_rejects_threshold_outside_one_to_n(
    chain: Chain, size: int, threshold: int
) -> None:
    members = [chain.new_account().address for _ in range(size)]
    with reverts("GovernanceInvalidThreshold", threshold, size):
        chain.deploy(chain.new_account(), "Governance", members, threshold)


# --- propose -----------------------------------------------------------------------------------


def test_propose_records_proposal_and_counts_proposer_approval(
    chain: Chain, deployment: Deployment
) -> None:
    governance, proposer = deployment.governance, deployment.committee[0]
    function = deployment.departments.functions.grantRole(deployment.next_code(), ZERO_HASH)
    data = calldata(function)
    receipt = chain.send(
        proposer, governance.functions.propose(deployment.departments.address, data, DESCRIPTION)
    )
    proposal_id = governance.functions.proposalCount().call()
    block = chain.w3.eth.get_block(receipt["blockNumber"])
    assert chain.events(receipt, governance, "ProposalCreated") == [
        {
            "proposalId": proposal_id,
            "proposer": proposer.address,
            "target": deployment.departments.address,
            "data": data,
            "descriptionHash": DESCRIPTION,
            "expiresAt": block["timestamp"] + LIFETIME,
        }
    ]
    assert chain.events(receipt, governance, "ProposalApproved") == [
        {"proposalId": proposal_id, "member": proposer.address, "approvals": 1}
    ]
    assert chain.events(receipt, governance, "ProposalExecuted") == []
    assert proposal_of(governance, proposal_id) == {
        "proposer": proposer.address,
        "target": deployment.departments.address,
        "data": data,
        "descriptionHash": DESCRIPTION,
        "createdAt": block["timestamp"],
        "executed": False,
        "expiresAt": block["timestamp"] + LIFETIME,
        "cancelled": False,
    }
    assert state_of(governance, proposal_id) == PENDING
    assert governance.functions.hasApproved(proposal_id, proposer.address).call()
    assert not governance.functions.hasApproved(proposal_id, deployment.committee[1].address).call()
    assert governance.functions.approvalCount(proposal_id).call() == 1


def test_propose_refuses_non_member(chain: Chain, deployment: Deployment) -> None:
    count = deployment.governance.functions.proposalCount().call()
    with reverts("GovernanceNotMember", deployment.outsider.address):
        chain.send(
            deployment.outsider,
            deployment.governance.functions.propose(
                deployment.departments.address, b"\x01", DESCRIPTION
            ),
        )
    assert deployment.governance.functions.proposalCount().call() == count


@pytest.mark.parametrize("target_kind", ["account", "zero"])
def test_propose_refuses_target_without_code(
    chain: Chain, deployment: Deployment, target_kind: str
) -> None:
    target = deployment.outsider.address if target_kind == "account" else ZERO_ADDRESS
    with reverts("GovernanceTargetNotContract", target):
        chain.send(
            deployment.committee[0],
            deployment.governance.functions.propose(target, b"\x01", DESCRIPTION),
        )


def test_propose_refuses_zero_description(chain: Chain, deployment: Deployment) -> None:
    with reverts("GovernanceZeroDescription"):
        chain.send(
            deployment.committee[0],
            deployment.governance.functions.propose(
                deployment.departments.address, b"\x01", ZERO_HASH
            ),
        )


def test_propose_executes_at_once_with_threshold_one(chain: Chain) -> None:
    committee = Committee(chain, size=2, threshold=1)
    newcomer = chain.new_account().address
    committee.propose(committee.members[0], committee.encode("addMember", newcomer))
    assert committee.governance.functions.isMember(newcomer).call()


# --- approve -----------------------------------------------------------------------------------


def test_approvals_below_threshold_do_not_execute(chain: Chain, deployment: Deployment) -> None:
    code = deployment.next_code()
    proposal_id = deployment.propose(
        deployment.departments.functions.registerDepartment(
            code, "Pending department", bytes(64), [], []
        )
    )
    # One approval (the proposer's) of the two needed: nothing ran, so nothing could fail yet.
    assert deployment.governance.functions.approvalCount(proposal_id).call() == 1
    assert not proposal_of(deployment.governance, proposal_id)["executed"]
    assert not deployment.departments.functions.isRegistered(code).call()


def test_approve_at_threshold_executes(chain: Chain, deployment: Deployment) -> None:
    governance, approver = deployment.governance, deployment.committee[1]
    code = deployment.next_code()
    proposal_id = deployment.propose(
        deployment.departments.functions.registerDepartment(
            code, "Approved department", SM2_KEYS["K1"], [], []
        )
    )
    receipt = chain.send(approver, governance.functions.approve(proposal_id))
    assert chain.events(receipt, governance, "ProposalApproved") == [
        {"proposalId": proposal_id, "member": approver.address, "approvals": 2}
    ]
    assert chain.events(receipt, governance, "ProposalExecuted") == [
        {"proposalId": proposal_id, "returnData": b""}
    ]
    assert proposal_of(governance, proposal_id)["executed"]
    assert deployment.departments.functions.isRegistered(code).call()


def test_executed_proposal_reports_target_return_data(chain: Chain, deployment: Deployment) -> None:
    department = deployment.add_department()
    receipt = deployment.govern(
        deployment.departments.functions.rotatePublicKey(department.code, SM2_KEYS["K2"])
    )
    (executed,) = chain.events(receipt, deployment.governance, "ProposalExecuted")
    assert executed["returnData"] == encode(["uint32"], [2])


def test_approve_refuses_second_approval_by_same_member(
    chain: Chain, deployment: Deployment
) -> None:
    proposer = deployment.committee[0]
    proposal_id = deployment.propose(
        deployment.departments.functions.grantRole(deployment.next_code(), ZERO_HASH)
    )
    with reverts("GovernanceAlreadyApproved", proposal_id, proposer.address):
        chain.send(proposer, deployment.governance.functions.approve(proposal_id))
    assert deployment.governance.functions.approvalCount(proposal_id).call() == 1


def test_approve_refuses_non_member(chain: Chain, deployment: Deployment) -> None:
    proposal_id = deployment.propose(
        deployment.departments.functions.grantRole(deployment.next_code(), ZERO_HASH)
    )
    with reverts("GovernanceNotMember", deployment.outsider.address):
        chain.send(deployment.outsider, deployment.governance.functions.approve(proposal_id))
    assert deployment.governance.functions.approvalCount(proposal_id).call() == 1


@pytest.mark.parametrize("proposal_id", [0, 10**6])
def test_approve_refuses_unknown_proposal(
    chain: Chain, deployment: Deployment, proposal_id: int
) -> None:
    with reverts("GovernanceUnknownProposal", proposal_id):
        chain.send(deployment.committee[0], deployment.governance.functions.approve(proposal_id))


def test_approve_refuses_executed_proposal(chain: Chain, deployment: Deployment) -> None:
    department = deployment.add_department()
    deployment.govern(deployment.departments.functions.grantRole(department.code, ISSUER))
    proposal_id = deployment.governance.functions.proposalCount().call()
    with reverts("GovernanceAlreadyExecuted", proposal_id):
        chain.send(deployment.committee[2], deployment.governance.functions.approve(proposal_id))


def test_failing_execution_bubbles_target_error_and_records_nothing(
    chain: Chain, deployment: Deployment
) -> None:
    bad_code = b"lowercase is not a credit code".ljust(32, b"\0")
    proposal_id = deployment.propose(
        deployment.departments.functions.registerDepartment(bad_code, "Bad", SM2_KEYS["K1"], [], [])
    )
    with reverts("DepartmentInvalidCode", bad_code):
        chain.send(deployment.committee[1], deployment.governance.functions.approve(proposal_id))
    assert not deployment.governance.functions.hasApproved(
        proposal_id, deployment.committee[1].address
    ).call()
    assert not proposal_of(deployment.governance, proposal_id)["executed"]


# --- execute -----------------------------------------------------------------------------------


def test_execute_runs_proposal_that_reached_a_lowered_threshold(chain: Chain) -> None:
    committee = Committee(chain, size=3, threshold=3)
    first, second, third = committee.members
    newcomer = chain.new_account().address
    pending = committee.propose(first, committee.encode("addMember", newcomer))
    committee.approve(second, pending)
    lower = committee.propose(first, committee.encode("changeThreshold", 2))
    committee.approve(second, lower)
    committee.approve(third, lower)
    assert committee.governance.functions.threshold().call() == 2
    assert not committee.governance.functions.isMember(newcomer).call()

    receipt = chain.send(third, committee.governance.functions.execute(pending))
    assert chain.events(receipt, committee.governance, "ProposalExecuted") == [
        {"proposalId": pending, "returnData": b""}
    ]
    assert committee.governance.functions.isMember(newcomer).call()


def test_execute_refuses_below_threshold(chain: Chain, deployment: Deployment) -> None:
    proposal_id = deployment.propose(
        deployment.departments.functions.grantRole(deployment.next_code(), ZERO_HASH)
    )
    with reverts("GovernanceThresholdNotReached", proposal_id, 1, 2):
        chain.send(deployment.committee[1], deployment.governance.functions.execute(proposal_id))


def test_execute_refuses_non_member(chain: Chain, deployment: Deployment) -> None:
    proposal_id = deployment.propose(
        deployment.departments.functions.grantRole(deployment.next_code(), ZERO_HASH)
    )
    with reverts("GovernanceNotMember", deployment.outsider.address):
        chain.send(deployment.outsider, deployment.governance.functions.execute(proposal_id))


def test_execute_refuses_unknown_proposal(chain: Chain, deployment: Deployment) -> None:
    with reverts("GovernanceUnknownProposal", 10**6):
        chain.send(deployment.committee[0], deployment.governance.functions.execute(10**6))


def test_execute_refuses_executed_proposal(chain: Chain, deployment: Deployment) -> None:
    department = deployment.add_department()
    proposal_id = deployment.governance.functions.proposalCount().call()
    assert deployment.departments.functions.isRegistered(department.code).call()
    with reverts("GovernanceAlreadyExecuted", proposal_id):
        chain.send(deployment.committee[0], deployment.governance.functions.execute(proposal_id))


# --- committee changes -------------------------------------------------------------------------


def test_add_member_through_proposal(chain: Chain) -> None:
    committee = Committee(chain, size=3, threshold=2)
    newcomer = chain.new_account()
    proposal_id = committee.propose(
        committee.members[0], committee.encode("addMember", newcomer.address)
    )
    receipt = chain.send(committee.members[1], committee.governance.functions.approve(proposal_id))
    assert chain.events(receipt, committee.governance, "CommitteeMemberAdded") == [
        {"member": newcomer.address}
    ]
    assert committee.governance.functions.isMember(newcomer.address).call()
    assert committee.governance.functions.members().call()[-1] == newcomer.address
    committee.propose(newcomer, committee.encode("changeThreshold", 2))  # the newcomer can act


@pytest.mark.parametrize("kind", ["existing", "zero"])
def test_add_member_refuses_existing_or_zero(chain: Chain, kind: str) -> None:
    committee = Committee(chain, size=3, threshold=2)
    candidate = committee.members[2].address if kind == "existing" else ZERO_ADDRESS
    error = "GovernanceDuplicateMember" if kind == "existing" else "GovernanceInvalidMember"
    proposal_id = committee.propose(committee.members[0], committee.encode("addMember", candidate))
    with reverts(error, candidate):
        committee.approve(committee.members[1], proposal_id)
    assert len(committee.governance.functions.members().call()) == 3


def test_remove_member_through_proposal_and_its_approvals_stop_counting(chain: Chain) -> None:
    committee = Committee(chain, size=3, threshold=2)
    first, second, leaving = committee.members
    newcomer = chain.new_account().address
    pending = committee.propose(leaving, committee.encode("addMember", newcomer))
    assert committee.governance.functions.approvalCount(pending).call() == 1

    removal = committee.propose(first, committee.encode("removeMember", leaving.address))
    receipt = chain.send(second, committee.governance.functions.approve(removal))
    assert chain.events(receipt, committee.governance, "CommitteeMemberRemoved") == [
        {"member": leaving.address}
    ]
    assert not committee.governance.functions.isMember(leaving.address).call()
    assert sorted(committee.governance.functions.members().call()) == sorted(
        [first.address, second.address]
    )
    assert committee.governance.functions.approvalCount(pending).call() == 0
    with reverts("GovernanceNotMember", leaving.address):
        chain.send(leaving, committee.governance.functions.approve(removal))
    # One current member's approval is below the threshold of 2: still not executed.
    committee.approve(first, pending)
    assert not committee.governance.functions.isMember(newcomer).call()


def test_remove_member_refuses_non_member(chain: Chain) -> None:
    committee = Committee(chain, size=3, threshold=2)
    stranger = chain.new_account().address
    proposal_id = committee.propose(
        committee.members[0], committee.encode("removeMember", stranger)
    )
    with reverts("GovernanceNotMember", stranger):
        committee.approve(committee.members[1], proposal_id)


def test_remove_member_refuses_to_go_below_threshold(chain: Chain) -> None:
    committee = Committee(chain, size=2, threshold=2)
    proposal_id = committee.propose(
        committee.members[0], committee.encode("removeMember", committee.members[1].address)
    )
    with reverts("GovernanceInvalidThreshold", 2, 1):
        committee.approve(committee.members[1], proposal_id)
    assert len(committee.governance.functions.members().call()) == 2


def test_change_threshold_through_proposal(chain: Chain) -> None:
    committee = Committee(chain, size=3, threshold=2)
    proposal_id = committee.propose(committee.members[0], committee.encode("changeThreshold", 3))
    receipt = chain.send(committee.members[1], committee.governance.functions.approve(proposal_id))
    assert chain.events(receipt, committee.governance, "CommitteeThresholdChanged") == [
        {"oldThreshold": 2, "newThreshold": 3}
    ]
    assert committee.governance.functions.threshold().call() == 3


@pytest.mark.parametrize("threshold", [0, 4])
def test_change_threshold_refuses_outside_one_to_n(chain: Chain, threshold: int) -> None:
    committee = Committee(chain, size=3, threshold=2)
    proposal_id = committee.propose(
        committee.members[0], committee.encode("changeThreshold", threshold)
    )
    with reverts("GovernanceInvalidThreshold", threshold, 3):
        committee.approve(committee.members[1], proposal_id)
    assert committee.governance.functions.threshold().call() == 2


def test_a_re_added_member_starts_afresh_without_old_approvals(chain: Chain) -> None:
    committee = Committee(chain, size=4, threshold=3)
    first, second, third, returning = committee.members
    newcomer = chain.new_account().address
    pending = committee.propose(returning, committee.encode("addMember", newcomer))
    committee.govern(committee.encode("removeMember", returning.address))
    committee.govern(committee.encode("addMember", returning.address))
    governance = committee.governance.functions
    assert governance.isMember(returning.address).call()
    assert governance.approvalCount(pending).call() == 0
    assert not governance.hasApproved(pending, returning.address).call()

    committee.approve(returning, pending)  # approving again counts once, in the new term
    committee.approve(first, pending)
    assert governance.approvalCount(pending).call() == 2
    assert not governance.isMember(newcomer).call()
    committee.approve(second, pending)
    assert governance.isMember(newcomer).call()
    assert third.address in governance.members().call()


# --- expiry ------------------------------------------------------------------------------------


def test_approve_refuses_an_expired_proposal(chain: Chain, deployment: Deployment) -> None:
    proposal_id = pending_proposal(deployment)
    expires_at = proposal_of(deployment.governance, proposal_id)["expiresAt"]
    chain.travel_to(int(str(expires_at)))
    assert state_of(deployment.governance, proposal_id) == EXPIRED
    with reverts("GovernanceProposalExpired", proposal_id, expires_at):
        chain.send(deployment.committee[1], deployment.governance.functions.approve(proposal_id))
    assert deployment.governance.functions.approvalCount(proposal_id).call() == 1


def test_execute_refuses_an_expired_proposal(chain: Chain) -> None:
    committee = Committee(chain, size=3, threshold=3)
    first, second, third = committee.members
    newcomer = chain.new_account().address
    pending = committee.propose(first, committee.encode("addMember", newcomer))
    committee.approve(second, pending)
    committee.govern(committee.encode("changeThreshold", 2))
    expires_at = proposal_of(committee.governance, pending)["expiresAt"]
    chain.travel_to(int(str(expires_at)))
    with reverts("GovernanceProposalExpired", pending, expires_at):
        chain.send(third, committee.governance.functions.execute(pending))
    assert not committee.governance.functions.isMember(newcomer).call()


def test_change_proposal_lifetime_applies_to_new_proposals_only(chain: Chain) -> None:
    committee = Committee(chain, size=2, threshold=2)
    earlier = committee.propose(committee.members[0], committee.encode("changeThreshold", 1))
    receipt = committee.govern(committee.encode("changeProposalLifetime", 3600))
    assert chain.events(receipt, committee.governance, "ProposalLifetimeChanged") == [
        {"oldLifetime": LIFETIME, "newLifetime": 3600}
    ]
    assert committee.governance.functions.proposalLifetime().call() == 3600
    later = committee.propose(committee.members[0], committee.encode("changeThreshold", 1))
    earlier_proposal = proposal_of(committee.governance, earlier)
    later_proposal = proposal_of(committee.governance, later)
    assert earlier_proposal["expiresAt"] == int(str(earlier_proposal["createdAt"])) + LIFETIME
    assert later_proposal["expiresAt"] == int(str(later_proposal["createdAt"])) + 3600


@pytest.mark.parametrize("lifetime", [0, 365 * 24 * 3600 + 1])
def test_change_proposal_lifetime_refuses_outside_bounds(chain: Chain, lifetime: int) -> None:
    committee = Committee(chain, size=2, threshold=2)
    proposal_id = committee.propose(
        committee.members[0], committee.encode("changeProposalLifetime", lifetime)
    )
    with reverts("GovernanceInvalidLifetime", lifetime):
        committee.approve(committee.members[1], proposal_id)
    assert committee.governance.functions.proposalLifetime().call() == LIFETIME


# --- cancel ------------------------------------------------------------------------------------


def test_cancel_by_the_proposer(chain: Chain, deployment: Deployment) -> None:
    governance, proposer = deployment.governance, deployment.committee[2]
    proposal_id = pending_proposal(deployment, proposer=2)
    receipt = chain.send(proposer, governance.functions.cancel(proposal_id))
    assert chain.events(receipt, governance, "ProposalCancelled") == [
        {"proposalId": proposal_id, "canceller": proposer.address}
    ]
    assert proposal_of(governance, proposal_id)["cancelled"]
    assert state_of(governance, proposal_id) == CANCELLED
    with reverts("GovernanceProposalCancelled", proposal_id):
        chain.send(deployment.committee[1], governance.functions.approve(proposal_id))
    with reverts("GovernanceProposalCancelled", proposal_id):
        chain.send(deployment.committee[1], governance.functions.execute(proposal_id))
    with reverts("GovernanceProposalCancelled", proposal_id):
        chain.send(proposer, governance.functions.cancel(proposal_id))


@pytest.mark.parametrize("caller", ["member", "outsider"])
def test_cancel_refuses_anyone_but_the_proposer(
    chain: Chain, deployment: Deployment, caller: str
) -> None:
    proposal_id = pending_proposal(deployment)
    account = deployment.committee[1] if caller == "member" else deployment.outsider
    with reverts("GovernanceNotProposer", proposal_id, account.address):
        chain.send(account, deployment.governance.functions.cancel(proposal_id))
    assert state_of(deployment.governance, proposal_id) == PENDING


def test_cancel_refuses_a_proposer_no_longer_on_the_committee(chain: Chain) -> None:
    committee = Committee(chain, size=3, threshold=2)
    first, second, leaving = committee.members
    pending = committee.propose(leaving, committee.encode("changeThreshold", 3))
    committee.govern(committee.encode("removeMember", leaving.address))
    with reverts("GovernanceNotMember", leaving.address):
        chain.send(leaving, committee.governance.functions.cancel(pending))
    assert state_of(committee.governance, pending) == PENDING
    assert second.address in committee.governance.functions.members().call()
    assert first.address in committee.governance.functions.members().call()


def test_cancel_by_the_committee_through_a_proposal(chain: Chain) -> None:
    committee = Committee(chain, size=3, threshold=2)
    first, second, third = committee.members
    pending = committee.propose(first, committee.encode("changeThreshold", 3))
    cancellation = committee.propose(second, committee.encode("cancel", pending))
    receipt = chain.send(third, committee.governance.functions.approve(cancellation))
    assert chain.events(receipt, committee.governance, "ProposalCancelled") == [
        {"proposalId": pending, "canceller": committee.governance.address}
    ]
    assert state_of(committee.governance, pending) == CANCELLED
    assert state_of(committee.governance, cancellation) == EXECUTED


@pytest.mark.parametrize("proposal_id", [0, 10**6])
def test_cancel_refuses_unknown_proposal(
    chain: Chain, deployment: Deployment, proposal_id: int
) -> None:
    with reverts("GovernanceUnknownProposal", proposal_id):
        chain.send(deployment.committee[0], deployment.governance.functions.cancel(proposal_id))


def test_cancel_refuses_executed_proposal(chain: Chain, deployment: Deployment) -> None:
    department = deployment.add_department()
    proposal_id = deployment.governance.functions.proposalCount().call()
    assert deployment.departments.functions.isRegistered(department.code).call()
    with reverts("GovernanceAlreadyExecuted", proposal_id):
        chain.send(deployment.committee[0], deployment.governance.functions.cancel(proposal_id))


def test_cancel_refuses_expired_proposal(chain: Chain, deployment: Deployment) -> None:
    proposal_id = pending_proposal(deployment)
    expires_at = proposal_of(deployment.governance, proposal_id)["expiresAt"]
    chain.travel_to(int(str(expires_at)))
    with reverts("GovernanceProposalExpired", proposal_id, expires_at):
        chain.send(deployment.committee[0], deployment.governance.functions.cancel(proposal_id))


# --- views -------------------------------------------------------------------------------------


def test_get_proposal_refuses_unknown_id(chain: Chain, deployment: Deployment) -> None:
    with reverts("GovernanceUnknownProposal", 10**6):
        chain.call(deployment.outsider, deployment.governance.functions.getProposal(10**6))


def test_proposal_state_refuses_unknown_id(chain: Chain, deployment: Deployment) -> None:
    with reverts("GovernanceUnknownProposal", 10**6):
        chain.call(deployment.outsider, deployment.governance.functions.proposalState(10**6))


def test_is_member_is_false_for_outsider(deployment: Deployment) -> None:
    assert not deployment.governance.functions.isMember(deployment.outsider.address).call()
