"""The licence service's dependencies: its state on ``app.state.licences`` and the roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from govledger.api.deps import AuthenticatedDepartment, app_state, require_role
from licence_service.service import LicenceService

STATE_NAME = "licences"

ServiceDep = Annotated[LicenceService, Depends(app_state(STATE_NAME, LicenceService))]
Issuer = Annotated[AuthenticatedDepartment, Depends(require_role("ISSUER"))]
SealAdmin = Annotated[AuthenticatedDepartment, Depends(require_role("SEAL_ADMIN"))]
Auditor = Annotated[AuthenticatedDepartment, Depends(require_role("AUDITOR"))]
LicenceIdPath = Annotated[str, Path(min_length=1, max_length=160)]
