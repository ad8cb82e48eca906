"""The verify page and the printed licence, end to end in a headless Chromium on a live server
with anchored licences: a pasted document, an uploaded QR code image, a tampered document, the
holder's printable page and its PDF, whose QR code leads back to a passing verify page."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.govledger.portal.verify_world import (
    VerifyWorld,
    mean_colour,
    pdf_text,
    pixel_spread,
    qr_of_pdf,
    verify_world,
)

CHECKS = ("integrity", "status", "issuer", "seal")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VerifyWorld]:
    yield from verify_world(tmp_path_factory.mktemp("portal-verify"))


def submit_text(page: Page, world: VerifyWorld, text: str) -> None:
    page.goto(world.url + "/verify")
    page.fill("#text", text)
    page.click("#verify-submit")


def assert_shows_its_result(page: Page, ok: bool) -> None:
    """The verdict is on screen in its colour, and the page is not blank."""
    verdict = page.locator("#verdict")
    assert verdict.is_visible()
    assert verdict.get_attribute("data-ok") == ("true" if ok else "false")
    red, green, _ = mean_colour(verdict.screenshot())
    assert (green > red) if ok else (red > green + 60)
    assert pixel_spread(page.screenshot(full_page=True)) > 20


def test_a_pasted_document_verifies(world: VerifyWorld, page: Page) -> None:
    submit_text(page, world, json.dumps(world.document, ensure_ascii=False))
    assert_shows_its_result(page, ok=True)
    assert page.locator("#verdict").inner_text().startswith("✔ VALID")
    for check in CHECKS:
        assert page.locator(f'[data-check="{check}"]').get_attribute("data-ok") == "true"
    card = page.locator("#licence-card")
    assert card.is_visible()
    assert "食品经营许可证" in card.inner_text()
    assert "福州某某餐饮管理有限公司" in card.inner_text()
    assert card.locator("img.seal").is_visible()
    anchor = page.locator("table.anchor").inner_text()
    assert world.document["anchor"]["root"] in anchor
    assert "0x" in anchor  # the anchoring transaction
    assert "issue" in page.locator("table.history").inner_text()


def test_an_uploaded_qr_image_verifies_the_presentation(
    world: VerifyWorld, page: Page, tmp_path: Path
) -> None:
    shown = world.present(["licence_name", "holder_name"])
    assert shown["qr_payload"] == f"{world.url}/verify/p/{shown['digest']}"
    image = tmp_path / "qr.png"
    image.write_bytes(world.api.get(shown["qr_png_url"]).content)
    page.goto(world.url + "/verify")
    page.set_input_files("#image", str(image))
    page.click("#verify-submit")
    assert_shows_its_result(page, ok=True)
    card = page.locator("#licence-card").inner_text()
    assert "福州某某餐饮管理有限公司" in card
    # Only what the presentation discloses: the holder's ID number is not shown.
    assert world.document["fields"]["holder_id_number"][1] not in page.content()
    assert "not shown" in card


def test_a_tampered_document_fails_unmistakably(world: VerifyWorld, page: Page) -> None:
    tampered = copy.deepcopy(world.document)
    tampered["fields"]["holder_name"][1] = "冒名顶替有限公司"
    submit_text(page, world, json.dumps(tampered, ensure_ascii=False))
    assert_shows_its_result(page, ok=False)
    verdict = page.locator("#verdict").inner_text()
    assert "NOT VALID" in verdict
    assert "Integrity · 完整性 failed" in verdict
    integrity = page.locator('[data-check="integrity"]')
    assert integrity.get_attribute("data-ok") == "false"
    assert "document-digest-mismatch" in integrity.inner_text()
    assert page.locator("#licence-card").count() == 0
    assert "NOT verified" in page.locator("main").inner_text()


def test_the_holders_printed_licence_leads_to_a_passing_verify_page(
    world: VerifyWorld, page: Page
) -> None:
    page.goto(world.url + "/licence")
    page.fill("#licence_id", world.licence_id)
    page.fill("#token", world.holder_token)
    page.click("button[type=submit]")
    card = page.locator("#licence-card")
    assert card.is_visible()
    assert card.locator("#licence-qr").is_visible()
    assert world.document["fields"]["holder_id_number"][1] in card.inner_text()
    assert pixel_spread(page.screenshot(full_page=True)) > 20

    pdf_path = page.locator("#licence-pdf").get_attribute("href")
    assert pdf_path is not None
    pdf = world.api.get(pdf_path)
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for printed in ("食品经营许可证", "福州某某餐饮管理有限公司", "经营场所", world.licence_id):
        assert printed in text
    url = qr_of_pdf(pdf.content)
    assert url.startswith(world.url + "/verify/p/")
    assert pdf_path == url.removeprefix(world.url) + "/licence.pdf"
    page.goto(url)
    assert_shows_its_result(page, ok=True)
    assert world.licence_id in page.locator("#verdict").inner_text()
