"""The verify page (public) and the licence page of a holder or its issuer (docs/portal.md).

``/verify`` takes a pasted or uploaded document or presentation, a QR code's text, or a photo
of a QR code (read here with zxing-cpp); ``/verify/p/{digest}`` is what a presentation's QR
code opens. Each shows the verdict, the four checks, the anchor, the status history and the
licence as printed. ``/licence`` opens a licence with its holder token or its issuer's access
token and makes a presentation of it to print; ``/verify/p/{digest}/licence.pdf`` is that
printout, public like the verify page of the same presentation: it shows what the presentation
discloses, nothing more. Bad input is a message on the page with a 4xx status, never a 500.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import zxingcpp
from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from PIL import Image, UnidentifiedImageError
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from govledger.api.deps import PublicBaseUrl, authenticate
from govledger.api.limits import UPLOAD
from govledger.auth.errors import TokenKindMismatch
from govledger.errors import GovLedgerError
from govledger.portal.explain import CHECK_NAMES, REASONS, STATUS_NAMES
from govledger.portal.licence_render import (
    LicenceView,
    licence_pdf,
    qr_svg_uri,
    render_licence,
    seal_image_uri,
)
from govledger.portal.rendering import TEMPLATES
from licence_service.api.deps import ServiceDep
from licence_service.domain.errors import LicenceInputError
from licence_service.domain.presentation import (
    Presentation,
    PresentationReference,
    read_qr_payload,
    verify_url,
)
from licence_service.domain.verify import VerificationReport
from licence_service.errors import InvalidLicenceId, LicenceNotFound, NotLicenceIssuer
from licence_service.ports import StoredLicence
from licence_service.service import HistoryEntry, LicenceService

router = APIRouter(include_in_schema=False)

# Bounds of what the page reads (the app's body limit for uploads is larger).
MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000

DigestPath = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


class PageError(Exception):
    """Input the page cannot verify: shown as a message with ``status``."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class AnchorView:
    root: str
    tx_hash: str | None
    block_number: int | None
    anchored_at: datetime | None


@dataclass(frozen=True)
class Result:
    """Everything the result section shows."""

    report: VerificationReport
    checks: list[dict[str, Any]]
    anchor: AnchorView | None
    history: list[HistoryEntry]
    licence: LicenceView | None
    digest: str | None  # of a presentation
    expires_at: datetime | None  # of a presentation


# -- pages ------------------------------------------------------------------------------------


@router.get("/verify", response_class=HTMLResponse, name="portal-verify")
def verify_form(request: Request) -> HTMLResponse:
    return _page(request, "verify.html")


@router.post("/verify", response_class=HTMLResponse, openapi_extra=UPLOAD)
async def verify_submitted(
    request: Request, service: ServiceDep, base_url: PublicBaseUrl
) -> HTMLResponse:
    try:
        subject = await _submitted(request)
        result = await run_in_threadpool(_verify, service, subject, base_url)
    except PageError as error:
        return _page(request, "verify.html", status=error.status, error=error.message)
    return _page(request, "verify.html", result=result)


@router.get("/verify/p/{digest}", response_class=HTMLResponse, name="portal-verify-presentation")
async def verify_presentation(
    request: Request, service: ServiceDep, base_url: PublicBaseUrl, digest: DigestPath
) -> HTMLResponse:
    try:
        reference = PresentationReference(bytes.fromhex(digest))
        result = await run_in_threadpool(_verify, service, reference, base_url)
    except PageError as error:
        return _page(request, "verify.html", status=error.status, error=error.message)
    return _page(request, "verify.html", result=result)


