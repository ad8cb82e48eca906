"""Key rotation and role changes on chain, as a running gateway sees them: data signed with a
retired key still releases, and a token stops at the next request once its department's key or
role changed."""

from __future__ import annotations

from govledger.departments import rekey_department, set_department_roles
from ledger.contracts.values import Role
from sharing_gateway.domain.envelope import open_envelope
from tests.sharing_gateway.world import OTHER_REQUESTER, PROVIDER, REQUESTER, World

NEWER = [{"name": "Xiamen Port Co.", "licence_no": "L-0003", "employees": 7, "active": True}]


def test_data_signed_before_the_providers_rekey_still_releases(world: World) -> None:
    grant_id = world.granted("rot-1", ["name"])
    assert world.release("rot-1", grant_id, "name").json()["provenance"]["signer_key_version"] == 1
    rekey_department(world.chain.registries, world.keystore, world.signers, PROVIDER)
    world.tokens.pop(PROVIDER)  # its token was proven with the retired key
    released = world.release("rot-1", grant_id, "name")
    assert released.status_code == 200, released.text
    assert released.json()["provenance"]["signer_key_version"] == 1
    # A version published after the re-key is signed with the new key, without a restart.
    published = world.call("POST", "/v1/datasets/rot-1/versions", PROVIDER, json=NEWER)
    assert published.status_code == 201, published.text
    released = world.release("rot-1", grant_id, "name")
    assert released.status_code == 200, released.text
    assert released.json()["provenance"]["signer_key_version"] == 2
    assert open_envelope(world.keys(REQUESTER).sm2, released.json()["envelope"]) == [
        {"name": "Xiamen Port Co."}
    ]


def test_a_rekey_stops_a_valid_token_at_its_next_request(world: World) -> None:
    grant_id = world.granted("rot-2", ["name"])
    assert world.release("rot-2", grant_id, "name").status_code == 200
    entries = len(world.last_entries(10_000))
    rekey_department(world.chain.registries, world.keystore, world.signers, REQUESTER)
    refused = world.release("rot-2", grant_id, "name")
    assert (refused.status_code, refused.json()["code"]) == (401, "token-key-rotated")
    assert len(world.last_entries(10_000)) == entries  # refused at sign-in: names no grant
    world.tokens.pop(REQUESTER)  # signs in again, with the new key
    released = world.release("rot-2", grant_id, "name")
    assert released.status_code == 200, released.text
    assert open_envelope(world.keys(REQUESTER).sm2, released.json()["envelope"])


def test_a_role_revoked_on_chain_stops_a_valid_token_at_its_next_request(
    world: World, rounds: None
) -> None:
    world.dataset("rot-3")
    grant_id = world.request("rot-3", ["name"], requester=OTHER_REQUESTER).json()["grant_id"]
    assert world.call("POST", f"/v1/requests/{grant_id}/approve", PROVIDER, json={}).is_success
    assert world.release("rot-3", grant_id, "name", OTHER_REQUESTER).status_code == 200
    registries = world.chain.registries
    set_department_roles(registries, world.signers, OTHER_REQUESTER, [])
    try:
        refused = world.release("rot-3", grant_id, "name", OTHER_REQUESTER)
        assert (refused.status_code, refused.json()["code"]) == (403, "role-missing")
        # The chain refuses to record uses for a requester without the role, too.
        world.anchorer.run_once()
        shown = world.call("GET", f"/v1/grants/{grant_id}", PROVIDER).json()
        assert "SharingRequesterMissingRole" in (shown["blocked"] or "")
    finally:
        set_department_roles(registries, world.signers, OTHER_REQUESTER, [Role.DATA_REQUESTER])
