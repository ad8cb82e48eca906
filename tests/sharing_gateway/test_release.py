"""End to end on the embedded chain, over HTTP, with real SM2 sign-in: publish, request,
approve, release; every refusal with its own code, logged, releasing nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from httpx import Response
from sqlalchemy import update

from govledger.committee import submit_action
from govledger.departments import reinstate_department, suspend_department
from sharing_gateway.client import GatewayClient, GatewayRefused
from sharing_gateway.domain.envelope import open_envelope
from sharing_gateway.errors import EnvelopeInvalid
from sharing_gateway.tables import VersionRow
from sm_crypto import SM2PrivateKey
from tests.sharing_gateway.world import (
    OTHER_REQUESTER,
    PROBLEM,
    PROVIDER,
    RECORDS,
    REQUESTER,
    World,
)


def assert_refused(world: World, response: Response, status: int, code: str) -> None:
    """Refused with ``code``, nothing released, and the refusal is the log's last entry."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == code
    assert "envelope" not in response.text
    last = world.last_entries(1)[0]
    assert (last["action"], last["outcome"], last["code"]) == ("release", "refused", code)


def test_release_decrypts_to_exactly_the_granted_fields(world: World) -> None:
    grant_id = world.granted(
        "ok-1", ["name", "licence_no", "employees"], fields=["name", "employees"]
    )
    response = world.release("ok-1", grant_id, "employees,name")
    assert response.status_code == 200, response.text
    body = response.json()
    records = open_envelope(world.keys(REQUESTER).sm2, body["envelope"])
    assert records == [
        {"name": record["name"], "employees": record["employees"]} for record in RECORDS
    ]
    assert body["uses_left"] == 4
    provenance = body["provenance"]
    version = world.chain.registries.sharing.get_version(b"ok-1".ljust(32, b"\0"), 1)
    assert bytes.fromhex(provenance["content_hash"]) == version.content_hash
    assert provenance["provider"] == PROVIDER
    # Only the requester's key opens it, and an edited header does not open.
    with pytest.raises(EnvelopeInvalid):
        open_envelope(world.keys(OTHER_REQUESTER).sm2, body["envelope"])
    tampered = dict(body["envelope"], header=dict(body["envelope"]["header"], fields=["name"]))
    with pytest.raises(EnvelopeInvalid):
        open_envelope(world.keys(REQUESTER).sm2, tampered)
    last = world.last_entries(1)[0]
    assert (last["outcome"], last["grant_id"], last["fields"]) == (
        "released",
        grant_id,
        ["employees", "name"],
    )
    # The catalogue shows the dataset and its version, never the data.
    catalogue = world.call("GET", "/v1/datasets/ok-1", REQUESTER)
    assert catalogue.status_code == 200
    assert [v["version"] for v in catalogue.json()["versions"]] == [1]
    assert "Fuzhou" not in catalogue.text


def test_unconditional_is_auto_granted_and_csv_upload_hashes_like_json(world: World) -> None:
    world.dataset("open-1", "unconditional")
    requested = world.request("open-1", ["name"])
    assert requested.status_code == 201, requested.text
    assert requested.json()["status"] == "granted"
    csv_upload = (
        "name,licence_no,employees,active\nFuzhou Tea Co.,L-0001,12,true\n"
        "闽江 Logistics,L-0002,230,false\n"
    )
    world.call(
        "POST",
        "/v1/datasets",
        PROVIDER,
        json={
            "dataset_id": "csv-1",
            "title": "csv",
            "share_class": "conditional",
            "fields": [
                {"name": "name", "type": "string"},
                {"name": "licence_no", "type": "string"},
                {"name": "employees", "type": "integer"},
                {"name": "active", "type": "boolean"},
            ],
        },
    )
    published = world.call(
        "POST",
        "/v1/datasets/csv-1/versions",
        PROVIDER,
        content=csv_upload.encode(),
        headers={"content-type": "text/csv"},
    )
    assert published.status_code == 201, published.text
    json_version = world.call("GET", "/v1/datasets/open-1", PROVIDER).json()["versions"][0]
    assert published.json()["content_hash"] == json_version["content_hash"]


def test_records_outside_the_schema_are_refused(world: World) -> None:
    world.dataset("bad-1")
    response = world.call(
        "POST", "/v1/datasets/bad-1/versions", PROVIDER, json=[{"name": "x", "employees": "12"}]
    )
    assert response.status_code == 422
    assert response.json()["code"] == "records-invalid"


