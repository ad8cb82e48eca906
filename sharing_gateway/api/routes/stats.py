"""``/v1/stats/sharing``: releases and refusals by reason, requests answered and overdue, for
auditors; counted from the database and checked against the chain."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from sharing_gateway.api.deps import Auditor, GatewayDep
from sharing_gateway.schemas import OutcomeCountPublic, SharingStatisticsPublic

router = APIRouter(prefix="/v1/stats", tags=["stats"])


@router.get("/sharing", response_model=SharingStatisticsPublic)
def sharing_statistics(_: Auditor, gateway: GatewayDep) -> SharingStatisticsPublic:
    """Releases by outcome and reason (the access log), requests by status and how many are
    overdue (status from the chain); ``disagreements`` names what the chain does not confirm:
    requests the chain does not know of, or more uses on chain than releases logged."""
    counted = gateway.statistics()
    return SharingStatisticsPublic(
        releases=[OutcomeCountPublic(**asdict(count)) for count in counted.releases],
        requests=counted.requests,
        answered=counted.answered,
        overdue=counted.overdue,
        uses_on_chain=counted.uses_on_chain,
        disagreements=counted.disagreements,
    )
