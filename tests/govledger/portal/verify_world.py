"""A live server with an issuing department, its seal and anchored licences, for the verify and
licence pages."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pypdfium2
import zxingcpp
from PIL import Image, ImageStat

from ledger.contracts.values import Role
from tests.govledger.portal.conftest import LiveServer, free_port, live_settings, serving
from tests.licence_service.world import ISSUER_A, ISSUER_B, Api, licence_body, prepare


@dataclass
class VerifyWorld:
    live: LiveServer
    api: Api
    licence_id: str
    holder_token: str
    document: dict[str, Any]  # the full document, with its anchor

    @property
    def url(self) -> str:
        return self.live.url

    def present(self, fields: list[str]) -> dict[str, Any]:
        shown = self.api.post(
            f"/v1/holder/licences/{self.licence_id}/presentations",
            headers={"Authorization": f"Bearer {self.holder_token}"},
            json={"fields": fields, "lifetime_s": 600},
        )
        assert shown.status_code == 201, shown.text
        body: dict[str, Any] = shown.json()
        return body


def verify_world(data_dir: Path) -> Iterator[VerifyWorld]:
    """The world, served until the generator is closed."""
    port = free_port()
    settings = live_settings(data_dir, port)
    prepare(settings, [(ISSUER_A, [Role.ISSUER, Role.SEAL_ADMIN]), (ISSUER_B, [Role.ISSUER])])
    with serving(settings, port) as live, httpx.Client(base_url=live.url, timeout=60) as client:
        api = Api(client, settings)  # type: ignore[arg-type]  # an httpx client like TestClient
        api.create_seal(ISSUER_A)
        issued = api.post("/v1/licences/bulk", ISSUER_A, json={"licences": [licence_body(1)]})
        assert issued.status_code == 201, issued.text
        licence_id = issued.json()["licence_ids"][0]
        token = api.post(f"/v1/licences/{licence_id}/holder-token", ISSUER_A)
        document = api.get(f"/v1/licences/{licence_id}", ISSUER_A).json()["document"]
        yield VerifyWorld(live, api, licence_id, token.json()["holder_token"], document)


def read_qr(image: Image.Image) -> str:
    """The text of the one QR code in ``image``."""
    codes = zxingcpp.read_barcodes(image.convert("L"))
    assert len(codes) == 1, codes
    return str(codes[0].text)


def qr_of_pdf(pdf: bytes) -> str:
    """The QR code printed on the PDF's first page, rendered at 200 dpi."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[0].render(scale=200 / 72)
        return read_qr(bitmap.to_pil())
    finally:
        document.close()


def pdf_text(pdf: bytes) -> str:
    """The text layer of the PDF's first page."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return str(document[0].get_textpage().get_text_range())
    finally:
        document.close()


def pixel_spread(png: bytes) -> float:
    """The standard deviation of a screenshot's grey levels: near 0 for a blank page."""
    return float(ImageStat.Stat(Image.open(io.BytesIO(png)).convert("L")).stddev[0])


def mean_colour(png: bytes) -> tuple[float, float, float]:
    red, green, blue = ImageStat.Stat(Image.open(io.BytesIO(png)).convert("RGB")).mean
    return red, green, blue
