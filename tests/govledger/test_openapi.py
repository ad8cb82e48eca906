"""/openapi.json describes what the server does: every operation's errors as problem+json (never
FastAPI's HTTPValidationError), the upload routes with their limit, and a dataset version's body."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from govledger.app import create_app
from govledger.settings import Settings

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data_dir: Path = tmp_path_factory.mktemp("openapi")
    with TestClient(create_app(Settings(data_dir=data_dir, environment="test"))) as client:
        document: dict[str, Any] = client.get("/openapi.json").json()
        return document


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_error_is_described_as_a_problem(spec: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in str(spec)
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "code"} <= set(problem["required"])
    for path, method, operation in operations(spec):
        errors = {code: r for code, r in operation["responses"].items() if not code.startswith("2")}
        assert {"422", "default"} <= set(errors), (method, path)
        for response in errors.values():
            schema = response["content"][PROBLEM]["schema"]
            assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path)
            assert set(response["content"]) == {PROBLEM}


def test_upload_routes_are_marked_and_a_version_upload_has_its_body(spec: dict[str, Any]) -> None:
    uploads = {
        (method, path) for path, method, op in operations(spec) if op.get("x-govledger-upload")
    }
    # An access-log export grows with the log: verifying one is an upload too.
    assert uploads == {
        ("post", "/v1/datasets/{dataset_id}/versions"),
        ("post", "/v1/licences/bulk"),
        ("post", "/v1/audit/verify"),
    }
    body = spec["paths"]["/v1/datasets/{dataset_id}/versions"]["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"]["type"] == "array"
    assert body["content"]["application/json"]["schema"]["items"]["type"] == "object"
    assert body["content"]["text/csv"]["schema"]["type"] == "string"
