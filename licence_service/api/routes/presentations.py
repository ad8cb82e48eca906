"""Presentations by digest: ``/v1/presentations/{digest}`` (what a reference QR code names)
and its QR code as PNG or SVG. Public: the digest is unguessable, and whoever has it was
shown the presentation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from licence_service.api.deps import ServiceDep
from licence_service.api.routes.holder import presentation_public
from licence_service.domain.presentation import presentation_qr
from licence_service.schemas import PresentationPublic

router = APIRouter(prefix="/v1/presentations", tags=["presentations"])

DigestPath = Annotated[str, Path(pattern=r"^[0-9a-fA-F]{64}$")]


@router.get("/{digest}", response_model=PresentationPublic)
def read_presentation(digest: DigestPath, service: ServiceDep) -> PresentationPublic:
    return presentation_public(service.presentation(bytes.fromhex(digest)))


@router.get(
    "/{digest}/qr.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The QR code"}},
)
def read_presentation_png(digest: DigestPath, service: ServiceDep) -> Response:
    qr = presentation_qr(service.presentation(bytes.fromhex(digest)))
    return Response(qr.png(), media_type="image/png")


@router.get(
    "/{digest}/qr.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "The QR code"}},
)
def read_presentation_svg(digest: DigestPath, service: ServiceDep) -> Response:
    qr = presentation_qr(service.presentation(bytes.fromhex(digest)))
    return Response(qr.svg(), media_type="image/svg+xml")
