"""The gateway as a plugin (:class:`govledger.platform.ServicePlugin`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import typer
from fastapi import APIRouter
from sqlalchemy.orm import Session, sessionmaker

from govledger.auth.clock import Clock
from govledger.db import session_scope
from govledger.platform import PlatformContext
from sharing_gateway.adapters.accesslog import SqlAccessLogStore
from sharing_gateway.adapters.chainview import ChainAnchoredLog, ChainView
from sharing_gateway.adapters.pending import PendingWrites
from sharing_gateway.adapters.sql import SqlGatewayStore, SqlReleaseReads
from sharing_gateway.adapters.writer import AccessLogWriter
from sharing_gateway.anchoring import Anchorer
from sharing_gateway.api.deps import STATE_NAME, GatewayState
from sharing_gateway.api.routes import audit, datasets, grants, requests, stats
from sharing_gateway.ports import ReleaseReads
from sharing_gateway.service import Gateway
from sharing_gateway.settings import GatewaySettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "versions"

S = TypeVar("S")


def _units(
    factory: sessionmaker[Session], adapter: Callable[[Session], S]
) -> Callable[[], AbstractContextManager[S]]:
    """Units of work: ``adapter`` on a session, committed when the unit closes."""

    @contextmanager
    def unit() -> Iterator[S]:
        with session_scope(factory) as session:
            yield adapter(session)

    return unit


def build_gateway(
    context: PlatformContext, settings: GatewaySettings, clock: Clock, *, cache_entries: int
) -> Gateway:
    """The gateway over the platform's database, chain, keystore and blob store."""
    factory = context.platform.session_factory
    registries = context.chain.registries

    @contextmanager
    def reads() -> Iterator[ReleaseReads]:
        with context.engine.connect() as connection:
            yield SqlReleaseReads(connection)

    return Gateway(
        settings=settings,
        registries=registries,
        view=ChainView(registries, context.platform.directory, cache_entries=cache_entries),
        keystore=context.keystore,
        blobs=context.blobs,
        store=_units(factory, SqlGatewayStore),
        reads=reads,
        log_store=_units(factory, SqlAccessLogStore),
        anchored_log=ChainAnchoredLog(registries, settings.log_id),
        writer=AccessLogWriter(factory, settings.log_id, clock, SqlGatewayStore),
        catalogue=PendingWrites(factory, registries.sharing, clock),
        clock=clock,
        cache_entries=cache_entries,
    )


@dataclass(frozen=True)
class GatewayPlugin:
    """``settings`` default to the environment (``GOVLEDGER_GATEWAY_*``), ``clock`` to the
    platform's. Without an operator department the log is kept but not anchored."""

    settings: GatewaySettings | None = None
    clock: Clock | None = None
    name: str = STATE_NAME
    migrations: Path = MIGRATIONS

    @property
    def commands(self) -> typer.Typer:
        # Imported when asked: an HTTP app never loads the command modules.
        from sharing_gateway.cli import commands  # noqa: PLC0415

        return commands

    @property
    def routers(self) -> Sequence[APIRouter]:
        return (datasets.router, requests.router, grants.router, audit.router, stats.router)

    def open(self, context: PlatformContext) -> AbstractContextManager[object]:
        return self._running(context)

    @contextmanager
    def _running(self, context: PlatformContext) -> Iterator[GatewayState]:
        settings = self.settings or GatewaySettings()
        gateway = build_gateway(
            context,
            settings,
            self.clock or context.platform.clock,
            cache_entries=context.settings.cache_entries,
        )
        gateway.recover()
        anchorer = Anchorer(gateway, settings.operator_code) if settings.operator_code else None
        if anchorer is not None:
            # Segments and uses written before a crash are reconciled before anything new.
            anchorer.start()
        try:
            yield GatewayState(gateway, anchorer)
        finally:
            try:
                if anchorer is not None:
                    anchorer.stop()  # anchors what is left, if the chain answers
            finally:
                gateway.close()
