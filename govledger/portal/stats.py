"""Statistics, ``/stats``: licences and data sharing counted, as charts and tables.

A shell like the console: the page reads ``/v1/stats/licences`` and ``/v1/stats/sharing``
with an auditor's token and draws them with the vendored chart.js (see docs/portal.md).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from govledger.portal.rendering import TEMPLATES

router = APIRouter(include_in_schema=False)


@router.get("/stats", response_class=HTMLResponse, name="portal-stats")
def stats(request: Request) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, "stats.html")
