"""The department console: sign-in with a key file (``/signin``) and ``/console``.

The pages are shells: the browser reads the key file, signs the API's challenge and then calls
the JSON API with the bearer token, so every rule (roles, field validation) stays in the
services. The server only renders the forms, e.g. the fields of each licence type.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from govledger.portal.rendering import TEMPLATES

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class LicenceForm:
    """A licence type as the issuing form shows it: its name and its surface fields."""

    type_code: str
    licence_name: str
    surface: tuple[str, ...]


# The licence types the form offers; any other type is issued with "Other type" and its code.
LICENCE_FORMS = (
    LicenceForm(
        "11100000000013338W001", "食品经营许可证", ("经营场所", "经营项目", "投诉举报电话")
    ),
    LicenceForm("11100000000013338W002", "营业执照", ("类型", "法定代表人", "注册资本", "住所")),
    LicenceForm("11100000000013338W003", "居住证", ("住址", "签发机关")),
)

# Status changes an issuer writes on chain (the licence service's routes of the same names).
STATUS_ACTIONS = ("suspend", "reinstate", "revoke", "withdraw", "cancel")


@router.get("/signin", response_class=HTMLResponse, name="portal-signin")
def signin(request: Request) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, "signin.html")


@router.get("/console", response_class=HTMLResponse, name="portal-console")
def console(request: Request) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, "console.html", {"forms": LICENCE_FORMS, "actions": STATUS_ACTIONS}
    )
