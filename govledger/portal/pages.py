"""The portal's home page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from govledger.portal.rendering import TEMPLATES

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse, name="portal-home")
def home(request: Request) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, "home.html")