def test_not_shareable_is_refused_at_request_and_logged(world: World) -> None:
    world.dataset("closed-1", "not_shareable")
    response = world.request("closed-1", ["name"])
    assert response.status_code == 409
    assert response.json()["code"] == "dataset-not-shareable"
    last = world.last_entries(1)[0]
    assert (last["action"], last["outcome"], last["code"]) == (
        "request",
        "refused",
        "dataset-not-shareable",
    )


def test_wrong_caller_no_grant_and_extra_field(world: World) -> None:
    grant_id = world.granted("ref-1", ["name", "employees"])
    assert_refused(
        world,
        world.release("ref-1", grant_id, "name", OTHER_REQUESTER),
        403,
        "release-wrong-caller",
    )
    assert_refused(world, world.release("ref-1", 10_000, "name"), 404, "release-no-grant")
    assert_refused(
        world, world.release("ref-1", grant_id, "name,active"), 403, "release-field-not-granted"
    )
    # None of the refusals spent a use.
    assert world.release("ref-1", grant_id, "name").json()["uses_left"] == 4


def test_pending_and_rejected_requests_release_nothing(world: World) -> None:
    world.dataset("rej-1")
    grant_id = world.request("rej-1", ["name"]).json()["grant_id"]
    assert_refused(world, world.release("rej-1", grant_id, "name"), 403, "release-grant-pending")
    rejected = world.call(
        "POST", f"/v1/requests/{grant_id}/reject", PROVIDER, json={"reason": "no legal basis"}
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert_refused(world, world.release("rej-1", grant_id, "name"), 403, "release-grant-rejected")


def test_revocation_by_provider_and_governance_takes_effect_at_once(world: World) -> None:
    grant_id = world.granted("rev-1", ["name"])
    assert world.release("rev-1", grant_id, "name").status_code == 200
    revoked = world.call(
        "POST", f"/v1/grants/{grant_id}/revoke", PROVIDER, json={"reason": "purpose fulfilled"}
    )
    assert revoked.status_code == 200, revoked.text
    assert_refused(world, world.release("rev-1", grant_id, "name"), 403, "release-grant-revoked")

    other = world.granted("rev-2", ["name"])
    assert world.release("rev-2", other, "name").status_code == 200
    sharing = world.chain.registries.sharing
    submit_action(world.chain.registries, world.signers, sharing.encode_revoke_grant(other, 9))
    assert_refused(world, world.release("rev-2", other, "name"), 403, "release-grant-revoked")


def test_expired_grant_is_refused(world: World) -> None:
    grant_id = world.granted("exp-1", ["name"])
    world.clock.offset = timedelta(hours=25)
    try:
        assert_refused(
            world, world.release("exp-1", grant_id, "name"), 403, "release-grant-expired"
        )
    finally:
        world.clock.offset = timedelta(0)


def test_uses_are_exhausted_exactly(world: World) -> None:
    grant_id = world.granted("use-1", ["name"], max_uses=2)
    assert world.release("use-1", grant_id, "name").json()["uses_left"] == 1
    assert world.release("use-1", grant_id, "name").json()["uses_left"] == 0
    assert_refused(world, world.release("use-1", grant_id, "name"), 403, "release-uses-exhausted")


def test_concurrent_last_use_is_released_exactly_once(world: World) -> None:
    grant_id = world.granted("race-1", ["name"], max_uses=1)
    world.bearer(REQUESTER)
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda _: world.release("race-1", grant_id, "name"), range(6)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [403] * 5
    assert {r.json()["code"] for r in responses if r.status_code == 403} == {
        "release-uses-exhausted"
    }
    # The chain learns the one use when the anchorer records it.
    world.anchorer.run_once()
    assert world.chain.registries.sharing.get_grant(grant_id).used == 1


def test_tampered_stored_data_is_refused(world: World) -> None:
    grant_id = world.granted("tam-1", ["name"])
    with world.session_factory() as session:
        cid = session.get(VersionRow, ("tam-1", 1)).blob_cid
    blob_dir = world.settings.resolved_blob_dir
    path = next(Path(blob_dir).rglob(cid))
    original = path.read_bytes()
    path.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    try:
        assert_refused(
            world, world.release("tam-1", grant_id, "name"), 409, "release-content-mismatch"
        )
    finally:
        path.write_bytes(original)
    assert world.release("tam-1", grant_id, "name").status_code == 200


def test_forged_provider_signature_is_refused(world: World) -> None:
    grant_id = world.granted("sig-1", ["name"])
    with world.session_factory() as session:
        row = session.get(VersionRow, ("sig-1", 1))
        genuine = row.signature
        forged = SM2PrivateKey.generate().sign(bytes.fromhex(row.content_hash)).hex()
    set_signature = update(VersionRow).where(VersionRow.dataset_id == "sig-1")
    with world.session_factory.begin() as session:
        session.execute(set_signature.values(signature=forged))
    try:
        assert_refused(
            world, world.release("sig-1", grant_id, "name"), 409, "release-signature-invalid"
        )
    finally:
        with world.session_factory.begin() as session:
            session.execute(set_signature.values(signature=genuine))


def test_suspended_provider_releases_nothing(world: World) -> None:
    grant_id = world.granted("sus-1", ["name"])
    registries = world.chain.registries
    suspend_department(registries, world.signers, PROVIDER, 3)
    try:
        assert_refused(
            world, world.release("sus-1", grant_id, "name"), 403, "release-provider-suspended"
        )
    finally:
        reinstate_department(registries, world.signers, PROVIDER, 0)
    assert world.release("sus-1", grant_id, "name").status_code == 200


def test_a_suspended_requester_is_refused_at_its_next_request(world: World) -> None:
    world.dataset("sus-2")
    grant_id = world.request("sus-2", ["name"], requester=OTHER_REQUESTER).json()["grant_id"]
    approved = world.call("POST", f"/v1/requests/{grant_id}/approve", PROVIDER, json={})
    assert approved.status_code == 200, approved.text
    assert world.release("sus-2", grant_id, "name", OTHER_REQUESTER).status_code == 200
    entries = len(world.last_entries(10_000))
    registries = world.chain.registries
    suspend_department(registries, world.signers, OTHER_REQUESTER, 3)
    try:
        # The same token, whose verification and department are both cached by now.
        refused = world.release("sus-2", grant_id, "name", OTHER_REQUESTER)
        assert refused.status_code == 401, refused.text
        assert refused.json()["code"] == "department-suspended"
        assert len(world.last_entries(10_000)) == entries  # refused at sign-in: names no grant
    finally:
        reinstate_department(registries, world.signers, OTHER_REQUESTER, 0)
    assert world.release("sus-2", grant_id, "name", OTHER_REQUESTER).status_code == 200


def test_release_needs_a_token_and_the_requester_role(world: World) -> None:
    grant_id = world.granted("role-1", ["name"])
    entries = len(world.last_entries(10_000))
    path = f"/v1/datasets/role-1/data?grant={grant_id}&fields=name"
    missing = world.client.get(path)
    assert (missing.status_code, missing.json()["code"]) == (401, "token-missing")
    forged = world.client.get(path, headers={"Authorization": "Bearer not.a.token"})
    assert forged.status_code == 401, forged.text
    # The provider is signed in but holds no DATA_REQUESTER role.
    wrong_role = world.call("GET", path, PROVIDER)
    assert (wrong_role.status_code, wrong_role.json()["code"]) == (403, "role-missing")
    for refused in (missing, forged, wrong_role):
        assert refused.headers["content-type"] == PROBLEM
        assert "envelope" not in refused.text
    assert len(world.last_entries(10_000)) == entries  # refused at sign-in: names no grant
    assert world.release("role-1", grant_id, "name").json()["uses_left"] == 4


def test_the_client_helper_signs_in_fetches_and_opens(world: World) -> None:
    grant_id = world.granted("cli-1", ["name", "licence_no"])
    client = GatewayClient("", REQUESTER, world.keys(REQUESTER).sm2, http=world.client)
    fetched = client.fetch("cli-1", grant_id, ["licence_no"])
    assert fetched.records == [{"licence_no": record["licence_no"]} for record in RECORDS]
    assert fetched.uses_left == 4
    with pytest.raises(GatewayRefused) as refused:
        client.fetch("cli-1", grant_id, ["employees"])
    assert refused.value.problem_code == "release-field-not-granted"


def test_unanswered_requests_become_overdue(world: World) -> None:
    world.dataset("due-1")
    grant_id = world.request("due-1", ["name"]).json()["grant_id"]
    listed = world.call("GET", f"/v1/requests/{grant_id}", PROVIDER).json()
    assert (listed["status"], listed["overdue"]) == ("pending", False)
    world.clock.offset = timedelta(hours=121)
    try:
        listed = world.call("GET", "/v1/requests", PROVIDER).json()["data"]
    finally:
        world.clock.offset = timedelta(0)
    assert next(item for item in listed if item["grant_id"] == grant_id)["overdue"] is True
    # Another department sees nothing of it.
    assert world.call("GET", f"/v1/requests/{grant_id}", OTHER_REQUESTER).status_code == 404
