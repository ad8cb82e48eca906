"""The composition root: builds the HTTP app from settings, with the platform and its services.

:func:`open_platform` opens everything a service runs on (database migrated for the platform
and every service branch, the chain with its verified deployment, the keystore, the blob store,
the sign-in state); the app's lifespan and the CLI both use it. Each service plugs in through
:class:`ServicePlugin`: its Alembic versions folder, its routers (mounted when the app is
built, so OpenAPI lists them), and ``open(context)``, a context manager whose value is the
service's state, kept on ``app.state.<name>`` while the app runs. A new service adds itself
to :func:`default_services` with one line.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from sqlalchemy.engine import Engine

from govledger.api.deps import PlatformState
from govledger.api.limits import BodyLimits, upload_routes
from govledger.api.problems import PROBLEM_RESPONSES, document_problems, install_problem_handlers
from govledger.api.routes import auth as auth_routes
from govledger.api.routes import departments as department_routes
from govledger.api.routes import health as health_routes
from govledger.auth.tokens import TokenService
from govledger.blobstore import BlobStore, LocalBlobStore
from govledger.chain import ChainContext, init_chain, manifest_path, open_chain, open_keystore
from govledger.db import make_engine, make_session_factory, migrate
from govledger.directory import ChainDepartmentDirectory
from govledger.errors import ConfigurationError
from govledger.keystore import Keystore
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
    """What a service gives the app factory."""

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

    def open(self, context: PlatformContext) -> AbstractContextManager[object]:
        """Build the service's state (and start its background work); close it on exit."""
        ...


def default_services() -> tuple[ServicePlugin, ...]:
    """The services the platform runs."""
    # Imported here: the platform package never imports a service at import time.
    from licence_service.plugin import LicencePlugin  # noqa: PLC0415
    from sharing_gateway.plugin import GatewayPlugin  # noqa: PLC0415

    return (LicencePlugin(), GatewayPlugin())


@contextmanager
def open_platform(
    settings: Settings, services: Sequence[ServicePlugin] = (), *, read_only: bool = False
) -> Iterator[PlatformContext]:
    """Open the platform on ``settings``; migrate the database for it and ``services``.

    Outside production a data dir without a deployment gets one (``govledger chain init``
    with a local committee), so a fresh dev or test data dir just works. ``read_only`` opens
    the chain read-only (:func:`~govledger.chain.open_chain`), beside a running server, and
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


def _operation_id(route: APIRoute) -> str:
    """Stable OpenAPI operation ids: ``<first tag>-<route name>``."""
    tag = str(route.tags[0]) if route.tags else "default"
    return f"{tag}-{route.name}".replace("_", "-")


def create_app(
    settings: Settings,
    services: Sequence[ServicePlugin] | None = None,
    *,
    freeze_heap: bool = False,
) -> FastAPI:
    """The HTTP app on ``settings`` with ``services`` (default: :func:`default_services`).

    Nothing is opened until the app starts (its lifespan); everything is closed when it stops.
    ``freeze_heap`` is for a process that serves one app until it exits (``govledger serve``):
    once started, everything allocated so far (chain, contracts, caches: most of the heap, and
    long-lived) is left out of garbage collection (``gc.freeze``) until the app stops. Each full
    collection otherwise walks all of it while holding the GIL, about 80 ms under load.
    """
    plugins = tuple(default_services() if services is None else services)
    names = [plugin.name for plugin in plugins]
    if len(set(names)) != len(names) or "platform" in names:
        raise ConfigurationError(f"service names must be unique and not 'platform': {names}")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with ExitStack() as stack:
            context = stack.enter_context(open_platform(settings, plugins))
            app.state.platform = context.platform
            app.state.platform_context = context
            app.state.service_states = {}
            for plugin in plugins:
                service_state = stack.enter_context(plugin.open(context))
                setattr(app.state, plugin.name, service_state)
                app.state.service_states[plugin.name] = service_state
            if freeze_heap:
                gc.collect()
                gc.freeze()
                stack.callback(gc.unfreeze)
            yield

    # The docs page serves Swagger UI from the package, not a CDN: deployments are often offline.
    app = FastAPIOffline(
        title="govledger",
        summary="E-licences and trusted data sharing on a permissioned chain, with SM2/SM3/SM4",
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    install_problem_handlers(app)
    routers = [
        auth_routes.router,
        department_routes.router,
        health_routes.router,
        *(router for plugin in plugins for router in plugin.routers),
    ]
    for router in routers:
        app.include_router(router, responses=PROBLEM_RESPONSES)
    document_problems(app)
    uploads = upload_routes(route for router in routers for route in router.routes)
    app.add_middleware(BodyLimits, uploads=uploads, settings=settings)
    return app
