"""The department console in a real headless Chromium: sign-in with a key file (both PEM forms;
the signature made in the page verifies with OpenSSL), issuing from the form, a status change
with a reason, answering data requests, and clear refusals on the page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.govledger.portal.keyfiles import openssl_encrypted_pem, openssl_verifies, plain_pem
from tests.govledger.portal.world import (
    BUREAU,
    REQUESTER,
    PortalWorld,
    screenshot_variance,
    sign_in,
)

PASSPHRASE = "长城 correct horse"


@pytest.fixture(scope="module")
def key_files(world: PortalWorld, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keys")
    key = world.keys[BUREAU]
    files = {
        "plain": plain_pem(key),
        "openssl-encrypted": openssl_encrypted_pem(key, PASSPHRASE, folder),
        "govledger-encrypted": key.to_pem(PASSPHRASE.encode()),
    }
    for name, pem in files.items():
        (folder / f"{name}.pem").write_bytes(pem)
    return {name: folder / f"{name}.pem" for name in files}


def console(page: Page, world: PortalWorld, key_file: Path, passphrase: str = "") -> None:
    sign_in(page, world, BUREAU, key_file, passphrase=passphrase, next_page="/console")
    page.wait_for_url("**/console")
    expect(page.locator("#who")).to_contain_text(BUREAU)


def issue_from_form(page: Page, number: str) -> str:
    page.select_option("[name=type]", label="食品经营许可证 (11100000000013338W001)")
    for name, value in {
        "licence_number": number,
        "issue_date": "2026-03-01",
        "valid_from": "2026-03-01",
        "valid_to": "2031-02-28",
        "holder_name": "福州某某餐饮管理有限公司",
        "holder_id_number": "11010519491231002X",
    }.items():
        page.fill(f"#issue-form [name={name}]", value)
    page.fill("[data-surface=经营场所]", "福州市鼓楼区五四路1号")
    page.click("#issue-form button[type=submit]")
    result = page.locator("#issue-result.ok")
    expect(result).to_contain_text("Issued 1.2.156.3005.2.11100000000013338W001")
    return result.inner_text().split()[1]


def test_sign_in_with_a_key_file_signs_in_the_page_and_openssl_verifies_it(
    world: PortalWorld, key_files: dict[str, Path], page: Page, tmp_path: Path
) -> None:
    with (
        page.expect_response("**/v1/auth/challenge") as challenge,
        page.expect_request("**/v1/auth/token") as token_request,
    ):
        sign_in(page, world, BUREAU, key_files["plain"])
    expect(page.locator("#signin-result.ok")).to_contain_text(f"Signed in as {BUREAU}")
    message = challenge.value.json()["message"].encode()
    signature = bytes.fromhex(json.loads(token_request.value.post_data or "")["signature"])
    assert openssl_verifies(world.keys[BUREAU], message, signature, tmp_path)
    # Only the signature went to the server: no request carried the key.
    token = page.evaluate("sessionStorage.getItem('govledger.token')")
    assert token
    assert page.evaluate("document.cookie") == ""


@pytest.mark.parametrize("form", ["openssl-encrypted", "govledger-encrypted"])
def test_an_encrypted_key_file_signs_in_with_its_passphrase_and_issues_from_the_form(
    world: PortalWorld, key_files: dict[str, Path], page: Page, form: str
) -> None:
    console(page, world, key_files[form], PASSPHRASE)
    licence_id = issue_from_form(page, f"JY135010000{len(form):05d}")
    assert world.call("GET", f"/v1/licences/{licence_id}", BUREAU).status_code == 200
    row = page.locator(f"#licences tr[data-licence='{licence_id}']")
    expect(row).to_contain_text("福州某某餐饮管理有限公司")
    assert screenshot_variance(page) > 100


def test_a_refused_licence_shows_the_services_reason(
    world: PortalWorld, key_files: dict[str, Path], page: Page
) -> None:
    console(page, world, key_files["plain"])
    page.fill("#issue-form [name=holder_id_number]", "110105194912310021")  # bad check digit
    for name, value in {
        "licence_number": "X1",
        "issue_date": "2026-03-01",
        "valid_from": "2026-03-01",
        "holder_name": "某某",
    }.items():
        page.fill(f"#issue-form [name={name}]", value)
    page.click("#issue-form button[type=submit]")
    expect(page.locator("#issue-result.bad")).to_contain_text("fails its check character")


def test_suspend_a_licence_with_a_reason(
    world: PortalWorld, key_files: dict[str, Path], page: Page
) -> None:
    console(page, world, key_files["plain"])
    licence_id = issue_from_form(page, "JY1350100099901")
    world.wait_anchored(BUREAU, licence_id)
    page.reload()
    page.select_option("#status-form [name=licence_id]", licence_id)
    page.select_option("#status-form [name=action]", "suspend")
    page.fill("#status-form [name=reason]", "经营场所变更待核查")
    page.click("#status-form button[type=submit]")
    expect(page.locator("#status-result.ok")).to_have_text(f"{licence_id} is now suspended.")
    history = world.call("GET", f"/v1/licences/{licence_id}/history", BUREAU).json()["data"]
    assert (history[-1]["status"], history[-1]["reason"]) == ("suspended", "经营场所变更待核查")
    expect(page.locator("#activity")).to_contain_text("经营场所变更待核查")
    assert screenshot_variance(page) > 100


def test_answer_requests_approve_narrowed_reject_and_revoke(
    world: PortalWorld, key_files: dict[str, Path], page: Page
) -> None:
    approved, rejected = world.requested("firms-a"), world.requested("firms-b")
    console(page, world, key_files["plain"])
    row = page.locator(f"#requests tr[data-grant='{approved}']")
    row.locator("input[value=address]").uncheck()
    row.locator("form.approve [name=max_uses]").fill("3")
    row.locator("form.approve button").click()
    expect(page.locator("#request-result.ok")).to_have_text(f"Grant {approved} is now granted.")
    grant = world.call("GET", f"/v1/grants/{approved}", BUREAU).json()
    assert (grant["granted_fields"], grant["max_uses"]) == (["name", "licence_no"], 3)

    row = page.locator(f"#requests tr[data-grant='{rejected}']")
    row.locator("form.reject [name=reason]").fill("用途与数据不符")
    row.locator("form.reject button").click()
    expect(page.locator("#request-result.ok")).to_have_text(f"Grant {rejected} is now rejected.")

    row = page.locator(f"#requests tr[data-grant='{approved}']")
    row.locator("form.revoke [name=reason]").fill("项目结束")
    row.locator("form.revoke button").click()
    expect(page.locator("#request-result.ok")).to_have_text(f"Grant {approved} is now revoked.")
    assert world.call("GET", f"/v1/grants/{approved}", BUREAU).json()["status"] == "revoked"


@pytest.mark.parametrize(
    "case",
    [
        ("not a key", "", "not a PKCS#8 private key file"),
        ("openssl-encrypted", "wrong passphrase", "Wrong passphrase"),
        ("openssl-encrypted", "", "enter its passphrase"),
    ],
)
def test_a_bad_key_file_or_passphrase_is_told_on_the_page(
    world: PortalWorld,
    key_files: dict[str, Path],
    page: Page,
    tmp_path: Path,
    case: tuple[str, str, str],
) -> None:
    content, passphrase, message = case
    key_file = key_files.get(content) or tmp_path / "bad.pem"
    if content not in key_files:
        key_file.write_text(content)
    sign_in(page, world, BUREAU, key_file, passphrase=passphrase)
    expect(page.locator("#signin-result.bad")).to_contain_text(message)
    assert page.evaluate("sessionStorage.getItem('govledger.token')") is None


def test_another_departments_key_is_refused_by_the_server(
    world: PortalWorld, page: Page, tmp_path: Path
) -> None:
    (tmp_path / "other.pem").write_bytes(plain_pem(world.keys[REQUESTER]))
    sign_in(page, world, BUREAU, tmp_path / "other.pem")
    expect(page.locator("#signin-result.bad")).to_contain_text("Sign-in refused")


def test_the_console_sends_a_signed_out_visitor_to_sign_in(world: PortalWorld, page: Page) -> None:
    page.goto(world.url + "/console")
    page.wait_for_url("**/signin?next=%2Fconsole")
