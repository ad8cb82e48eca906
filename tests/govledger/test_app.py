"""The app factory: starts on a fresh data dir, documents every route, and answers bad input
with problem+json, never a 500."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from govledger.app import create_app
from govledger.settings import Settings

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir: Path = tmp_path_factory.mktemp("fresh")
    with TestClient(create_app(Settings(data_dir=data_dir, environment="test"))) as client:
        yield client


def test_starts_on_a_fresh_data_dir(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()


def test_docs_page_loads_nothing_from_outside(client: TestClient) -> None:
    # A browser on an offline government network must still render the API docs.
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)
        assert assets, page
        for asset in assets:
            assert asset.startswith("/"), (page, asset)
            assert client.get(asset).status_code == 200, (page, asset)


def test_openapi_lists_every_route_with_a_response_model(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for expected in ("/v1/auth/token", "/v1/licences", "/v1/licences/bulk", "/v1/verify"):
        assert expected in paths
    operation_ids = []
    for path, operations in paths.items():
        for method, operation in operations.items():
            operation_ids.append(operation["operationId"])
            tag = operation["tags"][0]
            assert operation["operationId"].startswith(f"{tag}-"), (method, path)
            success = next(code for code in operation["responses"] if code.startswith("2"))
            content = operation["responses"][success]["content"]
            if "application/json" in content:
                assert content["application/json"]["schema"], (method, path)
            else:
                assert set(content) <= {"image/png", "image/svg+xml"}, (method, path)
    assert len(operation_ids) == len(set(operation_ids))


def test_operation_ids_all_come_from_the_app(client: TestClient) -> None:
    # One rule, "<tag>-<route name>", for every service: no route names its own.
    app = client.app
    assert isinstance(app, FastAPI)
    routes = [route for route in app.routes if isinstance(route, APIRoute)]
    assert routes
    assert [route.path for route in routes if route.operation_id is not None] == []


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "not-found"


def test_wrong_method_is_a_problem(client: TestClient) -> None:
    response = client.delete("/v1/verify")
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[]",
        b"null",
        b"\xff\xfe",
        b'{"format": "govledger-licence/1"}',
        b'{"format": "govledger-presentation/1", "to_sign": 1}',
        b'{"format": 12}',
        b'{"format": "govledger-licence/1", "header": {"licence_id": "x"}}',
    ],
)
@pytest.mark.parametrize(
    "path",
    ["/v1/verify", "/v1/auth/challenge", "/v1/auth/token", "/v1/licences", "/v1/seals"],
)
def test_malformed_bodies_never_give_a_500(client: TestClient, path: str, body: bytes) -> None:
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"]


def test_a_serving_app_keeps_its_start_up_heap_out_of_collections(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, environment="test")
    assert gc.get_freeze_count() == 0
    with TestClient(create_app(settings, freeze_heap=True)) as client:
        assert gc.get_freeze_count() > 0
        assert client.get("/docs").status_code == 200
    assert gc.get_freeze_count() == 0  # given back to the collector when the app stops
    with TestClient(create_app(settings)):
        assert gc.get_freeze_count() == 0
