"""Presentations show only the chosen fields, and travel as JSON or a QR code."""

from __future__ import annotations

from datetime import timedelta

import pytest

from licence_service.domain.disclosure import field_digest
from licence_service.domain.document import LicenceDocument
from licence_service.domain.errors import LicenceInputError, UnknownField
from licence_service.domain.presentation import (
    QR_EMBEDDED_PREFIX,
    QR_REFERENCE_PREFIX,
    Presentation,
    PresentationReference,
    offline_qr,
    present,
    presentation_qr,
    read_qr_payload,
)
from licence_service.domain.seal import public_key_bytes
from tests.licence_service.domain.conftest import VERIFIED, World


def test_only_the_chosen_fields_are_shown(world: World) -> None:
    presentation = world.present("licence_name", "surface.经营项目")
    content = presentation.to_sign
    assert set(content.disclosed) == {"licence_name", "surface.经营项目"}
    text = presentation.model_dump_json()
    for hidden in ("holder_id_number", "11010519491231002X", "经营场所", "福州市鼓楼区五四路1号"):
        assert hidden not in text
    hidden_digests = {
        field_digest(name, field)
        for name, field in world.document.fields.items()
        if name not in content.disclosed
    }
    assert set(content.hidden_digests) == hidden_digests
    assert content.expires_at - content.issued_at == timedelta(minutes=10)
    presentation.verify_signature(public_key_bytes(world.issuer_key.public_key()))
    assert Presentation.model_validate_json(text) == presentation


def test_refusals(world: World) -> None:
    with pytest.raises(UnknownField, match="holder_age"):
        world.present("holder_age")
    with pytest.raises(LicenceInputError, match="at least one second"):
        world.present("licence_name", lifetime=timedelta(0))
    unanchored = world.document.model_copy(update={"anchor": None})
    with pytest.raises(LicenceInputError, match="anchored"):
        present(
            unanchored,
            reveal=["licence_name"],
            lifetime=timedelta(minutes=5),
            signing_key=world.issuer_key,
            now=VERIFIED,
        )


def test_qr_code_embeds_the_presentation_when_it_fits(world: World) -> None:
    presentation = world.present("licence_name")
    qr = presentation_qr(presentation, max_version=40)
    assert qr.embedded
    assert qr.payload.startswith(QR_EMBEDDED_PREFIX)
    assert read_qr_payload(qr.payload) == presentation
    assert qr.png().startswith(b"\x89PNG\r\n\x1a\n")
    assert "<svg" in qr.svg()


def test_qr_code_falls_back_to_a_reference(world: World) -> None:
    presentation = world.present("licence_name")
    qr = presentation_qr(presentation, max_version=10)
    assert not qr.embedded
    assert qr.version <= 10
    assert qr.payload == QR_REFERENCE_PREFIX + presentation.digest().hex().upper()
    reference = read_qr_payload(qr.payload)
    assert isinstance(reference, PresentationReference)
    assert reference.matches(presentation)
    assert not reference.matches(world.present("holder_name"))


def test_qr_code_opens_the_verify_page_when_the_portal_is_known(world: World) -> None:
    presentation = world.present("licence_name")
    digest = presentation.digest().hex()
    qr = presentation_qr(presentation, base_url="https://licences.example.gov.cn/portal/")
    assert qr.payload == f"https://licences.example.gov.cn/portal/verify/p/{digest}"
    assert not qr.embedded
    reference = read_qr_payload(qr.payload)
    assert isinstance(reference, PresentationReference)
    assert reference.matches(presentation)
    # Any host: the verify page looks the digest up where it runs.
    assert read_qr_payload(f"http://127.0.0.1:8000/verify/p/{digest}/") == reference


def test_offline_qr_code_holds_the_whole_presentation_where_it_fits(world: World) -> None:
    presentation = world.present("licence_name")
    offline = offline_qr(presentation)
    assert offline is not None
    assert offline.embedded
    assert offline.payload.startswith(QR_EMBEDDED_PREFIX)
    assert read_qr_payload(offline.payload) == presentation
    assert offline_qr(presentation, max_version=offline.version - 1) is None


@pytest.mark.parametrize(
    "payload",
    [
        "HELLO",
        "https://example.org/",
        "https://example.org/verify/p/" + "AB" * 32,
        "https://example.org/verify/p/" + "ab" * 31,
        "https://example.org/verify/p/" + "ab" * 32 + "/x",
        QR_REFERENCE_PREFIX + "AB",
        QR_REFERENCE_PREFIX + "ab" * 32,
        QR_EMBEDDED_PREFIX + "%%%",
        QR_EMBEDDED_PREFIX + "BB8",  # base45 of b"AB": not zlib data
    ],
)
def test_unreadable_qr_payloads_are_refused(payload: str) -> None:
    with pytest.raises(LicenceInputError):
        read_qr_payload(payload)


def test_a_document_is_not_a_presentation(world: World) -> None:
    assert LicenceDocument.model_validate(world.document.model_dump(mode="json"))
    with pytest.raises(ValueError, match="to_sign"):
        Presentation.model_validate(world.document.model_dump(mode="json"))
