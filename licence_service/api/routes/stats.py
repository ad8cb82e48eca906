"""``/v1/stats/licences``: licences counted for auditors, checked against the chain."""

from __future__ import annotations

from fastapi import APIRouter

from licence_service.api.deps import Auditor, ServiceDep
from licence_service.schemas import LicenceStatisticsPublic

router = APIRouter(prefix="/v1/stats", tags=["stats"])


@router.get("/licences", response_model=LicenceStatisticsPublic)
def licence_statistics(_: Auditor, service: ServiceDep) -> LicenceStatisticsPublic:
    """Licences by month issued, issuer, type and status (from the database); ``disagreements``
    names every count the chain's events do not confirm (licences anchored per issuer, status
    changes)."""
    return LicenceStatisticsPublic.of(service.statistics())
