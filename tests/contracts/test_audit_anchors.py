"""AuditAnchors: contiguous access-log segments, anchored only by log operators the committee
named, and extended only by the log's owner."""

from __future__ import annotations

import pytest

from tests.contracts.chains import Chain, reverts
from tests.contracts.deployment import (
    ALL_ROLES,
    ZERO_HASH,
    Department,
    Deployment,
    random_hash,
)


def operator(deployment: Deployment) -> Department:
    """A department the committee made a log operator (it needs no department role)."""
    department = deployment.add_department()
    deployment.govern(deployment.audit.functions.grantLogOperator(department.code))
    return department


@pytest.fixture(scope="module")
def department(deployment: Deployment) -> Department:
    return operator(deployment)


def anchor(deployment: Deployment, owner: Department, log_id: bytes, first: int, last: int) -> int:
    function = deployment.audit.functions.anchorSegment(log_id, first, last, random_hash())
    index = deployment.chain.call(owner.account, function)
    deployment.chain.send(owner.account, function)
    return int(index)


# --- log operators -----------------------------------------------------------------------------


def test_the_committee_grants_and_revokes_the_log_operator_role(
    chain: Chain, deployment: Deployment
) -> None:
    department = deployment.add_department()
    is_operator = deployment.audit.functions.isLogOperator
    assert not is_operator(department.code).call()
    grant = deployment.audit.functions.grantLogOperator(department.code)
    receipt = deployment.govern(grant)
    assert chain.events(receipt, deployment.audit, "AuditLogOperatorGranted") == [
        {"department": department.code}
    ]
    assert is_operator(department.code).call()
    assert chain.events(deployment.govern(grant), deployment.audit, "AuditLogOperatorGranted") == []
    revoke = deployment.audit.functions.revokeLogOperator(department.code)
    receipt = deployment.govern(revoke)
    assert chain.events(receipt, deployment.audit, "AuditLogOperatorRevoked") == [
        {"department": department.code}
    ]
    assert not is_operator(department.code).call()
    assert (
        chain.events(deployment.govern(revoke), deployment.audit, "AuditLogOperatorRevoked") == []
    )


def test_a_department_that_is_not_an_operator_cannot_claim_a_log(
    chain: Chain, deployment: Deployment
) -> None:
    log_id, claimant = random_hash(), deployment.add_department(*ALL_ROLES)
    with reverts("AuditNotLogOperator", claimant.code):
        chain.send(
            claimant.account, deployment.audit.functions.anchorSegment(log_id, 0, 9, random_hash())
        )
    assert deployment.audit.functions.getLog(log_id).call() == (ZERO_HASH, 0, 0)


def test_a_revoked_operator_no_longer_extends_its_log(chain: Chain, deployment: Deployment) -> None:
    log_id, owner = random_hash(), operator(deployment)
    anchor(deployment, owner, log_id, 0, 9)
    deployment.govern(deployment.audit.functions.revokeLogOperator(owner.code))
    with reverts("AuditNotLogOperator", owner.code):
        chain.send(
            owner.account, deployment.audit.functions.anchorSegment(log_id, 10, 19, random_hash())
        )
    deployment.govern(deployment.audit.functions.grantLogOperator(owner.code))
    assert anchor(deployment, owner, log_id, 10, 19) == 1


def test_views_of_unknown_log(chain: Chain, deployment: Deployment) -> None:
    log_id = random_hash()
    assert deployment.audit.functions.getLog(log_id).call() == (ZERO_HASH, 0, 0)
    with reverts("AuditUnknownSegment", log_id, 0):
        chain.call(deployment.outsider, deployment.audit.functions.getSegment(log_id, 0))
    with reverts("AuditSeqNotAnchored", log_id, 0):
        chain.call(deployment.outsider, deployment.audit.functions.findSegment(log_id, 0))


# --- anchorSegment -----------------------------------------------------------------------------


def test_anchor_first_segment_opens_log(
    chain: Chain, deployment: Deployment, department: Department
) -> None:
    log_id, root = random_hash(), random_hash()
    receipt = chain.send(
        department.account, deployment.audit.functions.anchorSegment(log_id, 0, 99, root)
    )
    assert chain.events(receipt, deployment.audit, "AuditSegmentAnchored") == [
        {
            "logId": log_id,
            "index": 0,
            "department": department.code,
            "firstSeq": 0,
            "lastSeq": 99,
            "root": root,
        }
    ]
    assert deployment.audit.functions.getLog(log_id).call() == (department.code, 100, 1)
    timestamp = chain.block_time(receipt)
    assert deployment.audit.functions.getSegment(log_id, 0).call() == (0, 99, root, timestamp)


