"""The web portal: server-rendered pages for citizens, verifiers, departments and auditors.

Part of the composition root: pages call the services through their state on ``app.state``.
Every asset is served by the app itself (deployments are often offline). See docs/portal.md.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from govledger.portal import audit, console, pages, stats
from govledger.portal.rendering import STATIC_DIR


def mount_portal(app: FastAPI) -> None:
    """Serve the portal's pages at ``/`` and its assets at ``/static`` (not in the OpenAPI)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(pages.router)
    app.include_router(console.router)
    app.include_router(audit.router)
    app.include_router(stats.router)
