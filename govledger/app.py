"""The composition root: builds the HTTP app from settings, with the platform and its services.

Each service plugs in as a :class:`~govledger.platform.ServicePlugin`: its routers are mounted
when the app is built (so OpenAPI lists them), and its state, opened on the platform
(:func:`~govledger.platform.open_platform`) when the app starts, is kept on
``app.state.<name>`` while the app runs. A new service adds itself to :func:`default_services`
with one line.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import ExitStack, asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from govledger.api.limits import BodyLimits, upload_routes
from govledger.api.problems import PROBLEM_RESPONSES, document_problems, install_problem_handlers
from govledger.api.routes import auth as auth_routes
from govledger.api.routes import departments as department_routes
from govledger.api.routes import health as health_routes
from govledger.errors import ConfigurationError
from govledger.platform import ServicePlugin, open_platform
from govledger.portal import mount_portal
from govledger.settings import Settings


def default_services() -> tuple[ServicePlugin, ...]:
    """The services the platform runs."""
    # Imported here: the platform package never imports a service at import time.
    from licence_service.plugin import LicencePlugin  # noqa: PLC0415
    from sharing_gateway.plugin import GatewayPlugin  # noqa: PLC0415

    return (LicencePlugin(), GatewayPlugin())


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
    routers += mount_portal(app)
    uploads = upload_routes(route for router in routers for route in router.routes)
    app.add_middleware(BodyLimits, uploads=uploads, settings=settings)
    return app
