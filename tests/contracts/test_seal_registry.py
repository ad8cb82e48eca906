"""SealRegistry: electronic seals, their holders, validity period and revocation."""

from __future__ import annotations

import pytest

from tests.contracts.chains import Chain, reverts
from tests.contracts.deployment import (
    SEAL_ADMIN,
    ZERO_HASH,
    Department,
    Deployment,
    random_hash,
)

VALID_FROM = 1_767_225_600  # 2026-01-01T00:00:00Z
VALID_TO = 1_861_919_999  # 2028-12-31T23:59:59Z


@pytest.fixture(scope="module")
def admin(deployment: Deployment) -> Department:
    return deployment.add_department(SEAL_ADMIN)


@pytest.fixture(scope="module")
def other_admin(deployment: Deployment) -> Department:
    return deployment.add_department(SEAL_ADMIN)


def register(
    deployment: Deployment, admin: Department, holders: list[bytes] | None = None
) -> bytes:
    seal_id = random_hash()
    deployment.chain.send(
        admin.account,
        deployment.seals.functions.registerSeal(
            seal_id, holders or [random_hash()], VALID_FROM, VALID_TO
        ),
    )
    return seal_id


def seal_view(deployment: Deployment, seal_id: bytes) -> dict[str, object]:
    keys = (
        "owner",
        "holderKeyHashes",
        "validFrom",
        "validTo",
        "registeredAt",
        "revokedAt",
        "revocationReason",
    )
    return dict(zip(keys, deployment.seals.functions.getSeal(seal_id).call(), strict=True))


# --- views -------------------------------------------------------------------------------------


def test_get_seal_rejects_unknown_seal(chain: Chain, deployment: Deployment) -> None:
    seal_id = random_hash()
    with reverts("SealUnknown", seal_id):
        chain.call(deployment.outsider, deployment.seals.functions.getSeal(seal_id))


# --- registerSeal ------------------------------------------------------------------------------


def test_register_seal(chain: Chain, deployment: Deployment, admin: Department) -> None:
    seal_id, holders = random_hash(), [random_hash(), random_hash()]
    receipt = chain.send(
        admin.account,
        deployment.seals.functions.registerSeal(seal_id, holders, VALID_FROM, VALID_TO),
    )
    assert chain.events(receipt, deployment.seals, "SealRegistered") == [
        {
            "sealId": seal_id,
            "owner": admin.code,
            "holderKeyHashes": holders,
            "validFrom": VALID_FROM,
            "validTo": VALID_TO,
        }
    ]
    assert seal_view(deployment, seal_id) == {
        "owner": admin.code,
        "holderKeyHashes": holders,
        "validFrom": VALID_FROM,
        "validTo": VALID_TO,
        "registeredAt": chain.block_time(receipt),
        "revokedAt": 0,
        "revocationReason": 0,
    }
    assert all(deployment.seals.functions.isHolder(seal_id, holder).call() for holder in holders)
    assert not deployment.seals.functions.isHolder(seal_id, random_hash()).call()


def test_register_seal_rejects_zero_id(
    chain: Chain, deployment: Deployment, admin: Department
) -> None:
    with reverts("SealZeroId"):
        chain.send(
            admin.account,
            deployment.seals.functions.registerSeal(ZERO_HASH, [random_hash()], 0, 1),
        )


@pytest.mark.parametrize("registered_by", ["same admin", "other admin"])
def test_register_seal_rejects_registered_id(
    chain: Chain,
    deployment: Deployment,
    admin: Department,
    other_admin: Department,
    registered_by: str,
) -> None:
    seal_id = register(deployment, admin)
    second = admin if registered_by == "same admin" else other_admin
    with reverts("SealExists", seal_id):
        chain.send(
            second.account,
            deployment.seals.functions.registerSeal(seal_id, [random_hash()], 0, 1),
        )
    assert seal_view(deployment, seal_id)["owner"] == admin.code


def test_register_seal_rejects_no_holders(
    chain: Chain, deployment: Deployment, admin: Department
) -> None:
    seal_id = random_hash()
    with reverts("SealNoHolders", seal_id):
        chain.send(admin.account, deployment.seals.functions.registerSeal(seal_id, [], 0, 1))


def test_register_seal_rejects_zero_holder(
    chain: Chain, deployment: Deployment, admin: Department
) -> None:
    seal_id = random_hash()
    with reverts("SealZeroHolder", seal_id):
        chain.send(
            admin.account,
            deployment.seals.functions.registerSeal(seal_id, [random_hash(), ZERO_HASH], 0, 1),
        )


