"""Assembling the gateway from the platform's pieces, and putting it on an app."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from govledger.auth.clock import Clock
from govledger.blobstore import BlobStore
from govledger.chain import ChainContext
from govledger.keystore import Keystore
from sharing_gateway.adapters.chainview import ChainView
from sharing_gateway.anchoring import Anchorer
from sharing_gateway.api.routes import audit, datasets, grants, requests
from sharing_gateway.service import Gateway
from sharing_gateway.settings import GatewaySettings

ROUTERS = (datasets.router, requests.router, grants.router, audit.router)


@dataclass
class GatewayRuntime:
    """The gateway and its background anchorer (None without an operator department)."""

    gateway: Gateway
    anchorer: Anchorer | None

    def start(self) -> None:
        if self.anchorer is not None:
            self.anchorer.start()

    def stop(self) -> None:
        if self.anchorer is not None:
            self.anchorer.stop()


def build_gateway(
    *,
    settings: GatewaySettings,
    chain: ChainContext,
    keystore: Keystore,
    blobs: BlobStore,
    session_factory: sessionmaker[Session],
    clock: Clock,
    view: ChainView | None = None,
) -> GatewayRuntime:
    gateway = Gateway(
        settings=settings,
        view=view or ChainView(chain.registries),
        keystore=keystore,
        blobs=blobs,
        session_factory=session_factory,
        clock=clock,
    )
    operator = settings.operator_code
    return GatewayRuntime(gateway, Anchorer(gateway, operator) if operator else None)


def include_gateway(app: FastAPI, runtime: GatewayRuntime) -> None:
    """Routes on ``app``, the gateway on ``app.state.gateway``. Start and stop the runtime
    with the app's lifespan."""
    app.state.gateway = runtime.gateway
    for router in ROUTERS:
        app.include_router(router)
