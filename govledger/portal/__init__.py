"""The web portal: server-rendered pages for citizens, verifiers, departments and auditors.

Part of the composition root: pages call the services through their state on ``app.state``.
Every asset is served by the app itself (deployments are often offline). See docs/portal.md.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from govledger.portal import audit, console, pages, stats, verify
from govledger.portal.rendering import STATIC_DIR


def mount_portal(app: FastAPI) -> list[APIRouter]:
    """Serve the portal's pages at ``/`` and its assets at ``/static`` (not in the OpenAPI).
    Returns the routers of the pages (the app's body limits look for upload routes in them)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    routers = [pages.router, verify.router, console.router, audit.router, stats.router]
    for router in routers:
        app.include_router(router)
    return routers
