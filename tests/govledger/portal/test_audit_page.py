"""The auditor's view in a real headless Chromium: trace with filters as a timeline whose log
entries carry their proofs and anchors, a licence's history, export, and the log's verdict."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.govledger.portal.keyfiles import plain_pem
from tests.govledger.portal.world import (
    AUDITOR,
    BUREAU,
    REQUESTER,
    PortalWorld,
    licence_body,
    screenshot_variance,
    sign_in,
)


@pytest.fixture(scope="module")
def grant_id(world: PortalWorld) -> int:
    grant_id = world.released("audit-firms")
    world.wait_log_anchored()
    return grant_id


def audit_page(page: Page, world: PortalWorld, tmp_path: Path) -> None:
    (tmp_path / "auditor.pem").write_bytes(plain_pem(world.keys[AUDITOR]))
    sign_in(page, world, AUDITOR, tmp_path / "auditor.pem", next_page="/audit")
    page.wait_for_url("**/audit")


def test_trace_by_dataset_shows_a_timeline_with_proofs_and_anchors(
    world: PortalWorld, grant_id: int, page: Page, tmp_path: Path
) -> None:
    audit_page(page, world, tmp_path)
    page.fill("#trace-form [name=dataset]", "audit-firms")
    page.click("#trace-form button[type=submit]")
    expect(page.locator("#trace-result.ok")).to_be_visible()
    releases = page.locator("#timeline tr[data-seq]", has_text="release")
    expect(releases).to_have_count(3)
    expect(releases.nth(2)).to_contain_text("refused")
    expect(page.locator("#timeline td.anchored .proof").first).to_contain_text("root ")
    expect(page.locator("#timeline tr.chain-event").first).to_contain_text("chain: ")
    assert screenshot_variance(page) > 100
    # A filter that matches nothing leaves an empty timeline.
    page.fill("#trace-form [name=dataset]", "")
    page.fill("#trace-form [name=requester]", AUDITOR)
    page.click("#trace-form button[type=submit]")
    expect(page.locator("#trace-result.ok")).to_have_text("0 entries and events.")
    page.fill("#trace-form [name=requester]", "")
    page.fill("#trace-form [name=grant]", str(grant_id))
    page.click("#trace-form button[type=submit]")
    expect(page.locator("#timeline tr[data-seq]", has_text="release")).to_have_count(3)


def test_trace_a_licence_history(world: PortalWorld, page: Page, tmp_path: Path) -> None:
    issued = world.call("POST", "/v1/licences/bulk", BUREAU, json={"licences": [licence_body()]})
    (licence_id,) = issued.json()["licence_ids"]
    world.call(
        "POST",
        f"/v1/licences/{licence_id}/suspend",
        BUREAU,
        json={"reason_code": 2, "reason": "待核查"},
    )
    audit_page(page, world, tmp_path)
    page.fill("#trace-form [name=licence]", licence_id)
    page.click("#trace-form button[type=submit]")
    expect(page.locator("#timeline tr.licence-event")).to_have_count(2)
    expect(page.locator("#timeline")).to_contain_text("reason 2: 待核查")


def test_export_and_verify_the_log(
    world: PortalWorld, grant_id: int, page: Page, tmp_path: Path
) -> None:
    audit_page(page, world, tmp_path)
    with page.expect_download() as as_json:
        page.click("#export-json")
    exported = json.loads(Path(as_json.value.path()).read_text(encoding="utf-8"))
    assert grant_id in {entry["grant_id"] for entry in exported["entries"]}
    with page.expect_download() as as_csv:
        page.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(Path(as_csv.value.path()).read_text("utf-8"))))
    assert len(rows) == len(exported["entries"])
    page.click("#verify-log")
    expect(page.locator("#verdict.ok")).to_contain_text(
        f"Intact: {len(exported['entries'])} entries"
    )
    assert screenshot_variance(page) > 100


def test_a_department_without_the_auditor_role_is_told(
    world: PortalWorld, page: Page, tmp_path: Path
) -> None:
    (tmp_path / "requester.pem").write_bytes(plain_pem(world.keys[REQUESTER]))
    sign_in(page, world, REQUESTER, tmp_path / "requester.pem", next_page="/audit")
    page.wait_for_url("**/audit")
    page.click("#trace-form button[type=submit]")
    expect(page.locator("#trace-result.bad")).to_contain_text("AUDITOR")