def test_anchor_contiguous_segments(deployment: Deployment, department: Department) -> None:
    log_id = random_hash()
    assert anchor(deployment, department, log_id, 0, 9) == 0
    assert anchor(deployment, department, log_id, 10, 10) == 1  # a single entry
    assert anchor(deployment, department, log_id, 11, 500) == 2
    assert deployment.audit.functions.getLog(log_id).call() == (department.code, 501, 3)
    assert deployment.audit.functions.getSegment(log_id, 1).call()[:2] == (10, 10)


def test_first_segment_must_start_at_zero(
    chain: Chain, deployment: Deployment, department: Department
) -> None:
    log_id = random_hash()
    with reverts("AuditNotContiguous", log_id, 0, 1):
        chain.send(
            department.account,
            deployment.audit.functions.anchorSegment(log_id, 1, 5, random_hash()),
        )
    assert deployment.audit.functions.getLog(log_id).call() == (ZERO_HASH, 0, 0)


@pytest.mark.parametrize("first", [9, 11, 0], ids=["overlap", "gap", "restart"])
def test_next_segment_must_follow_the_last(
    chain: Chain, deployment: Deployment, department: Department, first: int
) -> None:
    log_id = random_hash()
    anchor(deployment, department, log_id, 0, 9)
    with reverts("AuditNotContiguous", log_id, 10, first):
        chain.send(
            department.account,
            deployment.audit.functions.anchorSegment(log_id, first, 20, random_hash()),
        )
    assert deployment.audit.functions.getLog(log_id).call() == (department.code, 10, 1)


def test_only_the_owner_extends_a_log(
    chain: Chain, deployment: Deployment, department: Department
) -> None:
    log_id, other = random_hash(), operator(deployment)
    anchor(deployment, department, log_id, 0, 9)
    with reverts("AuditNotLogOwner", log_id, other.code):
        chain.send(
            other.account, deployment.audit.functions.anchorSegment(log_id, 10, 19, random_hash())
        )
    assert deployment.audit.functions.getLog(log_id).call() == (department.code, 10, 1)


def test_anchor_segment_rejects_zero_ids(
    chain: Chain, deployment: Deployment, department: Department
) -> None:
    anchor_segment = deployment.audit.functions.anchorSegment
    with reverts("AuditZeroId"):
        chain.send(department.account, anchor_segment(ZERO_HASH, 0, 1, random_hash()))
    with reverts("AuditZeroRoot"):
        chain.send(department.account, anchor_segment(random_hash(), 0, 1, ZERO_HASH))


def test_anchor_segment_rejects_inverted_range(
    chain: Chain, deployment: Deployment, department: Department
) -> None:
    log_id = random_hash()
    anchor(deployment, department, log_id, 0, 9)
    with reverts("AuditInvalidRange", log_id, 10, 9):
        chain.send(
            department.account,
            deployment.audit.functions.anchorSegment(log_id, 10, 9, random_hash()),
        )


def test_anchor_segment_refuses_unknown_account(chain: Chain, deployment: Deployment) -> None:
    log_id, outsider = random_hash(), deployment.outsider
    with reverts("DepartmentUnknownAccount", outsider.address):
        chain.send(outsider, deployment.audit.functions.anchorSegment(log_id, 0, 1, random_hash()))
    assert deployment.audit.functions.getLog(log_id).call() == (ZERO_HASH, 0, 0)


def test_anchor_segment_refuses_suspended_owner(chain: Chain, deployment: Deployment) -> None:
    log_id, owner = random_hash(), operator(deployment)
    anchor(deployment, owner, log_id, 0, 9)
    deployment.govern(deployment.departments.functions.suspendDepartment(owner.code, 1))
    with reverts("DepartmentSuspended", owner.code):
        chain.send(
            owner.account, deployment.audit.functions.anchorSegment(log_id, 10, 19, random_hash())
        )
    assert deployment.audit.functions.getLog(log_id).call() == (owner.code, 10, 1)


# --- lookups -----------------------------------------------------------------------------------


def test_get_segment_rejects_index_past_the_end(
    chain: Chain, deployment: Deployment, department: Department
) -> None:
    log_id = random_hash()
    anchor(deployment, department, log_id, 0, 9)
    with reverts("AuditUnknownSegment", log_id, 1):
        chain.call(deployment.outsider, deployment.audit.functions.getSegment(log_id, 1))


def test_find_segment_covers_every_anchored_entry(
    chain: Chain, deployment: Deployment, department: Department
) -> None:
    log_id = random_hash()
    bounds = [(0, 0), (1, 4), (5, 5), (6, 11), (12, 12)]
    for first, last in bounds:
        anchor(deployment, department, log_id, first, last)
    find = deployment.audit.functions.findSegment
    for index, (first, last) in enumerate(bounds):
        for seq in range(first, last + 1):
            found_index, segment = find(log_id, seq).call()
            assert (found_index, segment[:2]) == (index, (first, last)), seq
    with reverts("AuditSeqNotAnchored", log_id, 13):
        chain.call(deployment.outsider, find(log_id, 13))
