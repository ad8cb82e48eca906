"""The gateway's dependencies: its state on ``app.state.gateway``, and the platform's signed-in
department with the role each route needs (``govledger.api.deps``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from govledger.api.deps import AuthenticatedDepartment, CurrentDepartment, require_role
from govledger.errors import ConfigurationError
from sharing_gateway.anchoring import Anchorer
from sharing_gateway.service import Gateway

STATE_NAME = "gateway"


@dataclass(frozen=True)
class GatewayState:
    """What the routes find on ``app.state.gateway``: the gateway and the anchorer (None
    without an operator)."""

    gateway: Gateway
    anchorer: Anchorer | None


# ``async``: FastAPI runs a plain ``def`` dependency in its thread pool, one hand-off per
# dependency per request, which costs more than these functions do.


async def get_state(request: Request) -> GatewayState:
    state = getattr(request.app.state, STATE_NAME, None)
    if not isinstance(state, GatewayState):
        raise ConfigurationError("app.state.gateway is not set: mount the sharing gateway")
    return state


StateDep = Annotated[GatewayState, Depends(get_state)]


async def get_gateway(state: StateDep) -> Gateway:
    return state.gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]

Department = CurrentDepartment
Provider = Annotated[AuthenticatedDepartment, Depends(require_role("DATA_PROVIDER"))]
Requester = Annotated[AuthenticatedDepartment, Depends(require_role("DATA_REQUESTER"))]
Auditor = Annotated[AuthenticatedDepartment, Depends(require_role("AUDITOR"))]
