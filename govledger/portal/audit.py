"""The auditor's view, ``/audit``: trace the access log and licences, export, verify.

A shell like the console: the page calls ``/v1/audit/*`` and a licence's history with the
auditor's token (see docs/portal.md).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from govledger.portal.rendering import TEMPLATES

router = APIRouter(include_in_schema=False)


@router.get("/audit", response_class=HTMLResponse, name="portal-audit")
def audit(request: Request) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, "audit.html")
