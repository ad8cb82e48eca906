"""The gateway's dependencies: the :class:`Gateway` on ``app.state.gateway``, and roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from govledger.api.deps import AuthenticatedDepartment, require_role
from govledger.errors import ConfigurationError
from sharing_gateway.service import Gateway


def get_gateway(request: Request) -> Gateway:
    gateway = getattr(request.app.state, "gateway", None)
    if not isinstance(gateway, Gateway):
        raise ConfigurationError("app.state.gateway is not set: mount the sharing gateway")
    return gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]
Provider = Annotated[AuthenticatedDepartment, Depends(require_role("DATA_PROVIDER"))]
Requester = Annotated[AuthenticatedDepartment, Depends(require_role("DATA_REQUESTER"))]
Auditor = Annotated[AuthenticatedDepartment, Depends(require_role("AUDITOR"))]
