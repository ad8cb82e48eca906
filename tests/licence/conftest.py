"""Fixtures for the licence service's tests: a prepared data dir (real embedded chain, real
departments with keystore keys) and the app running on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.contracts import Role
from licence_service.settings import LicenceSettings
from tests.licence.world import ISSUER_A, ISSUER_B, VIEWER, Api, data_dir_settings, prepare, running

FAST_BATCHES = LicenceSettings(batch_max_wait_s=0.2)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The app with departments A and B (ISSUER, SEAL_ADMIN) and a VERIFIER; A has a seal."""
    settings = data_dir_settings(tmp_path_factory.mktemp("licences"))
    prepare(
        settings,
        [
            (ISSUER_A, [Role.ISSUER, Role.SEAL_ADMIN]),
            (ISSUER_B, [Role.ISSUER, Role.SEAL_ADMIN]),
            (VIEWER, [Role.VERIFIER]),
        ],
    )
    with running(settings, FAST_BATCHES) as api:
        api.create_seal(ISSUER_A)
        yield api
