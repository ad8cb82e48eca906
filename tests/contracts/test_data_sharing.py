"""DataSharing: datasets, requests, narrowing approvals, revocation and use counting."""

from __future__ import annotations

import pytest
from web3 import Web3
from web3.contract import Contract

from tests.contracts.chains import Chain, reverts
from tests.contracts.deployment import (
    DATA_PROVIDER,
    DATA_REQUESTER,
    ZERO_HASH,
    Department,
    Deployment,
    random_hash,
)

UNCONDITIONAL, CONDITIONAL, NOT_SHAREABLE = 0, 1, 2
PENDING, GRANTED, REJECTED, REVOKED = 1, 2, 3, 4

NAME, ID_NUMBER, ADDRESS, PHONE = (
    Web3.keccak(text=field) for field in ("name", "id_number", "address", "phone")
)
PURPOSE = Web3.keccak(text="social assistance eligibility check")
SCENARIO = 1201
LIFETIME_S = 30 * 24 * 3600


@pytest.fixture(scope="module")
def provider(deployment: Deployment) -> Department:
    return deployment.add_department(DATA_PROVIDER)


@pytest.fixture(scope="module")
def other_provider(deployment: Deployment) -> Department:
    return deployment.add_department(DATA_PROVIDER)


@pytest.fixture(scope="module")
def requester(deployment: Deployment) -> Department:
    return deployment.add_department(DATA_REQUESTER)


def new_dataset(deployment: Deployment, provider: Department, share_class: int) -> bytes:
    dataset_id = random_hash()
    deployment.chain.send(
        provider.account,
        deployment.sharing.functions.registerDataset(dataset_id, share_class, random_hash()),
    )
    return dataset_id


def request(
    deployment: Deployment,
    requester: Department,
    dataset_id: bytes,
    *,
    fields: tuple[bytes, ...] = (NAME, ID_NUMBER, ADDRESS),
    max_uses: int = 10,
) -> int:
    expires_at = deployment.chain.latest_timestamp() + LIFETIME_S
    deployment.chain.send(
        requester.account,
        deployment.sharing.functions.requestAccess(
            dataset_id, list(fields), PURPOSE, SCENARIO, expires_at, max_uses
        ),
    )
    return int(deployment.sharing.functions.grantCount().call())


def granted(
    deployment: Deployment, provider: Department, requester: Department, max_uses: int = 10
) -> int:
    """A grant of an unconditional dataset (granted at request time)."""
    dataset_id = new_dataset(deployment, provider, UNCONDITIONAL)
    return request(deployment, requester, dataset_id, max_uses=max_uses)


def grant_view(sharing: Contract, grant_id: int) -> dict[str, object]:
    keys = (
        "requester",
        "datasetId",
        "fields",
        "purposeHash",
        "scenarioCode",
        "status",
        "reasonCode",
        "requestedAt",
        "decidedAt",
        "expiresAt",
        "maxUses",
        "used",
    )
    return dict(zip(keys, sharing.functions.getGrant(grant_id).call(), strict=True))


# --- views -------------------------------------------------------------------------------------


def test_views_reject_unknown_ids(chain: Chain, deployment: Deployment) -> None:
    dataset_id, sharing = random_hash(), deployment.sharing.functions
    with reverts("SharingUnknownDataset", dataset_id):
        chain.call(deployment.outsider, sharing.getDataset(dataset_id))
    with reverts("SharingUnknownGrant", 10**6):
        chain.call(deployment.outsider, sharing.getGrant(10**6))
    with reverts("SharingUnknownGrant", 0):
        chain.call(deployment.outsider, sharing.getGrant(0))
    assert not sharing.isGrantActive(10**6).call()


# --- registerDataset ---------------------------------------------------------------------------


@pytest.mark.parametrize("share_class", [UNCONDITIONAL, CONDITIONAL, NOT_SHAREABLE])
def test_register_dataset(
    chain: Chain, deployment: Deployment, provider: Department, share_class: int
) -> None:
    dataset_id, schema = random_hash(), random_hash()
    receipt = chain.send(
        provider.account,
        deployment.sharing.functions.registerDataset(dataset_id, share_class, schema),
    )
    assert chain.events(receipt, deployment.sharing, "DatasetRegistered") == [
        {
            "datasetId": dataset_id,
            "provider": provider.code,
            "shareClass": share_class,
            "schemaHash": schema,
        }
    ]
    assert deployment.sharing.functions.getDataset(dataset_id).call() == (
        provider.code,
        share_class,
        schema,
        0,
        chain.block_time(receipt),
    )