@router.get("/verify/p/{digest}/licence.pdf", name="portal-licence-pdf")
async def presentation_pdf(
    request: Request, service: ServiceDep, base_url: PublicBaseUrl, digest: DigestPath
) -> Response:
    try:
        reference = PresentationReference(bytes.fromhex(digest))
        result = await run_in_threadpool(_verify, service, reference, base_url)
        if result.licence is None:
            raise PageError("only a licence that passes the integrity check is printed", 409)
    except PageError as error:
        return _page(request, "verify.html", status=error.status, error=error.message)
    pdf = await run_in_threadpool(licence_pdf, result.licence)
    name = f"licence-{digest[:12]}.pdf"
    headers = {"Content-Disposition": f'inline; filename="{name}"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.get("/licence", response_class=HTMLResponse, name="portal-licence")
def licence_form(request: Request) -> HTMLResponse:
    return _page(request, "licence.html")


@router.post("/licence", response_class=HTMLResponse)
async def licence_opened(
    request: Request, service: ServiceDep, base_url: PublicBaseUrl
) -> HTMLResponse:
    """The licence of a holder (its holder token) or its issuer (a department access token),
    with a fresh presentation of every field to print."""
    try:
        form = await _form(request, max_files=0, max_fields=4)
    except PageError as error:
        return _page(request, "licence.html", status=error.status, error=error.message)
    licence_id = str(form.get("licence_id") or "").strip()
    token = str(form.get("token") or "").strip()
    if not licence_id or not token:
        message = "give the licence ID and a holder token or access token"
        return _page(request, "licence.html", status=422, error=message)
    try:
        shown = await run_in_threadpool(_open_licence, request, service, licence_id, token)
        result = await run_in_threadpool(_verify, service, shown, base_url)
    except GovLedgerError as error:  # a token or licence refused: the API's refusal, on the page
        message = error.user_message or error.detail
        return _page(request, "licence.html", status=error.http_status, error=message)
    except PageError as error:
        return _page(request, "licence.html", status=error.status, error=error.message)
    return _page(request, "licence.html", result=result)


# -- reading the input ------------------------------------------------------------------------


async def _submitted(request: Request) -> Presentation | PresentationReference | str:
    """The subject: a QR code photo's payload, an uploaded file, or the pasted text."""
    form = await _form(request, max_files=2, max_fields=4, max_part_size=MAX_DOCUMENT_BYTES)
    image, upload = form.get("image"), form.get("file")
    if isinstance(image, UploadFile) and image.filename:
        data = await _read(image, MAX_IMAGE_BYTES, "image")
        return _subject_of_text(await run_in_threadpool(_read_qr_image, data))
    if isinstance(upload, UploadFile) and upload.filename:
        data = await _read(upload, MAX_DOCUMENT_BYTES, "file")
        try:
            return _subject_of_text(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise PageError("the file is not text (UTF-8): upload the licence's JSON") from None
    text = form.get("text")
    if isinstance(text, str) and text.strip():
        return _subject_of_text(text)
    raise PageError("paste a licence or presentation, upload its file, or a photo of its QR code")


async def _form(request: Request, **limits: int) -> FormData:
    """The submitted form; one the parser refuses (too many parts, a part too large) is a
    message on the page."""
    try:
        return await request.form(**limits)
    except HTTPException as refused:
        raise PageError(f"the form was refused: {refused.detail}", refused.status_code) from None


async def _read(upload: UploadFile, limit: int, what: str) -> bytes:
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise PageError(f"the {what} is larger than {limit // (1024 * 1024)} MB", 413)
    return data


def _subject_of_text(text: str) -> Presentation | PresentationReference | str:
    """JSON stays text (the verifier parses it); anything else must be a QR code's payload."""
    text = text.strip()
    if text.startswith("{"):
        return text
    try:
        return read_qr_payload(text)
    except (LicenceInputError, ValidationError):
        raise PageError(
            "this is neither a licence or presentation (JSON) nor a licence QR code"
        ) from None


def _read_qr_image(data: bytes) -> str:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise PageError("the image has too many pixels", 413)
            codes = zxingcpp.read_barcodes(image.convert("L"))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise PageError("the file is not an image that can be read (PNG, JPEG, ...)") from None
    texts = [code.text for code in codes if code.format == zxingcpp.BarcodeFormat.QRCode]
    if not texts:
        raise PageError("no QR code was found in the image: try a sharper, closer photo")
    return texts[0]


# -- verifying --------------------------------------------------------------------------------


def _verify(
    service: LicenceService,
    subject: Presentation | PresentationReference | str,
    base_url: str,
) -> Result:
    digest = expires_at = None
    if isinstance(subject, PresentationReference):
        try:
            subject = service.presentation(subject.digest)
        except GovLedgerError:
            raise PageError(
                "this presentation is not known here or has expired: ask the holder for a new one",
                404,
            ) from None
    if isinstance(subject, Presentation):
        digest, expires_at = subject.digest().hex(), subject.to_sign.expires_at
    try:
        report = service.verify(subject)
    except LicenceInputError as error:
        raise PageError(str(error)) from None
    if report.licence_id is None:
        raise PageError(f"not a well-formed licence or presentation: {report.integrity.message}")
    stored = _stored(service, report) if report.integrity.ok else None
    licence = None
    if report.fields is not None:
        header = None if stored is None else stored.document.header
        licence = LicenceView(
            licence_id=report.licence_id,
            fields=dict(report.fields),
            valid_from=None if header is None else header.valid_from,
            valid_to=None if header is None else header.valid_to,
            seal=None if stored is None else stored.document.seal,
            verify_url=None if digest is None else verify_url(base_url, bytes.fromhex(digest)),
        )
    return Result(
        report=report,
        checks=_checks(report),
        anchor=None if stored is None else _anchor(stored),
        history=[] if stored is None else service.history(stored.licence_id),
        licence=licence,
        digest=digest,
        expires_at=expires_at,
    )


def _stored(service: LicenceService, report: VerificationReport) -> StoredLicence | None:
    """The licence as this service keeps it, if the verified content is that licence."""
    assert report.licence_id is not None
    try:
        stored = service.licence(report.licence_id)
    except (InvalidLicenceId, LicenceNotFound):
        return None
    return stored if stored.leaf == report.leaf else None


def _anchor(stored: StoredLicence) -> AnchorView | None:
    batch = stored.batch
    if batch.root is None:
        return None
    return AnchorView(
        root=batch.root.hex(),
        tx_hash=None if batch.tx is None else batch.tx.tx_hash,
        block_number=None if batch.tx is None else batch.tx.block_number,
        anchored_at=batch.anchored_at,
    )


def _checks(report: VerificationReport) -> list[dict[str, Any]]:
    return [
        {
            "check": str(check),
            "name": CHECK_NAMES[check][0],
            "chinese": CHECK_NAMES[check][1],
            "means": CHECK_NAMES[check][2],
            "ok": result.ok,
            "reason": str(result.reason),
            "plain": REASONS[result.reason],
            "message": result.message,
        }
        for check, result in report.checks().items()
    ]


def _open_licence(
    request: Request, service: LicenceService, licence_id: str, token: str
) -> Presentation:
    """A presentation of every field of the licence, for the holder or the issuer."""
    try:
        licence = service.holder_licence(token, licence_id)
    except TokenKindMismatch:  # not a holder token: a department's
        licence = _issued_licence(request, service, licence_id, token)
    lifetime = service.settings.presentation_max_lifetime_s
    return service.present(licence, list(licence.document.fields), lifetime)


def _issued_licence(
    request: Request, service: LicenceService, licence_id: str, token: str
) -> StoredLicence:
    department = authenticate(request.app.state.platform, token)
    licence = service.licence(licence_id)
    if licence.issuer_code != department.code:
        raise NotLicenceIssuer(f"{licence_id} was issued by another department")
    return licence


def _page(
    request: Request,
    template: str,
    *,
    status: int = 200,
    error: str | None = None,
    result: Result | None = None,
) -> HTMLResponse:
    context: dict[str, Any] = {"error": error, "result": result, "status_names": STATUS_NAMES}
    if result is not None and result.licence is not None:
        context["card"] = render_licence(result.licence)
        context["seal_uri"] = (
            None if result.licence.seal is None else seal_image_uri(result.licence.seal)
        )
        url = result.licence.verify_url
        context["qr_uri"] = None if url is None else qr_svg_uri(url)
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status)
