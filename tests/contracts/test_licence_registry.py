"""LicenceRegistry: batch anchoring and per-licence status, changed only by the batch's issuer."""

from __future__ import annotations

import pytest
from web3.contract import Contract
from web3.types import TxReceipt

from tests.contracts.chains import Chain, reverts
from tests.contracts.deployment import (
    ISSUER,
    ZERO_HASH,
    Department,
    Deployment,
    random_hash,
)

UNKNOWN, VALID, SUSPENDED, WITHDRAWN, CANCELLED, SUPERSEDED, REVOKED = 0, 1, 2, 3, 4, 6, 7

# The status-changing functions that take (root, leaf, reasonCode), by the status they set.
SIMPLE_CHANGES = {
    SUSPENDED: "suspendLicence",
    VALID: "reinstateLicence",
    WITHDRAWN: "withdrawLicence",
    CANCELLED: "cancelLicence",
    REVOKED: "revokeLicence",
}
FINAL = (WITHDRAWN, CANCELLED, REVOKED)


@pytest.fixture(scope="module")
def issuer(deployment: Deployment) -> Department:
    return deployment.add_department(ISSUER)


@pytest.fixture(scope="module")
def other_issuer(deployment: Deployment) -> Department:
    return deployment.add_department(ISSUER)


def anchor(deployment: Deployment, issuer: Department, count: int = 3) -> bytes:
    root = random_hash()
    deployment.chain.send(issuer.account, deployment.licences.functions.anchorBatch(root, count))
    return root


def status_of(licences: Contract, root: bytes, leaf: bytes) -> dict[str, object]:
    values = licences.functions.statusOf(root, leaf).call()
    keys = ("status", "reasonCode", "changedAt", "supersededByRoot", "supersededByLeaf")
    return dict(zip(keys, values, strict=True))


def change(
    deployment: Deployment,
    caller: Department,
    to: int,
    root: bytes,
    leaf: bytes,
    *,
    reason: int = 0,
) -> TxReceipt:
    function = deployment.licences.get_function_by_name(SIMPLE_CHANGES[to])
    return deployment.chain.send(caller.account, function(root, leaf, reason))


# --- constants and views -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("constant", "value"),
    [
        ("STATUS_UNKNOWN", UNKNOWN),
        ("STATUS_VALID", VALID),
        ("STATUS_SUSPENDED", SUSPENDED),
        ("STATUS_WITHDRAWN", WITHDRAWN),
        ("STATUS_CANCELLED", CANCELLED),
        ("STATUS_SUPERSEDED", SUPERSEDED),
        ("STATUS_REVOKED", REVOKED),
    ],
)
def test_status_codes_follow_mohurd(deployment: Deployment, constant: str, value: int) -> None:
    assert deployment.licences.get_function_by_name(constant)().call() == value


def test_views_of_unanchored_root(deployment: Deployment) -> None:
    root = random_hash()
    assert deployment.licences.functions.batchOf(root).call() == (ZERO_HASH, 0, 0)
    assert status_of(deployment.licences, root, random_hash())["status"] == UNKNOWN


# --- anchorBatch -------------------------------------------------------------------------------


def test_anchor_batch(chain: Chain, deployment: Deployment, issuer: Department) -> None:
    root = random_hash()
    receipt = chain.send(issuer.account, deployment.licences.functions.anchorBatch(root, 250))
    assert chain.events(receipt, deployment.licences, "BatchAnchored") == [
        {"root": root, "issuer": issuer.code, "count": 250}
    ]
    anchored_at = chain.block_time(receipt)
    assert deployment.licences.functions.batchOf(root).call() == (issuer.code, 250, anchored_at)
    # A licence of the batch that was never changed is valid since the batch was anchored.
    assert status_of(deployment.licences, root, random_hash()) == {
        "status": VALID,
        "reasonCode": 0,
        "changedAt": anchored_at,
        "supersededByRoot": ZERO_HASH,
        "supersededByLeaf": ZERO_HASH,
    }
    assert status_of(deployment.licences, root, ZERO_HASH)["status"] == UNKNOWN


