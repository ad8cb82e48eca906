"""The gateway's dependencies: its state on ``app.state.gateway``, and the platform's signed-in
department with the role each route needs (``govledger.api.deps``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from govledger.api.deps import AuthenticatedDepartment, CurrentDepartment, require_role
from govledger.errors import ConfigurationError
from sharing_gateway import audit
from sharing_gateway.anchoring import Anchorer
from sharing_gateway.service import Gateway

STATE_NAME = "gateway"


@dataclass(frozen=True)
class GatewayState:
    """What the routes find on ``app.state.gateway``: the gateway and the anchorer (None
    without an operator)."""

    gateway: Gateway
    anchorer: Anchorer | None

    def readiness(self) -> dict[str, str | None]:
        """Access-log anchoring is stalled when an entry is still not anchored
        ``anchor_deadline_seconds`` after it was recorded (``govledger audit verify`` would
        fail on it)."""
        gateway = self.gateway
        with gateway.session_factory() as session:
            entry = audit.oldest_unanchored(session)
        deadline = gateway.settings.anchor_deadline_seconds
        if entry is None or entry.recorded_at > gateway.clock() - timedelta(seconds=deadline):
            return {"access-log-anchoring": None}
        why = (
            "no operator department anchors the log (GOVLEDGER_GATEWAY_OPERATOR_CODE)"
            if self.anchorer is None
            else "the operator's anchoring transactions have not succeeded since"
        )
        return {
            "access-log-anchoring": f"entry {entry.seq}, recorded "
            f"{entry.recorded_at.isoformat()}, is not anchored after {deadline:g} s: {why}"
        }


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
