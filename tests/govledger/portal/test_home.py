"""The portal is served by the app itself, at ``/``, with local assets and outside the OpenAPI."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page

from govledger.app import create_app
from govledger.settings import Settings
from tests.govledger.portal.conftest import LiveServer


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("portal"), environment="test")
    with TestClient(create_app(settings)) as client:
        yield client


def test_home_is_the_portal(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>govledger</h1>" in response.text


def test_every_asset_of_the_home_page_is_served_locally(client: TestClient) -> None:
    html = client.get("/").text
    assets = re.findall(r'(?:src|href)="([^"#]+)"', html)
    assert any(asset.endswith("portal.css") for asset in assets)
    for asset in assets:
        assert not re.match(r"^(https?:)?//", asset), asset
        assert client.get(asset).status_code == 200, asset


def test_portal_pages_stay_out_of_the_api_description(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths
    assert not any(path.startswith("/static") for path in paths)


def test_home_page_renders_in_a_real_browser(live_server: LiveServer, page: Page) -> None:
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "govledger"
    # The stylesheet really applied: the header carries its accent border.
    border = page.locator("header.site").evaluate("e => getComputedStyle(e).borderBottomStyle")
    assert border == "solid"