def test_register_dataset_rejects_zero_id_and_schema(
    chain: Chain, deployment: Deployment, provider: Department
) -> None:
    register = deployment.sharing.functions.registerDataset
    with reverts("SharingZeroId"):
        chain.send(provider.account, register(ZERO_HASH, CONDITIONAL, random_hash()))
    with reverts("SharingZeroHash"):
        chain.send(provider.account, register(random_hash(), CONDITIONAL, ZERO_HASH))


def test_register_dataset_rejects_unknown_share_class(
    chain: Chain, deployment: Deployment, provider: Department
) -> None:
    with reverts("SharingInvalidShareClass", 3):
        chain.send(
            provider.account,
            deployment.sharing.functions.registerDataset(random_hash(), 3, random_hash()),
        )


def test_register_dataset_rejects_registered_id(
    chain: Chain, deployment: Deployment, provider: Department, other_provider: Department
) -> None:
    dataset_id = new_dataset(deployment, provider, CONDITIONAL)
    with reverts("SharingDatasetExists", dataset_id):
        chain.send(
            other_provider.account,
            deployment.sharing.functions.registerDataset(dataset_id, 0, random_hash()),
        )
    assert deployment.sharing.functions.getDataset(dataset_id).call()[0] == provider.code


# --- publishVersion ----------------------------------------------------------------------------


def test_publish_version(chain: Chain, deployment: Deployment, provider: Department) -> None:
    dataset_id = new_dataset(deployment, provider, CONDITIONAL)
    sharing = deployment.sharing
    for version in (1, 2):
        content, signature = random_hash(), random_hash()
        publish = sharing.functions.publishVersion(dataset_id, content, signature)
        assert chain.call(provider.account, publish) == version
        receipt = chain.send(provider.account, publish)
        assert chain.events(receipt, sharing, "DatasetVersionPublished") == [
            {
                "datasetId": dataset_id,
                "version": version,
                "contentHash": content,
                "signatureHash": signature,
            }
        ]
        assert sharing.functions.getVersion(dataset_id, version).call() == (
            content,
            signature,
            chain.block_time(receipt),
        )
    assert sharing.functions.getDataset(dataset_id).call()[3] == 2


def test_publish_version_refuses_other_provider(
    chain: Chain, deployment: Deployment, provider: Department, other_provider: Department
) -> None:
    dataset_id = new_dataset(deployment, provider, CONDITIONAL)
    with reverts("SharingNotProvider", dataset_id, other_provider.code):
        chain.send(
            other_provider.account,
            deployment.sharing.functions.publishVersion(dataset_id, random_hash(), random_hash()),
        )
    assert deployment.sharing.functions.getDataset(dataset_id).call()[3] == 0


def test_publish_version_rejects_unknown_dataset(
    chain: Chain, deployment: Deployment, provider: Department
) -> None:
    dataset_id = random_hash()
    with reverts("SharingUnknownDataset", dataset_id):
        chain.send(
            provider.account,
            deployment.sharing.functions.publishVersion(dataset_id, random_hash(), random_hash()),
        )


@pytest.mark.parametrize("zero", ["content", "signature"])
def test_publish_version_rejects_zero_hashes(
    chain: Chain, deployment: Deployment, provider: Department, zero: str
) -> None:
    dataset_id = new_dataset(deployment, provider, CONDITIONAL)
    content = ZERO_HASH if zero == "content" else random_hash()
    signature = ZERO_HASH if zero == "signature" else random_hash()
    with reverts("SharingZeroHash"):
        chain.send(
            provider.account,
            deployment.sharing.functions.publishVersion(dataset_id, content, signature),
        )