def test_register_seal_rejects_duplicate_holder(
    chain: Chain, deployment: Deployment, admin: Department
) -> None:
    seal_id, holder = random_hash(), random_hash()
    with reverts("SealDuplicateHolder", seal_id, holder):
        chain.send(
            admin.account,
            deployment.seals.functions.registerSeal(seal_id, [holder, holder], 0, 1),
        )
    assert not deployment.seals.functions.isHolder(seal_id, holder).call()


def test_register_seal_rejects_validity_ending_before_it_starts(
    chain: Chain, deployment: Deployment, admin: Department
) -> None:
    seal_id = random_hash()
    with reverts("SealInvalidValidity", seal_id, VALID_TO, VALID_FROM):
        chain.send(
            admin.account,
            deployment.seals.functions.registerSeal(seal_id, [random_hash()], VALID_TO, VALID_FROM),
        )


# --- revokeSeal --------------------------------------------------------------------------------


def test_revoke_seal(chain: Chain, deployment: Deployment, admin: Department) -> None:
    seal_id = register(deployment, admin)
    receipt = chain.send(admin.account, deployment.seals.functions.revokeSeal(seal_id, 12))
    revoked_at = chain.block_time(receipt)
    assert chain.events(receipt, deployment.seals, "SealRevoked") == [
        {"sealId": seal_id, "owner": admin.code, "reasonCode": 12, "revokedAt": revoked_at}
    ]
    seal = seal_view(deployment, seal_id)
    assert (seal["revokedAt"], seal["revocationReason"]) == (revoked_at, 12)


def test_revoke_seal_refuses_other_seal_admin(
    chain: Chain, deployment: Deployment, admin: Department, other_admin: Department
) -> None:
    seal_id = register(deployment, admin)
    with reverts("SealNotOwner", seal_id, other_admin.code):
        chain.send(other_admin.account, deployment.seals.functions.revokeSeal(seal_id, 1))
    assert seal_view(deployment, seal_id)["revokedAt"] == 0


def test_revoke_seal_rejects_unknown_seal(
    chain: Chain, deployment: Deployment, admin: Department
) -> None:
    seal_id = random_hash()
    with reverts("SealUnknown", seal_id):
        chain.send(admin.account, deployment.seals.functions.revokeSeal(seal_id, 1))


def test_revoke_seal_rejects_revoked_seal(
    chain: Chain, deployment: Deployment, admin: Department
) -> None:
    seal_id = register(deployment, admin)
    chain.send(admin.account, deployment.seals.functions.revokeSeal(seal_id, 1))
    revoked_at = seal_view(deployment, seal_id)["revokedAt"]
    with reverts("SealAlreadyRevoked", seal_id):
        chain.send(admin.account, deployment.seals.functions.revokeSeal(seal_id, 2))
    assert seal_view(deployment, seal_id)["revokedAt"] == revoked_at


# --- isSealValidAt -----------------------------------------------------------------------------


def test_is_seal_valid_at_follows_validity_period(
    deployment: Deployment, admin: Department
) -> None:
    seal_id = register(deployment, admin)
    valid_at = deployment.seals.functions.isSealValidAt
    assert not valid_at(seal_id, VALID_FROM - 1).call()
    assert valid_at(seal_id, VALID_FROM).call()
    assert valid_at(seal_id, VALID_TO).call()
    assert not valid_at(seal_id, VALID_TO + 1).call()


def test_is_seal_valid_at_ends_at_revocation(
    chain: Chain, deployment: Deployment, admin: Department
) -> None:
    seal_id = random_hash()
    now = chain.latest_timestamp()
    chain.send(
        admin.account,
        deployment.seals.functions.registerSeal(seal_id, [random_hash()], now - 1000, now + 10**6),
    )
    chain.send(admin.account, deployment.seals.functions.revokeSeal(seal_id, 1))
    revoked_at = seal_view(deployment, seal_id)["revokedAt"]
    assert isinstance(revoked_at, int)
    valid_at = deployment.seals.functions.isSealValidAt
    assert valid_at(seal_id, revoked_at - 1).call()  # applied before the revocation: still good
    assert not valid_at(seal_id, revoked_at).call()
    assert not valid_at(seal_id, now + 1000).call()


def test_is_seal_valid_at_is_false_for_unknown_seal(deployment: Deployment) -> None:
    assert not deployment.seals.functions.isSealValidAt(random_hash(), VALID_FROM).call()
