"""Presentations by digest: ``/v1/presentations/{digest}`` (what a QR code's verify URL or
reference names) and its QR code as PNG or SVG. Public: the digest is unguessable, and whoever
has it was shown the presentation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from govledger.api.deps import PublicBaseUrl
from licence_service.api.deps import ServiceDep
from licence_service.api.routes.holder import presentation_public
from licence_service.domain.presentation import presentation_qr
from licence_service.schemas import PresentationPublic

router = APIRouter(prefix="/v1/presentations", tags=["presentations"])

DigestPath = Annotated[str, Path(pattern=r"^[0-9a-fA-F]{64}$")]


@router.get("/{digest}", response_model=PresentationPublic)
def read_presentation(
    digest: DigestPath, service: ServiceDep, base_url: PublicBaseUrl
) -> PresentationPublic:
    return presentation_public(service.presentation(bytes.fromhex(digest)), base_url)


@router.get(
    "/{digest}/qr.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The QR code"}},
)
def read_presentation_png(
    digest: DigestPath, service: ServiceDep, base_url: PublicBaseUrl
) -> Response:
    """The QR code: the address of the portal's verify page for this presentation."""
    qr = presentation_qr(service.presentation(bytes.fromhex(digest)), base_url=base_url)
    return Response(qr.png(), media_type="image/png")


@router.get(
    "/{digest}/qr.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "The QR code"}},
)
def read_presentation_svg(
    digest: DigestPath, service: ServiceDep, base_url: PublicBaseUrl
) -> Response:
    """The QR code: the address of the portal's verify page for this presentation."""
    qr = presentation_qr(service.presentation(bytes.fromhex(digest)), base_url=base_url)
    return Response(qr.svg(), media_type="image/svg+xml")
