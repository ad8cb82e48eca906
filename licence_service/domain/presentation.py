"""Presentations: a holder shows chosen fields of a licence, for a limited time, as JSON or a QR
code.

The licence service signs a presentation with the issuer's key, which makes ``expires_at``
binding. Its QR code holds a verify URL (``<portal>/verify/p/<digest>``) when the portal's
address is known, else the presentation itself (``GLP1:`` base45) when it fits, else a ``GLR1:``
reference by digest (still read). docs/licences.md ("Presentations and QR codes") has the format
and the QR sizes.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Literal, Self
from urllib.parse import urlsplit

import segno
from pydantic import model_validator

from licence_service.domain import base45
from licence_service.domain.canonical import parse_json, utc_seconds
from licence_service.domain.disclosure import LicenceHeader, SaltedField, field_digest
from licence_service.domain.document import Anchor, LicenceDocument
from licence_service.domain.encoded import CanonicalModel, Hash, SignatureBytes, Timestamp
from licence_service.domain.errors import LicenceInputError, UnknownField
from licence_service.domain.model import FieldName
from licence_service.domain.seal import SealSignature, sm2_public_key
from sm_crypto import SM2PrivateKey, sm3

PRESENTATION_FORMAT: Final = "govledger-presentation/1"
QR_EMBEDDED_PREFIX = "GLP1:"
QR_REFERENCE_PREFIX = "GLR1:"
# The portal's page that verifies a presentation the licence service keeps, by its digest.
VERIFY_PATH = "/verify/p/"
_VERIFY_PATH_RE = re.compile(r"/verify/p/([0-9a-f]{64})/?$")
# Beyond about version 25 (117 x 117 modules) a QR code shown on a phone screen gets hard to scan.
DEFAULT_MAX_QR_VERSION = 25
# Printed on paper, codes up to the largest version still scan with a phone held close.
OFFLINE_MAX_QR_VERSION = 40
# A decompressed presentation larger than this is refused before it is parsed.
MAX_PRESENTATION_SIZE = 256 * 1024


class PresentationContent(CanonicalModel):
    """What the presentation's signature covers."""

    header: LicenceHeader
    disclosed: dict[FieldName, SaltedField]
    hidden_digests: tuple[Hash, ...]
    seal_signature: SealSignature
    anchor: Anchor
    issued_at: Timestamp
    expires_at: Timestamp

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.expires_at <= self.issued_at:
            raise ValueError("a presentation expires after it is issued")
        if len(set(self.hidden_digests)) != len(self.hidden_digests):
            raise ValueError("a hidden field digest appears twice")
        return self


class Presentation(CanonicalModel):
    """Chosen fields of an anchored licence, signed for a limited time."""

    format: Literal["govledger-presentation/1"] = PRESENTATION_FORMAT
    to_sign: PresentationContent
    signature: SignatureBytes

    def digest(self) -> bytes:
        """SM3 of the whole presentation's canonical encoding: what a QR reference names."""
        return sm3(self.canonical())

    def verify_signature(self, public_key: bytes) -> None:
        """Return if the presentation's signature verifies with ``public_key``; raise
        ``sm_crypto.InvalidSignature`` or ``InvalidKey`` otherwise."""
        sm2_public_key(public_key).verify(self.signature, self.to_sign.canonical())


def present(
    document: LicenceDocument,
    *,
    reveal: Collection[str],
    lifetime: timedelta,
    signing_key: SM2PrivateKey,
    now: datetime | None = None,
) -> Presentation:
    """A presentation of ``document`` showing only the fields named in ``reveal``, valid for
    ``lifetime`` from ``now``, signed with ``signing_key`` (the issuing department's key).

    Raises :class:`UnknownField` for a name the licence does not have, and
    :class:`LicenceInputError` for a licence not yet anchored or a lifetime under a second.
    """
    unknown = sorted(set(reveal) - set(document.fields))
    if unknown:
        raise UnknownField(f"the licence has no field {', '.join(map(repr, unknown))}")
    if document.anchor is None:
        raise LicenceInputError("a licence can be presented once its batch is anchored")
    issued_at = utc_seconds(now or datetime.now(UTC))
    expires_at = utc_seconds(issued_at + lifetime)
    if expires_at <= issued_at:
        raise LicenceInputError("a presentation's lifetime is at least one second")
    content = PresentationContent(
        header=document.header,
        disclosed={name: document.fields[name] for name in reveal},
        hidden_digests=tuple(
            sorted(
                field_digest(name, field)
                for name, field in document.fields.items()
                if name not in reveal
            )
        ),
        seal_signature=document.seal_signature,
        anchor=document.anchor,
        issued_at=issued_at,
        expires_at=expires_at,
    )
    return Presentation(to_sign=content, signature=signing_key.sign(content.canonical()))


