"""The verify and licence pages over HTTP: bad input is a message on the page with a 4xx status,
never a 500; the offline QR form verifies; who may open a licence to print it."""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pypdfium2
import pytest
import segno
from fastapi.testclient import TestClient
from PIL import Image

from govledger.app import create_app
from govledger.portal.explain import REASONS
from govledger.portal.licence_render import (
    GENERAL_LAYOUT,
    LAYOUTS,
    NOT_SHOWN,
    LicenceView,
    licence_pdf,
    render_licence,
    seal_image_uri,
)
from govledger.portal.verify import MAX_DOCUMENT_BYTES, MAX_IMAGE_BYTES
from govledger.settings import Settings
from licence_service.domain.seal import SealPicture
from licence_service.domain.verify import Reason
from sm_crypto import SM2PrivateKey
from tests.govledger.portal.verify_world import VerifyWorld, pdf_text, verify_world
from tests.licence_service.domain.conftest import make_test_seal
from tests.licence_service.world import ISSUER_A, ISSUER_B, licence_body


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("portal-verify"), environment="test")
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VerifyWorld]:
    yield from verify_world(tmp_path_factory.mktemp("portal-verify-world"))


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def page_error(response: object) -> str:
    text = response.text  # type: ignore[attr-defined]
    found = re.search(r'id="input-error">([^<]*)<', text)
    assert found, text[:2000]
    return found.group(1)


@pytest.mark.parametrize(
    ("form", "files", "status", "message"),
    [
        ({}, None, 422, "paste a licence"),
        ({"text": "   "}, None, 422, "paste a licence"),
        ({"text": "hello"}, None, 422, "neither a licence"),
        ({"text": "GLR1:ABC"}, None, 422, "neither a licence"),
        ({"text": "https://example.org/verify/p/12"}, None, 422, "neither a licence"),
        ({"text": "GLP1:%%%"}, None, 422, "neither a licence"),
        ({"text": '{"a": 1}'}, None, 422, "not a licence"),
        ({"text": "[1, 2]"}, None, 422, "neither a licence"),
        ({"text": "{not json"}, None, 422, "not a licence"),
        ({"text": '{"format": "govledger-licence/1"}'}, None, 422, "not a well-formed"),
        ({"text": "{" + "a" * MAX_DOCUMENT_BYTES}, None, 400, "maximum size"),
        ({}, {"file": ("l.json", b"\xff\xfe\x00", "application/json")}, 422, "not text"),
        ({}, {"image": ("qr.png", b"not an image", "image/png")}, 422, "not an image"),
        ({}, {"image": ("qr.png", png(Image.new("L", (64, 64), 255)), "image/png")}, 422, "no QR"),
        ({}, {"image": ("big.png", b"\x89PNG" + bytes(MAX_IMAGE_BYTES), "image/png")}, 413, "MB"),
    ],
)
def test_bad_input_is_a_message_on_the_page(
    client: TestClient,
    form: dict[str, str],
    files: dict[str, tuple[str, bytes, str]] | None,
    status: int,
    message: str,
) -> None:
    response = client.post("/verify", data=form, files=files or {"none": ("", b"", "text/plain")})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert message in page_error(response)
    assert 'id="verdict"' not in response.text


def test_a_qr_code_of_something_else_is_refused(client: TestClient) -> None:
    out = io.BytesIO()
    segno.make("https://example.org/", micro=False).save(out, kind="png", scale=4)
    response = client.post("/verify", files={"image": ("qr.png", out.getvalue(), "image/png")})
    assert response.status_code == 422
    assert "neither a licence" in page_error(response)


def test_an_unknown_or_expired_presentation_is_a_404_page(client: TestClient) -> None:
    response = client.get("/verify/p/" + "ab" * 32)
    assert response.status_code == 404
    assert "not known here or has expired" in page_error(response)
    assert client.get("/verify/p/" + "ab" * 32 + "/licence.pdf").status_code == 404
    assert client.get("/verify/p/xyz").status_code == 422


def test_the_licence_page_refuses_a_bad_token(client: TestClient) -> None:
    response = client.post("/licence", data={"licence_id": "x", "token": "nope"})
    assert response.status_code == 401
    assert page_error(response)
    assert client.post("/licence", data={}).status_code == 422
    with_a_file = client.post("/licence", files={"file": ("f.json", b"{}", "application/json")})
    assert with_a_file.status_code == 400
    assert "refused" in page_error(with_a_file)


def test_the_offline_qr_form_verifies_without_the_service_keeping_it(world: VerifyWorld) -> None:
    shown = world.present(["licence_name"])
    offline = shown["offline_qr_payload"]
    assert offline is not None
    assert offline.startswith("GLP1:")
    assert segno.make(offline, error="m", micro=False).version <= 40
    response = world.api.post("/verify", data={"text": offline})
    assert response.status_code == 200, page_error(response)
    assert 'data-ok="true"' in response.text
    assert response.text.count('class="check check-ok"') == 4


