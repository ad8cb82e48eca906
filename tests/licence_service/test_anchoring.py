"""Anchoring is isolated per batch: a batch the chain refuses (its issuer suspended, its root
taken by another department) is set aside with its reason, visible in the API, while every other
batch is anchored; issuance is refused up front when the issuer may not issue on chain. On every
backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from govledger.committee import committee_signers
from govledger.departments import reinstate_department, set_department_roles, suspend_department
from govledger.keystore import open_keystore
from govledger.platform import PlatformContext, open_platform
from govledger.settings import Settings
from ledger.contracts.values import Role
from licence_service.errors import IssuerLacksRole, IssuerSuspended
from licence_service.plugin import LicencePlugin, build_service
from licence_service.ports import BatchState
from licence_service.service import LicenceRequest, LicenceService
from licence_service.settings import LicenceSettings
from tests.licence_service.world import ISSUER_A, ISSUER_B, licence_body, prepare, running

SLOW_BATCHES = LicenceSettings(batch_max_wait_s=3600)
ISSUERS = [(ISSUER_A, [Role.ISSUER, Role.SEAL_ADMIN]), (ISSUER_B, [Role.ISSUER, Role.SEAL_ADMIN])]


@contextmanager
def two_issuers(settings: Settings) -> Iterator[tuple[PlatformContext, LicenceService]]:
    """Departments A and B, each with a seal, and the service (no batcher: the test anchors)."""
    prepare(settings, ISSUERS)
    with open_platform(settings, [LicencePlugin(SLOW_BATCHES)]) as context:
        service = build_service(context, SLOW_BATCHES)
        for code in (ISSUER_A, ISSUER_B):
            service.create_seal(code, name="章", valid_end=datetime.now(UTC) + timedelta(days=9))
        yield context, service


def request(number: int) -> LicenceRequest:
    return LicenceRequest.model_validate(licence_body(number))


def suspend(context: PlatformContext, code: str) -> None:
    registries = context.chain.registries
    signers = committee_signers(open_keystore(context.settings), registries)
    suspend_department(registries, signers, code, 9)


def test_a_refused_batch_is_set_aside_and_every_other_batch_is_anchored(
    settings: Settings,
) -> None:
    with two_issuers(settings) as (context, service):
        first = service.issue(ISSUER_A, request(1)).state.licence
        other = service.issue(ISSUER_B, request(2)).state.licence
        assert first.batch.batch_id < other.batch.batch_id  # A's batch comes first
        suspend(context, ISSUER_A)

        assert service.anchor_due(everything=True) == 1
        refused = service.licence(first.licence_id).batch
        assert refused.state == BatchState.REFUSED
        assert refused.refused_reason is not None
        assert "DepartmentSuspended" in refused.refused_reason
        assert service.state(first.licence_id).status == "refused"
        assert service.licence(other.licence_id).batch.state == BatchState.ANCHORED
        assert service.verify(service.licence(other.licence_id).document).ok

        # Set aside: later rounds leave it alone and anchor the rest.
        later = service.issue(ISSUER_B, request(3)).state.licence
        assert service.anchor_due(everything=True) == 1
        assert service.licence(later.licence_id).batch.state == BatchState.ANCHORED
        assert service.licence(first.licence_id).batch.state == BatchState.REFUSED
        assert [batch.batch_id for batch in service.batches(ISSUER_A, BatchState.REFUSED)] == [
            refused.batch_id
        ]

        # Once the cause is gone, the issuer sends it again.
        registries = context.chain.registries
        signers = committee_signers(open_keystore(context.settings), registries)
        reinstate_department(registries, signers, ISSUER_A, 9)
        retried = service.retry_batch(ISSUER_A, refused.batch_id)
        assert (retried.state, retried.refused_reason) == (BatchState.ANCHORED, None)
        assert service.state(first.licence_id).status == "valid"


def test_a_root_another_department_anchored_first_is_not_ours(settings: Settings) -> None:
    with two_issuers(settings) as (context, service):
        licence = service.issue(ISSUER_A, request(1)).state.licence
        (batch_id,) = service.seal_due(everything=True)
        root = service.licence(licence.licence_id).batch.root
        assert root is not None
        registries = context.chain.registries
        intruder = open_keystore(context.settings).load(ISSUER_B).account
        registries.licences.anchor_batch(intruder, root, 1)

        assert service.anchor_sealed() == 0
        batch = service.licence(licence.licence_id).batch
        assert batch.state == BatchState.REFUSED
        assert batch.refused_reason is not None
        assert ISSUER_B in batch.refused_reason
        assert batch.tx is None
        assert batch.batch_id == batch_id


def test_issuance_is_refused_up_front_when_the_issuer_may_not_issue(settings: Settings) -> None:
    with two_issuers(settings) as (context, service):
        registries = context.chain.registries
        signers = committee_signers(open_keystore(context.settings), registries)
        set_department_roles(registries, signers, ISSUER_B, [Role.SEAL_ADMIN])
        suspend(context, ISSUER_A)

        with pytest.raises(IssuerSuspended):
            service.issue(ISSUER_A, request(1))
        with pytest.raises(IssuerSuspended):
            service.issue_bulk(ISSUER_A, [request(2), request(3)])
        with pytest.raises(IssuerLacksRole):
            service.issue(ISSUER_B, request(4))
        with pytest.raises(IssuerLacksRole):
            service.issue_bulk(ISSUER_B, [request(5)])
        assert service.licence_ids(ISSUER_A, 10, 0) == ([], 0)
        assert service.licence_ids(ISSUER_B, 10, 0) == ([], 0)
        assert service.batches(ISSUER_A) == []
        assert service.batches(ISSUER_B) == []


def test_the_api_shows_a_refused_batch_with_its_reason_and_retries_it(
    settings: Settings,
) -> None:
    prepare(settings, ISSUERS)
    with running(settings, SLOW_BATCHES) as api:
        api.create_seal(ISSUER_A)
        issued = api.post("/v1/licences", ISSUER_A, json=licence_body(1))
        assert issued.status_code == 201, issued.text
        licence_id = issued.json()["licence_id"]
        context = api.client.app.state.platform_context  # type: ignore[attr-defined]
        suspend(context, ISSUER_A)
        refused = api.post("/v1/licences", ISSUER_A, json=licence_body(2))
        assert refused.json()["code"] == "department-suspended"

        service = api.client.app.state.licences  # type: ignore[attr-defined]
        service.anchor_due(everything=True)
        registries = context.chain.registries
        signers = committee_signers(open_keystore(settings), registries)
        reinstate_department(registries, signers, ISSUER_A, 9)

        shown = api.get(f"/v1/licences/{licence_id}", ISSUER_A).json()
        assert shown["status"] == "refused"
        assert shown["anchor"]["state"] == "refused"
        assert "DepartmentSuspended" in shown["anchor"]["reason"]
        listed = api.get("/v1/licences/batches?state=refused", ISSUER_A)
        assert listed.status_code == 200, listed.text
        (batch,) = listed.json()["data"]
        assert batch["batch_id"] == shown["anchor"]["batch_id"]
        assert batch["reason"] == shown["anchor"]["reason"]

        retry = api.post(f"/v1/licences/batches/{batch['batch_id']}/retry", ISSUER_A)
        assert retry.status_code == 200, retry.text
        assert (retry.json()["state"], retry.json()["reason"]) == ("anchored", None)
        assert api.get(f"/v1/licences/{licence_id}", ISSUER_A).json()["status"] == "valid"
        again = api.post(f"/v1/licences/batches/{batch['batch_id']}/retry", ISSUER_A)
        assert (again.status_code, again.json()["code"]) == (409, "batch-not-refused")
        missing = api.post("/v1/licences/batches/999999/retry", ISSUER_A)
        assert (missing.status_code, missing.json()["code"]) == (404, "batch-not-found")
        huge = api.post(f"/v1/licences/batches/{2**63}/retry", ISSUER_A)
        assert (huge.status_code, huge.json()["code"]) == (422, "invalid-input")
        foreign = api.post(f"/v1/licences/batches/{batch['batch_id']}/retry", ISSUER_B)
        assert foreign.json()["code"] == "batch-not-found"