@dataclass(frozen=True)
class PresentationReference:
    """What a QR code holds instead of a presentation too large for it: the digest the
    licence service keeps the presentation under."""

    digest: bytes

    def matches(self, presentation: Presentation) -> bool:
        return presentation.digest() == self.digest


@dataclass(frozen=True)
class PresentationQR:
    """A presentation's QR code: ``embedded`` says whether the payload is the presentation
    itself or a :class:`PresentationReference`."""

    payload: str
    embedded: bool
    code: segno.QRCode

    @property
    def version(self) -> int:
        return int(self.code.version)

    def png(self, *, scale: int = 4) -> bytes:
        out = io.BytesIO()
        self.code.save(out, kind="png", scale=scale)
        return out.getvalue()

    def svg(self, *, scale: int = 4) -> str:
        out = io.BytesIO()
        self.code.save(out, kind="svg", scale=scale, xmldecl=False)
        return out.getvalue().decode("utf-8")


def verify_url(base_url: str, digest: bytes) -> str:
    """The portal's verify page for the presentation with ``digest``, under ``base_url``."""
    return base_url.rstrip("/") + VERIFY_PATH + digest.hex()


def presentation_qr(
    presentation: Presentation,
    *,
    base_url: str | None = None,
    max_version: int = DEFAULT_MAX_QR_VERSION,
) -> PresentationQR:
    """The QR code of ``presentation``: its verify URL under ``base_url`` (the portal's
    address); without one, the presentation itself if it fits in ``max_version``, else a
    reference (see the module docstring)."""
    if base_url is not None:
        url = verify_url(base_url, presentation.digest())
        return PresentationQR(url, False, _qr_code(url))
    embedded = offline_qr(presentation, max_version=max_version)
    if embedded is not None:
        return embedded
    reference = QR_REFERENCE_PREFIX + presentation.digest().hex().upper()
    return PresentationQR(reference, False, _qr_code(reference))


def offline_qr(
    presentation: Presentation, *, max_version: int = OFFLINE_MAX_QR_VERSION
) -> PresentationQR | None:
    """The code holding the whole presentation (``GLP1:``), read without any network, or None
    if it needs a version above ``max_version``."""
    payload = QR_EMBEDDED_PREFIX + base45.encode(zlib.compress(presentation.canonical(), 9))
    try:
        embedded = PresentationQR(payload, True, _qr_code(payload))
    except segno.DataOverflowError:  # larger than even a version 40 code holds
        return None
    return embedded if embedded.version <= max_version else None


def _qr_code(payload: str) -> segno.QRCode:
    return segno.make(payload, error="m", boost_error=False, micro=False)


def read_qr_payload(payload: str) -> Presentation | PresentationReference:
    """The presentation or reference in a scanned QR payload (a verify URL, whatever its
    host, is a reference). Raises :class:`LicenceInputError` (or a pydantic
    ``ValidationError`` for a malformed presentation) for anything else."""
    if payload.startswith(("https://", "http://")):
        found = _VERIFY_PATH_RE.search(urlsplit(payload).path)
        if found is None:
            raise LicenceInputError("not the address of a presentation's verify page")
        return PresentationReference(bytes.fromhex(found.group(1)))
    if payload.startswith(QR_REFERENCE_PREFIX):
        text = payload.removeprefix(QR_REFERENCE_PREFIX)
        if len(text) != 64 or text != text.upper():
            raise LicenceInputError("a presentation reference is 64 upper-case hex digits")
        try:
            return PresentationReference(bytes.fromhex(text))
        except ValueError:
            raise LicenceInputError("a presentation reference is hex") from None
    if not payload.startswith(QR_EMBEDDED_PREFIX):
        raise LicenceInputError("not a licence presentation QR code")
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(
            base45.decode(payload.removeprefix(QR_EMBEDDED_PREFIX)), MAX_PRESENTATION_SIZE
        )
    except zlib.error:
        raise LicenceInputError("the QR payload is not compressed data") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise LicenceInputError("the QR payload is truncated or too large")
    return Presentation.model_validate(parse_json(data))