def test_anchor_batch_rejects_zero_root(
    chain: Chain, deployment: Deployment, issuer: Department
) -> None:
    with reverts("LicenceZeroRoot"):
        chain.send(issuer.account, deployment.licences.functions.anchorBatch(ZERO_HASH, 1))


def test_anchor_batch_rejects_empty_batch(
    chain: Chain, deployment: Deployment, issuer: Department
) -> None:
    root = random_hash()
    with reverts("LicenceEmptyBatch", root):
        chain.send(issuer.account, deployment.licences.functions.anchorBatch(root, 0))
    assert deployment.licences.functions.batchOf(root).call()[2] == 0


@pytest.mark.parametrize("anchored_by", ["same issuer", "other issuer"])
def test_anchor_batch_rejects_anchored_root(
    chain: Chain,
    deployment: Deployment,
    issuer: Department,
    other_issuer: Department,
    anchored_by: str,
) -> None:
    root = anchor(deployment, issuer, count=5)
    second = issuer if anchored_by == "same issuer" else other_issuer
    with reverts("LicenceBatchExists", root):
        chain.send(second.account, deployment.licences.functions.anchorBatch(root, 9))
    assert deployment.licences.functions.batchOf(root).call()[:2] == (issuer.code, 5)


# --- authorisation by batch -------------------------------------------------------------------


@pytest.mark.parametrize("to", [SUSPENDED, WITHDRAWN, CANCELLED, REVOKED, SUPERSEDED])
def test_changes_refuse_issuer_of_another_batch(
    chain: Chain,
    deployment: Deployment,
    issuer: Department,
    other_issuer: Department,
    to: int,
) -> None:
    root, leaf = anchor(deployment, issuer), random_hash()
    own_root = anchor(deployment, other_issuer)
    if to == SUPERSEDED:
        function = deployment.licences.functions.supersedeLicence(root, leaf, own_root, leaf, 1)
    else:
        function = deployment.licences.get_function_by_name(SIMPLE_CHANGES[to])(root, leaf, 1)
    with reverts("LicenceNotBatchIssuer", root, other_issuer.code):
        chain.send(other_issuer.account, function)
    assert status_of(deployment.licences, root, leaf)["status"] == VALID


# --- status changes ----------------------------------------------------------------------------


def test_suspend_licence(chain: Chain, deployment: Deployment, issuer: Department) -> None:
    root, leaf = anchor(deployment, issuer), random_hash()
    receipt = change(deployment, issuer, SUSPENDED, root, leaf, reason=301)
    assert chain.events(receipt, deployment.licences, "LicenceStatusChanged") == [
        {
            "root": root,
            "leaf": leaf,
            "status": SUSPENDED,
            "previousStatus": VALID,
            "reasonCode": 301,
        }
    ]
    assert status_of(deployment.licences, root, leaf) == {
        "status": SUSPENDED,
        "reasonCode": 301,
        "changedAt": chain.block_time(receipt),
        "supersededByRoot": ZERO_HASH,
        "supersededByLeaf": ZERO_HASH,
    }


def test_reinstate_licence(chain: Chain, deployment: Deployment, issuer: Department) -> None:
    root, leaf = anchor(deployment, issuer), random_hash()
    change(deployment, issuer, SUSPENDED, root, leaf, reason=301)
    receipt = change(deployment, issuer, VALID, root, leaf, reason=302)
    assert chain.events(receipt, deployment.licences, "LicenceStatusChanged") == [
        {
            "root": root,
            "leaf": leaf,
            "status": VALID,
            "previousStatus": SUSPENDED,
            "reasonCode": 302,
        }
    ]
    status = status_of(deployment.licences, root, leaf)
    assert (status["status"], status["reasonCode"]) == (VALID, 302)


def test_reinstate_licence_rejects_valid(
    chain: Chain, deployment: Deployment, issuer: Department
) -> None:
    root, leaf = anchor(deployment, issuer), random_hash()
    with reverts("LicenceInvalidTransition", root, leaf, VALID, VALID):
        change(deployment, issuer, VALID, root, leaf)


