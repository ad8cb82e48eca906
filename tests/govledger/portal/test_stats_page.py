"""The statistics page in a real headless Chromium: each count drawn as a chart with its numbers
as a table and a CSV download, and the chain's confirmation of the counts."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.govledger.portal.keyfiles import plain_pem
from tests.govledger.portal.world import (
    AUDITOR,
    BUREAU,
    PortalWorld,
    licence_body,
    screenshot_variance,
    sign_in,
)

CHARTS = (
    "licences-by-month",
    "licences-by-department",
    "licences-by-type",
    "releases-by-reason",
    "requests-answered",
)


def test_statistics_are_charts_tables_and_csv(
    world: PortalWorld, page: Page, tmp_path: Path
) -> None:
    issued = world.call(
        "POST", "/v1/licences/bulk", BUREAU, json={"licences": [licence_body(n) for n in (7, 8)]}
    )
    assert issued.status_code == 201, issued.text
    world.released("stats-firms")
    expected = world.call("GET", "/v1/stats/licences", AUDITOR).json()
    bureau_total = sum(row["count"] for row in expected["data"] if row["issuer_code"] == BUREAU)

    (tmp_path / "auditor.pem").write_bytes(plain_pem(world.keys[AUDITOR]))
    sign_in(page, world, AUDITOR, tmp_path / "auditor.pem", next_page="/stats")
    page.wait_for_url("**/stats")
    expect(page.locator("#stats-result.ok")).to_contain_text("licences")
    expect(page.locator("#disagreements.ok")).to_have_text(
        "The chain's events confirm these counts."
    )
    for chart in CHARTS:
        expect(page.locator(f"#{chart} canvas")).to_be_visible()
        expect(page.locator(f"#{chart} table.numbers tbody tr").first).to_be_visible()
    # The chart was drawn: its canvas holds more than one colour.
    drawn = page.locator("#licences-by-department canvas").evaluate(
        "c => new Set(c.getContext('2d').getImageData(0, 0, c.width, c.height).data).size"
    )
    assert drawn > 2
    row = page.locator("#licences-by-department tbody tr", has_text=BUREAU)
    cells = [int(text) for text in row.locator("td").all_inner_texts()[1:]]
    assert sum(cells) == bureau_total
    with page.expect_download() as download:
        page.locator("#licences-by-department button").click()
    table = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    bureau_row = next(line for line in table if line[0] == BUREAU)
    assert sum(int(value) for value in bureau_row[1:]) == bureau_total
    assert screenshot_variance(page) > 100


def test_a_department_without_the_auditor_role_is_told(
    world: PortalWorld, page: Page, tmp_path: Path
) -> None:
    (tmp_path / "bureau.pem").write_bytes(plain_pem(world.keys[BUREAU]))
    sign_in(page, world, BUREAU, tmp_path / "bureau.pem", next_page="/stats")
    page.wait_for_url("**/stats")
    expect(page.locator("#stats-result.bad")).to_contain_text("AUDITOR")
