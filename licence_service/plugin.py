"""The licence service as a plugin (:class:`govledger.platform.ServicePlugin`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import typer
from fastapi import APIRouter

from govledger.db import session_scope
from govledger.platform import PlatformContext
from govledger.records import RecordCipher
from licence_service.adapters.chain import ChainLicenceLedger, ChainLicenceView
from licence_service.adapters.keys import KeystoreKeyring
from licence_service.adapters.sql import SqlLicenceStore
from licence_service.api.deps import STATE_NAME
from licence_service.api.routes import holder, licences, presentations, seals, stats, verify
from licence_service.batcher import Batcher
from licence_service.ports import LicenceStore
from licence_service.service import LicenceService
from licence_service.settings import LicenceSettings
from licence_service.tables import RECORD_KEY_NAME

MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "versions"


def build_service(context: PlatformContext, settings: LicenceSettings) -> LicenceService:
    """The service over the platform's database, chain, keystore and token service."""
    factory = context.platform.session_factory
    registries = context.chain.registries
    cipher = RecordCipher.from_keystore(context.keystore, RECORD_KEY_NAME)

    @contextmanager
    def store() -> Iterator[LicenceStore]:
        with session_scope(factory) as session:
            yield SqlLicenceStore(session, cipher)

    return LicenceService(
        settings=settings,
        store=store,
        ledger=ChainLicenceLedger(registries),
        chain_view=lambda: ChainLicenceView(registries),
        keyring=KeystoreKeyring(
            context.keystore, registries, cache_entries=context.settings.cache_entries
        ),
        tokens=context.platform.tokens,
        clock=context.platform.clock,
    )


@dataclass(frozen=True)
class LicencePlugin:
    """``settings`` default to the environment (``GOVLEDGER_LICENCE_*``)."""

    settings: LicenceSettings | None = None
    name: str = STATE_NAME
    migrations: Path = MIGRATIONS

    @property
    def commands(self) -> typer.Typer:
        # Imported when asked: an HTTP app never loads the command modules.
        from licence_service.cli import commands  # noqa: PLC0415

        return commands

    @property
    def routers(self) -> Sequence[APIRouter]:
        return (
            seals.router,
            seals.department_router,
            licences.router,
            holder.router,
            presentations.router,
            verify.router,
            stats.router,
        )

    def open(self, context: PlatformContext) -> AbstractContextManager[object]:
        return self._running(context)

    @contextmanager
    def _running(self, context: PlatformContext) -> Iterator[LicenceService]:
        service = build_service(context, self.settings or LicenceSettings())
        # Batches sealed before a crash are anchored before anything new is taken in.
        service.anchor_sealed()
        batcher = Batcher(service, interval_s=min(1.0, service.settings.batch_max_wait_s))
        batcher.start()
        try:
            yield service  # what the routes find on ``app.state.licences``
        finally:
            batcher.stop()