def test_suspend_licence_rejects_suspended(
    chain: Chain, deployment: Deployment, issuer: Department
) -> None:
    root, leaf = anchor(deployment, issuer), random_hash()
    change(deployment, issuer, SUSPENDED, root, leaf, reason=5)
    with reverts("LicenceInvalidTransition", root, leaf, SUSPENDED, SUSPENDED):
        change(deployment, issuer, SUSPENDED, root, leaf, reason=6)
    assert status_of(deployment.licences, root, leaf)["reasonCode"] == 5


@pytest.mark.parametrize("to", FINAL)
@pytest.mark.parametrize("start", [VALID, SUSPENDED])
def test_final_changes_from_valid_or_suspended(
    chain: Chain, deployment: Deployment, issuer: Department, start: int, to: int
) -> None:
    root, leaf = anchor(deployment, issuer), random_hash()
    if start == SUSPENDED:
        change(deployment, issuer, SUSPENDED, root, leaf)
    receipt = change(deployment, issuer, to, root, leaf, reason=400 + to)
    assert chain.events(receipt, deployment.licences, "LicenceStatusChanged") == [
        {"root": root, "leaf": leaf, "status": to, "previousStatus": start, "reasonCode": 400 + to}
    ]
    assert status_of(deployment.licences, root, leaf)["status"] == to


@pytest.mark.parametrize("final", FINAL)
def test_final_status_admits_no_change(
    chain: Chain, deployment: Deployment, issuer: Department, final: int
) -> None:
    root, leaf = anchor(deployment, issuer), random_hash()
    change(deployment, issuer, final, root, leaf)
    for to in SIMPLE_CHANGES:
        with reverts("LicenceInvalidTransition", root, leaf, final, to):
            change(deployment, issuer, to, root, leaf)
    successor_root = anchor(deployment, issuer)
    with reverts("LicenceInvalidTransition", root, leaf, final, SUPERSEDED):
        chain.send(
            issuer.account,
            deployment.licences.functions.supersedeLicence(root, leaf, successor_root, leaf, 1),
        )
    assert status_of(deployment.licences, root, leaf)["status"] == final


@pytest.mark.parametrize("to", list(SIMPLE_CHANGES))
def test_changes_reject_unanchored_root(
    chain: Chain, deployment: Deployment, issuer: Department, to: int
) -> None:
    root = random_hash()
    with reverts("LicenceUnknownBatch", root):
        change(deployment, issuer, to, root, random_hash())


def test_changes_reject_zero_root_and_leaf(
    chain: Chain, deployment: Deployment, issuer: Department
) -> None:
    root = anchor(deployment, issuer)
    with reverts("LicenceZeroRoot"):
        change(deployment, issuer, SUSPENDED, ZERO_HASH, random_hash())
    with reverts("LicenceZeroLeaf"):
        change(deployment, issuer, SUSPENDED, root, ZERO_HASH)


def test_same_leaf_in_two_batches_has_two_statuses(
    chain: Chain, deployment: Deployment, issuer: Department, other_issuer: Department
) -> None:
    leaf = random_hash()
    root, other_root = anchor(deployment, issuer), anchor(deployment, other_issuer)
    change(deployment, other_issuer, REVOKED, other_root, leaf)
    assert status_of(deployment.licences, other_root, leaf)["status"] == REVOKED
    assert status_of(deployment.licences, root, leaf)["status"] == VALID


# --- supersedeLicence --------------------------------------------------------------------------


