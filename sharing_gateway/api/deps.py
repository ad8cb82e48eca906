"""The gateway's dependencies: its state on ``app.state.gateway``, and the platform's signed-in
department with the role each route needs (``govledger.api.deps``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from govledger.api.deps import AuthenticatedDepartment, CurrentDepartment, app_state, require_role
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
        stalled = self.gateway.anchoring_stalled()
        if stalled is not None:
            why = (
                "no operator department anchors the log (GOVLEDGER_GATEWAY_OPERATOR_CODE)"
                if self.anchorer is None
                else "the operator's anchoring transactions have not succeeded since"
            )
            stalled = f"{stalled}: {why}"
        return {"access-log-anchoring": stalled}


StateDep = Annotated[GatewayState, Depends(app_state(STATE_NAME, GatewayState))]


# ``async``: FastAPI runs a plain ``def`` dependency in its thread pool, one hand-off per
# dependency per request, which costs more than this function does.
async def get_gateway(state: StateDep) -> Gateway:
    return state.gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]

Department = CurrentDepartment
Provider = Annotated[AuthenticatedDepartment, Depends(require_role("DATA_PROVIDER"))]
Requester = Annotated[AuthenticatedDepartment, Depends(require_role("DATA_REQUESTER"))]
Auditor = Annotated[AuthenticatedDepartment, Depends(require_role("AUDITOR"))]
