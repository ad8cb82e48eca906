"""The gateway's dependencies: its state on ``app.state.gateway``, the signed-in department
and its roles.

The department is checked exactly as the platform's ``CurrentDepartment`` does it (same function,
same token service), but against the gateway's cached directory: the platform's reads the
registry on every request (about 25 ms on the embedded chain), the gateway's only after a block
whose events name the department (see :mod:`sharing_gateway.adapters.chainview`).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from govledger.api.deps import (
    AuthenticatedDepartment,
    PlatformState,
    get_current_department,
    get_token,
)
from govledger.auth.errors import RoleMissing
from govledger.errors import ConfigurationError
from sharing_gateway.anchoring import Anchorer
from sharing_gateway.service import Gateway

STATE_NAME = "gateway"


@dataclass(frozen=True)
class GatewayState:
    """What the routes find on ``app.state.gateway``: the gateway, the platform's state with
    the gateway's cached department directory, and the anchorer (None without an operator)."""

    gateway: Gateway
    platform: PlatformState
    anchorer: Anchorer | None


# The trivial dependencies are ``async``: FastAPI runs a plain ``def`` dependency in its thread
# pool, one hand-off per dependency per request, which costs more than these functions do.


async def get_state(request: Request) -> GatewayState:
    state = getattr(request.app.state, STATE_NAME, None)
    if not isinstance(state, GatewayState):
        raise ConfigurationError("app.state.gateway is not set: mount the sharing gateway")
    return state


StateDep = Annotated[GatewayState, Depends(get_state)]


async def get_gateway(state: StateDep) -> Gateway:
    return state.gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


# The bearer scheme as the platform declares it. The platform's get_token is called as a
# function, not chained as a dependency: each plain ``def`` dependency is a thread hand-off.
_bearer = HTTPBearer(auto_error=False, description="An access token from POST /v1/auth/token")


def get_department(
    state: StateDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> AuthenticatedDepartment:
    return get_current_department(state.platform, get_token(credentials))


Department = Annotated[AuthenticatedDepartment, Depends(get_department)]


def with_role(
    role: str,
) -> Callable[[AuthenticatedDepartment], Coroutine[None, None, AuthenticatedDepartment]]:
    """Like the platform's ``require_role``, over :data:`Department`."""

    async def department_with_role(department: Department) -> AuthenticatedDepartment:
        if role not in department.roles:
            raise RoleMissing(f"this needs the {role} role")
        return department

    department_with_role.__name__ = f"gateway_role_{role.lower()}"
    return department_with_role


Provider = Annotated[AuthenticatedDepartment, Depends(with_role("DATA_PROVIDER"))]
Requester = Annotated[AuthenticatedDepartment, Depends(with_role("DATA_REQUESTER"))]
Auditor = Annotated[AuthenticatedDepartment, Depends(with_role("AUDITOR"))]