@pytest.mark.parametrize("version", [0, 1])
def test_get_version_rejects_unpublished_version(
    chain: Chain, deployment: Deployment, provider: Department, version: int
) -> None:
    dataset_id = new_dataset(deployment, provider, CONDITIONAL)
    with reverts("SharingUnknownDataset", dataset_id):
        chain.call(
            deployment.outsider, deployment.sharing.functions.getVersion(dataset_id, version)
        )


# --- requestAccess -----------------------------------------------------------------------------


def test_request_access_to_conditional_dataset_waits_for_approval(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    dataset_id = new_dataset(deployment, provider, CONDITIONAL)
    expires_at = chain.latest_timestamp() + LIFETIME_S
    fields = [NAME, ID_NUMBER]
    receipt = chain.send(
        requester.account,
        deployment.sharing.functions.requestAccess(
            dataset_id, fields, PURPOSE, SCENARIO, expires_at, 5
        ),
    )
    grant_id = deployment.sharing.functions.grantCount().call()
    assert chain.events(receipt, deployment.sharing, "AccessRequested") == [
        {
            "grantId": grant_id,
            "datasetId": dataset_id,
            "requester": requester.code,
            "fields": fields,
            "purposeHash": PURPOSE,
            "scenarioCode": SCENARIO,
            "expiresAt": expires_at,
            "maxUses": 5,
        }
    ]
    assert chain.events(receipt, deployment.sharing, "AccessGranted") == []
    assert grant_view(deployment.sharing, grant_id) == {
        "requester": requester.code,
        "datasetId": dataset_id,
        "fields": fields,
        "purposeHash": PURPOSE,
        "scenarioCode": SCENARIO,
        "status": PENDING,
        "reasonCode": 0,
        "requestedAt": chain.block_time(receipt),
        "decidedAt": 0,
        "expiresAt": expires_at,
        "maxUses": 5,
        "used": 0,
    }
    assert not deployment.sharing.functions.isGrantActive(grant_id).call()


def test_request_access_to_unconditional_dataset_is_granted_at_once(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    dataset_id = new_dataset(deployment, provider, UNCONDITIONAL)
    expires_at = chain.latest_timestamp() + LIFETIME_S
    receipt = chain.send(
        requester.account,
        deployment.sharing.functions.requestAccess(
            dataset_id, [PHONE], PURPOSE, SCENARIO, expires_at, 3
        ),
    )
    grant_id = deployment.sharing.functions.grantCount().call()
    assert chain.events(receipt, deployment.sharing, "AccessGranted") == [
        {"grantId": grant_id, "fields": [PHONE], "expiresAt": expires_at, "maxUses": 3}
    ]
    grant = grant_view(deployment.sharing, grant_id)
    assert (grant["status"], grant["decidedAt"]) == (GRANTED, chain.block_time(receipt))
    assert deployment.sharing.functions.isGrantActive(grant_id).call()


def test_request_access_refuses_not_shareable_dataset(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    dataset_id = new_dataset(deployment, provider, NOT_SHAREABLE)
    count = deployment.sharing.functions.grantCount().call()
    with reverts("SharingNotShareable", dataset_id):
        request(deployment, requester, dataset_id)
    assert deployment.sharing.functions.grantCount().call() == count


def test_request_access_rejects_unknown_dataset(
    deployment: Deployment, requester: Department
) -> None:
    dataset_id = random_hash()
    with reverts("SharingUnknownDataset", dataset_id):
        request(deployment, requester, dataset_id)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ((), ("SharingNoFields",)),
        ((NAME, ZERO_HASH), ("SharingZeroHash",)),
        ((NAME, PHONE, NAME), ("SharingDuplicateField", NAME)),
    ],
    ids=["none", "zero", "duplicate"],
)
def test_request_access_rejects_bad_field_lists(
    deployment: Deployment,
    provider: Department,
    requester: Department,
    fields: tuple[bytes, ...],
    expected: tuple[str, *tuple[object, ...]],
) -> None:
    dataset_id = new_dataset(deployment, provider, CONDITIONAL)
    with reverts(*expected):
        request(deployment, requester, dataset_id, fields=fields)


def test_request_access_rejects_zero_purpose(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    dataset_id = new_dataset(deployment, provider, CONDITIONAL)
    with reverts("SharingZeroHash"):
        chain.send(
            requester.account,
            deployment.sharing.functions.requestAccess(dataset_id, [NAME], ZERO_HASH, 1, 2**40, 1),
        )


def test_request_access_rejects_expiry_not_in_future(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    dataset_id = new_dataset(deployment, provider, CONDITIONAL)
    past = chain.latest_timestamp()
    with reverts("SharingInvalidExpiry", past):
        chain.send(
            requester.account,
            deployment.sharing.functions.requestAccess(dataset_id, [NAME], PURPOSE, 1, past, 1),
        )


def test_request_access_rejects_zero_uses(
    deployment: Deployment, provider: Department, requester: Department
) -> None:
    dataset_id = new_dataset(deployment, provider, CONDITIONAL)
    with reverts("SharingZeroUses"):
        request(deployment, requester, dataset_id, max_uses=0)


# --- approveRequest ----------------------------------------------------------------------------


def test_approve_request_with_narrower_terms(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    dataset_id = new_dataset(deployment, provider, CONDITIONAL)
    grant_id = request(deployment, requester, dataset_id, max_uses=10)
    requested = grant_view(deployment.sharing, grant_id)
    expires_at = int(requested["expiresAt"]) - 3600  # type: ignore[call-overload]
    receipt = chain.send(
        provider.account,
        deployment.sharing.functions.approveRequest(grant_id, [ADDRESS, NAME], expires_at, 4),
    )
    assert chain.events(receipt, deployment.sharing, "AccessGranted") == [
        {"grantId": grant_id, "fields": [ADDRESS, NAME], "expiresAt": expires_at, "maxUses": 4}
    ]
    grant = grant_view(deployment.sharing, grant_id)
    assert grant == requested | {
        "fields": [ADDRESS, NAME],
        "status": GRANTED,
        "decidedAt": chain.block_time(receipt),
        "expiresAt": expires_at,
        "maxUses": 4,
    }
    assert deployment.sharing.functions.isGrantActive(grant_id).call()


def test_approve_request_with_the_requested_terms(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    dataset_id = new_dataset(deployment, provider, CONDITIONAL)
    grant_id = request(deployment, requester, dataset_id)
    requested = grant_view(deployment.sharing, grant_id)
    chain.send(
        provider.account,
        deployment.sharing.functions.approveRequest(
            grant_id, requested["fields"], requested["expiresAt"], requested["maxUses"]
        ),
    )
    assert grant_view(deployment.sharing, grant_id)["status"] == GRANTED


def pending_request(
    deployment: Deployment, provider: Department, requester: Department
) -> tuple[int, dict[str, object]]:
    dataset_id = new_dataset(deployment, provider, CONDITIONAL)
    grant_id = request(deployment, requester, dataset_id, fields=(NAME, ID_NUMBER), max_uses=10)
    return grant_id, grant_view(deployment.sharing, grant_id)


def test_approve_request_refuses_field_not_requested(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    grant_id, requested = pending_request(deployment, provider, requester)
    with reverts("SharingFieldNotRequested", grant_id, PHONE):
        chain.send(
            provider.account,
            deployment.sharing.functions.approveRequest(
                grant_id, [NAME, PHONE], requested["expiresAt"], 10
            ),
        )
    assert grant_view(deployment.sharing, grant_id) == requested


def test_approve_request_refuses_later_expiry(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    grant_id, requested = pending_request(deployment, provider, requester)
    later = int(requested["expiresAt"]) + 1  # type: ignore[call-overload]
    with reverts("SharingExpiryWidened", grant_id, requested["expiresAt"], later):
        chain.send(
            provider.account,
            deployment.sharing.functions.approveRequest(grant_id, [NAME], later, 10),
        )
    assert grant_view(deployment.sharing, grant_id) == requested


def test_approve_request_refuses_more_uses(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    grant_id, requested = pending_request(deployment, provider, requester)
    with reverts("SharingUsesWidened", grant_id, 10, 11):
        chain.send(
            provider.account,
            deployment.sharing.functions.approveRequest(
                grant_id, [NAME], requested["expiresAt"], 11
            ),
        )
    assert grant_view(deployment.sharing, grant_id) == requested


@pytest.mark.parametrize(
    ("fields", "expected"),
    [((), ("SharingNoFields",)), ((NAME, NAME), ("SharingDuplicateField", NAME))],
    ids=["none", "duplicate"],
)
def test_approve_request_rejects_bad_field_lists(
    deployment: Deployment,
    provider: Department,
    requester: Department,
    fields: tuple[bytes, ...],
    expected: tuple[str, *tuple[object, ...]],
) -> None:
    grant_id, requested = pending_request(deployment, provider, requester)
    with reverts(*expected):
        deployment.chain.send(
            provider.account,
            deployment.sharing.functions.approveRequest(
                grant_id, list(fields), requested["expiresAt"], 1
            ),
        )


def test_approve_request_rejects_expiry_not_in_future(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    grant_id, _ = pending_request(deployment, provider, requester)
    past = chain.latest_timestamp()
    with reverts("SharingInvalidExpiry", past):
        chain.send(
            provider.account, deployment.sharing.functions.approveRequest(grant_id, [NAME], past, 1)
        )


def test_approve_request_rejects_zero_uses(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    grant_id, requested = pending_request(deployment, provider, requester)
    with reverts("SharingZeroUses"):
        chain.send(
            provider.account,
            deployment.sharing.functions.approveRequest(
                grant_id, [NAME], requested["expiresAt"], 0
            ),
        )


@pytest.mark.parametrize("function_name", ["approveRequest", "rejectRequest"])
def test_decisions_refuse_other_provider(
    deployment: Deployment,
    provider: Department,
    other_provider: Department,
    requester: Department,
    function_name: str,
) -> None:
    chain = deployment.chain
    grant_id, requested = pending_request(deployment, provider, requester)
    function = (
        deployment.sharing.functions.approveRequest(grant_id, [NAME], requested["expiresAt"], 1)
        if function_name == "approveRequest"
        else deployment.sharing.functions.rejectRequest(grant_id, 1)
    )
    with reverts("SharingNotProvider", requested["datasetId"], other_provider.code):
        chain.send(other_provider.account, function)
    assert grant_view(deployment.sharing, grant_id) == requested


@pytest.mark.parametrize("function_name", ["approveRequest", "rejectRequest"])
@pytest.mark.parametrize("decided", [GRANTED, REJECTED])
def test_decisions_refuse_decided_request(
    deployment: Deployment,
    provider: Department,
    requester: Department,
    function_name: str,
    decided: int,
) -> None:
    chain = deployment.chain
    grant_id, requested = pending_request(deployment, provider, requester)
    approve = deployment.sharing.functions.approveRequest(
        grant_id, [NAME], requested["expiresAt"], 1
    )
    reject = deployment.sharing.functions.rejectRequest(grant_id, 1)
    chain.send(provider.account, approve if decided == GRANTED else reject)
    with reverts("SharingRequestNotPending", grant_id, decided):
        chain.send(provider.account, approve if function_name == "approveRequest" else reject)


@pytest.mark.parametrize("function_name", ["approveRequest", "rejectRequest"])
def test_decisions_reject_unknown_request(
    chain: Chain, deployment: Deployment, provider: Department, function_name: str
) -> None:
    function = (
        deployment.sharing.functions.approveRequest(10**6, [NAME], 2**40, 1)
        if function_name == "approveRequest"
        else deployment.sharing.functions.rejectRequest(10**6, 1)
    )
    with reverts("SharingUnknownGrant", 10**6):
        chain.send(provider.account, function)


# --- rejectRequest -----------------------------------------------------------------------------


def test_reject_request(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    grant_id, requested = pending_request(deployment, provider, requester)
    receipt = chain.send(provider.account, deployment.sharing.functions.rejectRequest(grant_id, 21))
    assert chain.events(receipt, deployment.sharing, "AccessRejected") == [
        {"grantId": grant_id, "reasonCode": 21}
    ]
    assert grant_view(deployment.sharing, grant_id) == requested | {
        "status": REJECTED,
        "reasonCode": 21,
        "decidedAt": chain.block_time(receipt),
    }
    assert not deployment.sharing.functions.isGrantActive(grant_id).call()


# --- revokeGrant -------------------------------------------------------------------------------


def test_revoke_grant_by_provider(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    grant_id = granted(deployment, provider, requester)
    receipt = chain.send(provider.account, deployment.sharing.functions.revokeGrant(grant_id, 31))
    assert chain.events(receipt, deployment.sharing, "GrantRevoked") == [
        {"grantId": grant_id, "revokedBy": provider.account.address, "reasonCode": 31}
    ]
    grant = grant_view(deployment.sharing, grant_id)
    assert (grant["status"], grant["reasonCode"]) == (REVOKED, 31)
    assert not deployment.sharing.functions.isGrantActive(grant_id).call()
    with reverts("SharingGrantNotActive", grant_id, REVOKED):
        chain.send(provider.account, deployment.sharing.functions.consumeUses(grant_id, 1, 0))


def test_revoke_grant_by_governance(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    grant_id = granted(deployment, provider, requester)
    receipt = deployment.govern(deployment.sharing.functions.revokeGrant(grant_id, 32))
    assert chain.events(receipt, deployment.sharing, "GrantRevoked") == [
        {"grantId": grant_id, "revokedBy": deployment.governance.address, "reasonCode": 32}
    ]
    assert grant_view(deployment.sharing, grant_id)["status"] == REVOKED


def test_revoke_grant_refuses_a_single_committee_member(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    grant_id = granted(deployment, provider, requester)
    member = deployment.committee[0]
    with reverts("DepartmentUnknownAccount", member.address):
        chain.send(member, deployment.sharing.functions.revokeGrant(grant_id, 1))
    assert grant_view(deployment.sharing, grant_id)["status"] == GRANTED


def test_revoke_grant_refuses_other_provider_and_requester(
    chain: Chain,
    deployment: Deployment,
    provider: Department,
    other_provider: Department,
    requester: Department,
) -> None:
    grant_id = granted(deployment, provider, requester)
    dataset_id = grant_view(deployment.sharing, grant_id)["datasetId"]
    with reverts("SharingNotProvider", dataset_id, other_provider.code):
        chain.send(other_provider.account, deployment.sharing.functions.revokeGrant(grant_id, 1))
    with reverts("DepartmentMissingRole", requester.code, DATA_PROVIDER):
        chain.send(requester.account, deployment.sharing.functions.revokeGrant(grant_id, 1))
    assert grant_view(deployment.sharing, grant_id)["status"] == GRANTED


@pytest.mark.parametrize("state", [PENDING, REJECTED, REVOKED])
def test_revoke_grant_rejects_grant_not_granted(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department, state: int
) -> None:
    if state == REVOKED:
        grant_id = granted(deployment, provider, requester)
        chain.send(provider.account, deployment.sharing.functions.revokeGrant(grant_id, 1))
    else:
        grant_id, _ = pending_request(deployment, provider, requester)
        if state == REJECTED:
            chain.send(provider.account, deployment.sharing.functions.rejectRequest(grant_id, 1))
    with reverts("SharingGrantNotActive", grant_id, state):
        chain.send(provider.account, deployment.sharing.functions.revokeGrant(grant_id, 2))


def test_revoke_grant_rejects_unknown_grant(
    chain: Chain, deployment: Deployment, provider: Department
) -> None:
    with reverts("SharingUnknownGrant", 10**6):
        chain.send(provider.account, deployment.sharing.functions.revokeGrant(10**6, 1))


# --- consumeUses -------------------------------------------------------------------------------


def test_consume_uses_up_to_the_limit(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    grant_id = granted(deployment, provider, requester, max_uses=5)
    consume = deployment.sharing.functions.consumeUses
    assert chain.call(provider.account, consume(grant_id, 2, 0)) == 2
    receipt = chain.send(provider.account, consume(grant_id, 2, 0))
    assert chain.events(receipt, deployment.sharing, "GrantUsed") == [
        {"grantId": grant_id, "uses": 2, "used": 2}
    ]
    receipt = chain.send(provider.account, consume(grant_id, 3, 2))
    assert chain.events(receipt, deployment.sharing, "GrantUsed") == [
        {"grantId": grant_id, "uses": 3, "used": 5}
    ]
    assert grant_view(deployment.sharing, grant_id)["used"] == 5
    assert not deployment.sharing.functions.isGrantActive(grant_id).call()  # no use left


def test_consume_uses_refuses_past_the_limit(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    grant_id = granted(deployment, provider, requester, max_uses=5)
    consume = deployment.sharing.functions.consumeUses
    chain.send(provider.account, consume(grant_id, 4, 0))
    with reverts("SharingUsesExceeded", grant_id, 4, 2, 5):
        chain.send(provider.account, consume(grant_id, 2, 4))
    with reverts("SharingUsesExceeded", grant_id, 4, 2**32 - 1, 5):
        chain.send(provider.account, consume(grant_id, 2**32 - 1, 4))  # no overflow
    assert grant_view(deployment.sharing, grant_id)["used"] == 4


def test_consume_uses_counts_a_record_sent_twice_once(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    grant_id = granted(deployment, provider, requester, max_uses=5)
    consume = deployment.sharing.functions.consumeUses
    chain.send(provider.account, consume(grant_id, 2, 0))
    # The same record again (e.g. re-sent after a receipt time-out), and one made too early.
    with reverts("SharingUsesOutOfStep", grant_id, 0, 2):
        chain.send(provider.account, consume(grant_id, 2, 0))
    with reverts("SharingUsesOutOfStep", grant_id, 3, 2):
        chain.send(provider.account, consume(grant_id, 1, 3))
    assert grant_view(deployment.sharing, grant_id)["used"] == 2


def test_consume_uses_rejects_zero(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    grant_id = granted(deployment, provider, requester)
    with reverts("SharingZeroUses"):
        chain.send(provider.account, deployment.sharing.functions.consumeUses(grant_id, 0, 0))


def test_consume_uses_refuses_expired_grant(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    grant_id = granted(deployment, provider, requester)
    expires_at = grant_view(deployment.sharing, grant_id)["expiresAt"]
    assert isinstance(expires_at, int)
    chain.travel_to(expires_at)
    assert not deployment.sharing.functions.isGrantActive(grant_id).call()
    with reverts("SharingGrantExpired", grant_id, expires_at):
        chain.send(provider.account, deployment.sharing.functions.consumeUses(grant_id, 1, 0))
    assert grant_view(deployment.sharing, grant_id)["used"] == 0


@pytest.mark.parametrize("change", ["suspended", "role revoked"])
def test_consume_uses_refuses_a_requester_no_longer_allowed(
    chain: Chain, deployment: Deployment, provider: Department, change: str
) -> None:
    requester = deployment.add_department(DATA_REQUESTER)
    grant_id = granted(deployment, provider, requester)
    registry = deployment.departments.functions
    if change == "suspended":
        deployment.govern(registry.suspendDepartment(requester.code, 1))
        error, arguments = "DepartmentSuspended", (requester.code,)
    else:
        deployment.govern(registry.revokeRole(requester.code, DATA_REQUESTER))
        error = "SharingRequesterMissingRole"
        arguments = (grant_id, requester.code, DATA_REQUESTER)
    with reverts(error, *arguments):
        chain.send(provider.account, deployment.sharing.functions.consumeUses(grant_id, 1, 0))
    assert grant_view(deployment.sharing, grant_id)["used"] == 0


def test_consume_uses_refuses_pending_request(
    chain: Chain, deployment: Deployment, provider: Department, requester: Department
) -> None:
    grant_id, _ = pending_request(deployment, provider, requester)
    with reverts("SharingGrantNotActive", grant_id, PENDING):
        chain.send(provider.account, deployment.sharing.functions.consumeUses(grant_id, 1, 0))


def test_consume_uses_refuses_other_provider(
    chain: Chain,
    deployment: Deployment,
    provider: Department,
    other_provider: Department,
    requester: Department,
) -> None:
    grant_id = granted(deployment, provider, requester)
    dataset_id = grant_view(deployment.sharing, grant_id)["datasetId"]
    with reverts("SharingNotProvider", dataset_id, other_provider.code):
        chain.send(other_provider.account, deployment.sharing.functions.consumeUses(grant_id, 1, 0))


def test_consume_uses_rejects_unknown_grant(
    chain: Chain, deployment: Deployment, provider: Department
) -> None:
    with reverts("SharingUnknownGrant", 10**6):
        chain.send(provider.account, deployment.sharing.functions.consumeUses(10**6, 1, 0))
