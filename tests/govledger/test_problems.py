"""The one problem+json handler, through a real FastAPI app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from govledger.api.deps import app_state
from govledger.api.problems import install_problem_handlers
from govledger.errors import ChainUnavailable, Conflict
from sm_crypto import InvalidSignature

SECRET_DETAIL = "rpc http://10.1.2.3:8545 refused; password=hunter2"


def build_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/conflict")
    def conflict() -> None:
        raise Conflict("licence L-1 already exists", user_message="already issued")

    @app.get("/chain-down")
    def chain_down() -> None:
        raise ChainUnavailable(SECRET_DETAIL)

    @app.get("/bad-signature")
    def bad_signature() -> None:
        raise InvalidSignature("the seal signature does not verify")

    @app.get("/bug")
    def bug() -> None:
        raise RuntimeError(SECRET_DETAIL)

    return app


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    # Starlette re-raises unexpected errors after answering (for the server log); the client
    # must see the answer instead.
    with TestClient(build_app(), raise_server_exceptions=False) as client:
        yield client


def test_a_platform_error_is_its_problem(client: TestClient) -> None:
    response = client.post("/conflict")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://govledger.example/problems/conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "already issued",
        "instance": "/conflict",
        "code": "conflict",
    }


def test_a_library_error_goes_through_the_error_table(client: TestClient) -> None:
    response = client.get("/bad-signature")
    assert response.status_code == 422
    assert response.json()["code"] == "verification-failed"


def test_server_side_errors_do_not_show_their_detail(client: TestClient) -> None:
    response = client.get("/chain-down")
    assert response.status_code == 503
    assert response.json()["code"] == "chain-unavailable"
    assert "10.1.2.3" not in response.text


def test_an_unexpected_error_is_a_bare_500(client: TestClient) -> None:
    response = client.get("/bug")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://govledger.example/problems/internal-error",
        "title": "Internal error",
        "status": 500,
        "instance": "/bug",
        "code": "internal-error",
    }


def test_framework_errors_are_problems_too(client: TestClient) -> None:
    missing = client.get("/no-such-route")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["code"] == "not-found"

    wrong_method = client.get("/conflict")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "http-405"
    assert wrong_method.headers["allow"] == "POST"


def test_a_missing_or_wrong_app_state_is_a_configuration_error() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/count")
    async def count(value: Annotated[int, Depends(app_state("counter", int))]) -> int:
        return value

    with TestClient(app, raise_server_exceptions=False) as client:
        for state in (None, "3"):  # not set by the app factory, or not what was asked for
            app.state.counter = state
            response = client.get("/count")
            assert response.status_code == 500
            assert response.json()["code"] == "configuration-error"
        app.state.counter = 3
        assert client.get("/count").json() == 3
