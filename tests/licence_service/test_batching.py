"""Batch bounds: a bulk issue splits at the bulk batch size, single issues fill open batches up
to the maximum size; every batch is anchored as one root and every licence verifies. On every
backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from govledger.platform import open_platform
from govledger.settings import Settings
from ledger.contracts.values import Role
from licence_service.plugin import LicencePlugin, build_service
from licence_service.ports import BatchState
from licence_service.service import LicenceRequest
from licence_service.settings import LicenceSettings
from tests.licence_service.world import ISSUER_A, licence_body, prepare


def test_batch_bounds(settings: Settings) -> None:
    prepare(settings, [(ISSUER_A, [Role.ISSUER, Role.SEAL_ADMIN])])
    bounds = LicenceSettings(bulk_batch_size=3, batch_max_size=2, batch_max_wait_s=3600)
    with open_platform(settings, [LicencePlugin(bounds)]) as context:
        service = build_service(context, bounds)
        service.create_seal(ISSUER_A, name="章", valid_end=datetime.now(UTC) + timedelta(days=9))

        stored: list[int] = []
        bulk = service.issue_bulk(
            ISSUER_A,
            [LicenceRequest.model_validate(licence_body(n)) for n in range(7)],
            progress=stored.append,
        )
        assert [batch.count for batch in bulk.batches] == [3, 3, 1]
        assert stored == [3, 6, 7]
        assert {batch.state for batch in bulk.batches} == {BatchState.ANCHORED}
        assert len({batch.root for batch in bulk.batches}) == 3

        singles = [
            service.issue(ISSUER_A, LicenceRequest.model_validate(licence_body(n)))
            for n in range(10, 13)
        ]
        assert service.batch_full.is_set()  # the first open batch reached its maximum
        batch_ids = {single.state.licence.batch.batch_id for single in singles}
        assert len(batch_ids) == 2
        assert service.anchor_due() == 1  # only the full batch is due; the other waits
        assert service.anchor_due(everything=True) == 1
        for licence_id in [*bulk.licence_ids, *(s.state.licence.licence_id for s in singles)]:
            assert service.state(licence_id).status == "valid"
            assert service.verify(service.licence(licence_id).document).ok
