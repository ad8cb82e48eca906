"""Verification: ``POST /v1/verify``, public. A licence that fails a check is a 200 report
saying so; input that is not a licence document or presentation at all is a 422 problem."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from licence_service.api.deps import ServiceDep
from licence_service.domain.errors import NotALicence
from licence_service.schemas import VerificationPublic

router = APIRouter(prefix="/v1", tags=["verify"])


@router.post("/verify", response_model=VerificationPublic)
def verify_licence(
    subject: Annotated[
        dict[str, Any],
        Body(description="A licence document or a presentation, as issued (JSON object)"),
    ],
    service: ServiceDep,
) -> VerificationPublic:
    """The four checks (integrity, status, issuer, seal), each ok or failed with a reason."""
    report = service.verify(subject)
    if report.licence_id is None:  # it did not even parse as a document or presentation
        raise NotALicence(f"not a well-formed licence or presentation: {report.integrity.message}")
    return VerificationPublic.of(report)
