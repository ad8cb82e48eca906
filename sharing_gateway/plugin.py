"""The gateway as a plugin of the app factory (:class:`govledger.app.ServicePlugin`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter

from govledger.app import PlatformContext
from govledger.auth.clock import Clock
from sharing_gateway.adapters.chainview import ChainView
from sharing_gateway.anchoring import Anchorer
from sharing_gateway.api.deps import STATE_NAME, GatewayState
from sharing_gateway.api.routes import audit, datasets, grants, requests, stats
from sharing_gateway.service import Gateway
from sharing_gateway.settings import VERSIONS_DIR, GatewaySettings


@dataclass(frozen=True)
class GatewayPlugin:
    """``settings`` default to the environment (``GOVLEDGER_GATEWAY_*``), ``clock`` to the
    platform's. Without an operator department the log is kept but not anchored."""

    settings: GatewaySettings | None = None
    clock: Clock | None = None
    name: str = STATE_NAME
    migrations: Path = VERSIONS_DIR

    @property
    def routers(self) -> Sequence[APIRouter]:
        return (datasets.router, requests.router, grants.router, audit.router, stats.router)

    def open(self, context: PlatformContext) -> AbstractContextManager[object]:
        return self._running(context)

    @contextmanager
    def _running(self, context: PlatformContext) -> Iterator[GatewayState]:
        settings = self.settings or GatewaySettings()
        cache_entries = context.settings.cache_entries
        view = ChainView(
            context.chain.registries, context.platform.directory, cache_entries=cache_entries
        )
        gateway = Gateway(
            settings=settings,
            view=view,
            keystore=context.keystore,
            blobs=context.blobs,
            engine=context.engine,
            session_factory=context.platform.session_factory,
            clock=self.clock or context.platform.clock,
            cache_entries=cache_entries,
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