def test_the_issuer_opens_its_licence_and_no_other_department_does(world: VerifyWorld) -> None:
    def opened_by(code: str) -> httpx.Response:
        token = world.api.auth(code)["Authorization"].removeprefix("Bearer ")
        return world.api.post("/licence", data={"licence_id": world.licence_id, "token": token})

    opened = opened_by(ISSUER_A)
    assert opened.status_code == 200, page_error(opened)
    assert 'id="licence-card"' in opened.text
    refused = opened_by(ISSUER_B)
    assert refused.status_code == 403
    assert "another department" in page_error(refused)
    assert 'id="licence-card"' not in refused.text


def test_every_reason_has_a_plain_explanation() -> None:
    assert set(REASONS) == set(Reason)


def test_a_licence_is_laid_out_by_its_type_and_hides_what_is_not_disclosed() -> None:
    view = LicenceView(
        licence_id="1.2.156.3005.2.X.Y.1.001.Z",
        fields={
            "licence_name": "营业执照",
            "holder_name": "示例茶业有限公司",
            "surface.类型": "有限责任公司",
        },
        valid_from=None,
        valid_to=None,
        seal=None,
        verify_url="http://127.0.0.1:1/verify/p/" + "00" * 32,
    )
    rendered = render_licence(view)
    assert rendered.english == "Business licence"
    assert [row.label for row in rendered.rows] == [row.label for row in LAYOUTS["营业执照"].rows]
    shown = {row.label: row.value for row in rendered.rows}
    assert shown["名称"] == "示例茶业有限公司"
    assert shown["法定代表人"] is None
    text = pdf_text(licence_pdf(view))
    assert "示例茶业有限公司" in text
    assert NOT_SHOWN in text
    unknown = render_licence(
        LicenceView("id", {"licence_name": "某证", "surface.颜色": "红"}, None, None, None, None)
    )
    assert unknown.title == "某证"
    assert [row.label for row in unknown.rows][:-1] == [row.label for row in GENERAL_LAYOUT.rows]
    assert (unknown.rows[-1].label, unknown.rows[-1].value) == ("颜色", "红")


def test_the_seal_is_drawn_from_its_record_or_placed_as_its_picture() -> None:
    key = SM2PrivateKey.generate()
    drawn = make_test_seal(key, key)  # its picture is an SVG: drawn from the record
    view = LicenceView("id", {"licence_name": "营业执照"}, None, None, drawn, None)
    assert drawn.info.property.name in pdf_text(licence_pdf(view))
    assert drawn.info.property.name in base64.b64decode(
        seal_image_uri(drawn).removeprefix("data:image/svg+xml;base64,")
    ).decode("utf-8")

    picture = SealPicture(
        type="png", data=png(Image.new("RGB", (40, 40), "red")), width_mm=42, height_mm=42
    )
    info = drawn.info.model_copy(update={"picture": picture})
    pictured = drawn.model_copy(update={"to_sign": drawn.to_sign.model_copy(update={"info": info})})
    assert seal_image_uri(pictured).startswith("data:image/png;base64,")
    document = pypdfium2.PdfDocument(licence_pdf(replace(view, seal=pictured)))
    try:
        images = list(document[0].get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]))
        assert len(images) == 1
        assert drawn.info.property.name not in document[0].get_textpage().get_text_range()
    finally:
        document.close()


def test_a_suspended_licence_fails_its_status_and_shows_why(world: VerifyWorld) -> None:
    issued = world.api.post("/v1/licences/bulk", ISSUER_A, json={"licences": [licence_body(2)]})
    licence_id = issued.json()["licence_ids"][0]
    document = world.api.get(f"/v1/licences/{licence_id}", ISSUER_A).json()["document"]
    suspended = world.api.post(
        f"/v1/licences/{licence_id}/suspend",
        ISSUER_A,
        json={"reason_code": 3, "reason": "经营场所核查中"},
    )
    assert suspended.status_code == 200, suspended.text
    response = world.api.post("/verify", data={"text": json.dumps(document)})
    assert response.status_code == 200
    verdict = re.search(r'<section id="verdict"[^>]*data-ok="(\w+)"', response.text)
    assert verdict is not None
    assert verdict.group(1) == "false"
    assert "Status · 证照状态 failed:</strong> The issuer has suspended" in response.text
    assert re.search(r'data-check="status" data-ok="false"', response.text)
    history = response.text[response.text.index('<table class="history">') :]
    assert "suspend" in history
    assert "3: 经营场所核查中" in history
    # The licence itself is still shown: its content is what the issuer anchored.
    assert 'id="licence-card"' in response.text
