"""Holders: ``/v1/holder/licences/{id}`` with the licence's holder token (kind ``holder``)."""

from __future__ import annotations

from fastapi import APIRouter

from govledger.api.deps import PublicBaseUrl, TokenDep
from licence_service.api.deps import LicenceIdPath, ServiceDep
from licence_service.domain.presentation import Presentation, offline_qr, presentation_qr
from licence_service.schemas import LicencePublic, PresentationCreate, PresentationPublic

router = APIRouter(prefix="/v1/holder", tags=["holder"])


def presentation_public(presentation: Presentation, base_url: str) -> PresentationPublic:
    digest = presentation.digest().hex()
    qr = presentation_qr(presentation, base_url=base_url)
    offline = offline_qr(presentation)
    return PresentationPublic(
        digest=digest,
        expires_at=presentation.to_sign.expires_at,
        qr_payload=qr.payload,
        offline_qr_payload=None if offline is None else offline.payload,
        qr_png_url=f"/v1/presentations/{digest}/qr.png",
        qr_svg_url=f"/v1/presentations/{digest}/qr.svg",
        presentation=presentation.model_dump(mode="json"),
    )


@router.get("/licences/{licence_id}", response_model=LicencePublic)
def read_own_licence(
    licence_id: LicenceIdPath, token: TokenDep, service: ServiceDep
) -> LicencePublic:
    service.holder_licence(token, licence_id)
    return LicencePublic.of(service.state(licence_id))


@router.post(
    "/licences/{licence_id}/presentations", response_model=PresentationPublic, status_code=201
)
def create_presentation(
    licence_id: LicenceIdPath,
    body: PresentationCreate,
    token: TokenDep,
    service: ServiceDep,
    base_url: PublicBaseUrl,
) -> PresentationPublic:
    """Show only ``fields`` of the licence, for ``lifetime_s`` seconds, as JSON and a QR code
    (the portal's verify page for it)."""
    licence = service.holder_licence(token, licence_id)
    presentation = service.present(licence, body.fields, body.lifetime_s)
    return presentation_public(presentation, base_url)
