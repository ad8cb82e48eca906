"""The licence service's dependencies: its state on ``app.state.licences`` and the roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from govledger.api.deps import AuthenticatedDepartment, require_role
from govledger.errors import ConfigurationError
from licence_service.service import LicenceService

STATE_NAME = "licences"


def get_service(request: Request) -> LicenceService:
    state = getattr(request.app.state, STATE_NAME, None)
    service = getattr(state, "service", None)
    if not isinstance(service, LicenceService):
        raise ConfigurationError("the licence service is not running: the app factory starts it")
    return service


ServiceDep = Annotated[LicenceService, Depends(get_service)]
Issuer = Annotated[AuthenticatedDepartment, Depends(require_role("ISSUER"))]
SealAdmin = Annotated[AuthenticatedDepartment, Depends(require_role("SEAL_ADMIN"))]
Auditor = Annotated[AuthenticatedDepartment, Depends(require_role("AUDITOR"))]
LicenceIdPath = Annotated[str, Path(min_length=1, max_length=160)]
