"""Fixtures for the licence service's tests: a data dir on a real chain and a real database,
with real departments (keystore keys), and the app running on it; each on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from govledger.settings import Settings
from ledger.contracts.values import Role
from licence_service.settings import LicenceSettings
from tests.licence_service.world import (
    AUDITOR,
    ISSUER_A,
    ISSUER_B,
    VIEWER,
    Api,
    backend_settings,
    prepare,
    running,
)

FAST_BATCHES = LicenceSettings(batch_max_wait_s=0.2)

# (database, chain): SQLite and PostgreSQL on the embedded chain, and SQLite on a real Anvil node.
BACKENDS = [
    pytest.param(("sqlite", "embedded"), id="sqlite"),
    pytest.param(("postgres", "embedded"), id="postgres", marks=pytest.mark.postgres),
    pytest.param(("sqlite", "anvil"), id="anvil", marks=pytest.mark.anvil),
]


@contextmanager
def on_backend(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[Settings]:
    """Settings for ``data_dir`` on the backend of ``request.param``; PostgreSQL in a schema of
    its own, dropped afterwards; Anvil is the session's node (fresh contracts per data dir)."""
    database, chain = request.param
    anvil = request.getfixturevalue("anvil") if chain == "anvil" else None
    with backend_settings(data_dir, database, anvil) as settings:
        yield settings


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """An empty data dir on each backend, for one test."""
    with on_backend(request, tmp_path) as settings:
        yield settings


@pytest.fixture(scope="module", params=BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The app with departments A and B (ISSUER, SEAL_ADMIN) and a VERIFIER; A has a seal. One
    per module and backend."""
    database, chain = request.param
    with on_backend(request, tmp_path_factory.mktemp(f"licences-{database}-{chain}")) as settings:
        prepare(
            settings,
            [
                (ISSUER_A, [Role.ISSUER, Role.SEAL_ADMIN]),
                (ISSUER_B, [Role.ISSUER, Role.SEAL_ADMIN]),
                (VIEWER, [Role.VERIFIER]),
                (AUDITOR, [Role.AUDITOR]),
            ],
        )
        with running(settings, FAST_BATCHES) as api:
            api.create_seal(ISSUER_A)
            yield api
