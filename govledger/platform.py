"""The platform as a service sees it: what a service plugs in (:class:`ServicePlugin`) and what
it is handed (:class:`PlatformContext`, opened by :func:`open_platform`).

Services import this module, never the composition root (``govledger.app``, ``govledger.cli``)
that lists them, as ape's plugins import ``ape.api``. docs/architecture.md has the contract.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import typer
from fastapi import APIRouter
from sqlalchemy.engine import Engine

from govledger.api.deps import PlatformState
from govledger.auth.tokens import TokenService
from govledger.blobstore import BlobStore, LocalBlobStore
from govledger.db import make_engine, make_session_factory, migrate
from govledger.deployment import ChainContext, init_chain, manifest_path, open_chain
from govledger.directory import ChainDepartmentDirectory
from govledger.keystore import Keystore, open_keystore
from govledger.settings import Settings

# The keystore entry of the key the service signs its access tokens with.
SERVICE_TOKEN_KEY = "govledger-service"  # noqa: S105 (a keystore entry name)


@dataclass(frozen=True)
class PlatformContext:
    """Everything the platform opened, handed to each service's ``open``."""

    settings: Settings
    engine: Engine
    chain: ChainContext
    keystore: Keystore
    blobs: BlobStore
    platform: PlatformState


class ServicePlugin(Protocol):
    """What a service gives the composition root."""

    @property
    def name(self) -> str:
        """The ``app.state`` attribute that holds the service's state."""
        ...

    @property
    def migrations(self) -> Path:
        """The service's Alembic versions folder (its own branch)."""
        ...

    @property
    def routers(self) -> Sequence[APIRouter]: ...

    @property
    def commands(self) -> typer.Typer:
        """The service's command groups, added to the ``govledger`` command as they are."""
        ...

    def open(self, context: PlatformContext) -> AbstractContextManager[object]:
        """Build the service's state (and start its background work); close it on exit."""
        ...


@contextmanager
def open_platform(
    settings: Settings, services: Sequence[ServicePlugin] = (), *, read_only: bool = False
) -> Iterator[PlatformContext]:
    """Open the platform on ``settings``; migrate the database for it and ``services``.

    Outside production a data dir without a deployment gets one (``govledger chain init``
    with a local committee), so a fresh dev or test data dir just works. ``read_only`` opens
    the chain read-only (:func:`~govledger.deployment.open_chain`), beside a running server, and
    deploys nothing.
    """
    keystore = open_keystore(settings)
    if not read_only and not manifest_path(settings).is_file():
        if settings.environment == "prod":
            open_chain(settings)  # raises ChainNotInitialised with the instructions
        init_chain(settings, keystore)
    settings.ensure_data_dir()
    engine = make_engine(settings.resolved_database_url)
    try:
        migrate(
            engine,
            version_locations=[service.migrations for service in services],
            keystore=keystore,
        )
        with open_chain(settings, read_only=read_only) as chain:
            tokens = TokenService(
                keystore.load_or_create(SERVICE_TOKEN_KEY).sm2,
                issuer=settings.auth_issuer,
                audience=settings.auth_audience,
                cache_entries=settings.cache_entries,
            )
            platform = PlatformState(
                settings=settings,
                session_factory=make_session_factory(engine),
                directory=ChainDepartmentDirectory(
                    chain.registries, cache_entries=settings.cache_entries
                ),
                tokens=tokens,
                chain=chain,
            )
            blobs = LocalBlobStore(settings.resolved_blob_dir, hash_name=settings.blob_hash)
            yield PlatformContext(settings, engine, chain, keystore, blobs, platform)
    finally:
        engine.dispose()