@pytest.mark.parametrize("start", [VALID, SUSPENDED])
def test_supersede_licence(
    chain: Chain, deployment: Deployment, issuer: Department, start: int
) -> None:
    root, leaf = anchor(deployment, issuer), random_hash()
    new_root, new_leaf = anchor(deployment, issuer), random_hash()
    if start == SUSPENDED:
        change(deployment, issuer, SUSPENDED, root, leaf)
    receipt = chain.send(
        issuer.account,
        deployment.licences.functions.supersedeLicence(root, leaf, new_root, new_leaf, 601),
    )
    assert chain.events(receipt, deployment.licences, "LicenceStatusChanged") == [
        {
            "root": root,
            "leaf": leaf,
            "status": SUPERSEDED,
            "previousStatus": start,
            "reasonCode": 601,
        }
    ]
    assert chain.events(receipt, deployment.licences, "LicenceSuperseded") == [
        {"root": root, "leaf": leaf, "newRoot": new_root, "newLeaf": new_leaf}
    ]
    assert status_of(deployment.licences, root, leaf) == {
        "status": SUPERSEDED,
        "reasonCode": 601,
        "changedAt": chain.block_time(receipt),
        "supersededByRoot": new_root,
        "supersededByLeaf": new_leaf,
    }
    assert status_of(deployment.licences, new_root, new_leaf)["status"] == VALID


def test_supersede_licence_within_the_same_batch(
    chain: Chain, deployment: Deployment, issuer: Department
) -> None:
    root, leaf, new_leaf = anchor(deployment, issuer), random_hash(), random_hash()
    chain.send(
        issuer.account,
        deployment.licences.functions.supersedeLicence(root, leaf, root, new_leaf, 1),
    )
    assert status_of(deployment.licences, root, leaf)["supersededByLeaf"] == new_leaf


def test_supersede_licence_rejects_successor_of_another_issuer(
    chain: Chain, deployment: Deployment, issuer: Department, other_issuer: Department
) -> None:
    root, leaf = anchor(deployment, issuer), random_hash()
    foreign_root = anchor(deployment, other_issuer)
    with reverts("LicenceNotBatchIssuer", foreign_root, issuer.code):
        chain.send(
            issuer.account,
            deployment.licences.functions.supersedeLicence(root, leaf, foreign_root, leaf, 1),
        )
    assert status_of(deployment.licences, root, leaf)["status"] == VALID


def test_supersede_licence_rejects_unanchored_successor(
    chain: Chain, deployment: Deployment, issuer: Department
) -> None:
    root, leaf, new_root = anchor(deployment, issuer), random_hash(), random_hash()
    with reverts("LicenceUnknownBatch", new_root):
        chain.send(
            issuer.account,
            deployment.licences.functions.supersedeLicence(root, leaf, new_root, leaf, 1),
        )


def test_supersede_licence_rejects_zero_successor(
    chain: Chain, deployment: Deployment, issuer: Department
) -> None:
    root, leaf = anchor(deployment, issuer), random_hash()
    supersede = deployment.licences.functions.supersedeLicence
    with reverts("LicenceZeroRoot"):
        chain.send(issuer.account, supersede(root, leaf, ZERO_HASH, random_hash(), 1))
    with reverts("LicenceZeroLeaf"):
        chain.send(issuer.account, supersede(root, leaf, root, ZERO_HASH, 1))


def test_supersede_licence_rejects_itself_as_successor(
    chain: Chain, deployment: Deployment, issuer: Department
) -> None:
    root, leaf = anchor(deployment, issuer), random_hash()
    with reverts("LicenceInvalidSuccessor", root, leaf):
        chain.send(
            issuer.account,
            deployment.licences.functions.supersedeLicence(root, leaf, root, leaf, 1),
        )
    assert status_of(deployment.licences, root, leaf)["status"] == VALID


def test_supersede_licence_rejects_successor_that_is_not_valid(
    chain: Chain, deployment: Deployment, issuer: Department
) -> None:
    root, leaf, new_leaf = anchor(deployment, issuer), random_hash(), random_hash()
    change(deployment, issuer, SUSPENDED, root, new_leaf)
    with reverts("LicenceInvalidSuccessor", root, new_leaf):
        chain.send(
            issuer.account,
            deployment.licences.functions.supersedeLicence(root, leaf, root, new_leaf, 1),
        )
    assert status_of(deployment.licences, root, leaf)["status"] == VALID
