"""Fixtures for the platform's tests: isolated databases (SQLite and PostgreSQL), migrated."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.engine import Engine

from govledger.api.deps import (
    AuthenticatedDepartment,
    CurrentDepartment,
    PlatformState,
    require_role,
)
from govledger.api.problems import install_problem_handlers
from govledger.api.routes import auth as auth_routes
from govledger.auth.clock import utc_now
from govledger.auth.directory import DepartmentRecord, StaticDepartmentDirectory
from govledger.auth.signin import sign_challenge
from govledger.auth.tables import AuthChallengeRow
from govledger.auth.tokens import TokenService
from govledger.db import make_engine, make_session_factory, migrate
from govledger.keystore import Keystore
from govledger.settings import Settings
from sm_crypto import SM2PrivateKey
from tests.dbutil import database_url

__all__ = ["database_url"]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to the platform's head."""
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


# --- A real FastAPI app with the platform's routes, handlers and dependencies ------------------

ISSUER_DEPARTMENT = "D-ISSUER"
PLAIN_DEPARTMENT = "D-PLAIN"
AUDIENCE = "govledger-test"


class MovableClock:
    """The real clock, shifted by ``offset``: lets a test step past an expiry without waiting."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utc_now() + self.offset


probe_router = APIRouter(prefix="/probe")


@probe_router.get("/me")
def who_am_i(department: CurrentDepartment) -> dict[str, object]:
    return {"code": department.code, "roles": sorted(department.roles)}


@probe_router.get("/issuer-only")
def issuer_only(
    department: Annotated[AuthenticatedDepartment, Depends(require_role("ISSUER"))],
) -> dict[str, str]:
    return {"code": department.code}


@dataclass
class SignInWorld:
    client: TestClient
    directory: StaticDepartmentDirectory
    clock: MovableClock
    engine: Engine
    department_keys: dict[str, SM2PrivateKey]
    service_key: SM2PrivateKey

    def challenge(self, code: str) -> dict[str, str]:
        response = self.client.post("/v1/auth/challenge", json={"department_code": code})
        assert response.status_code == 200, response.text
        body: dict[str, str] = response.json()
        return body

    def exchange(self, challenge_id: str, signature: str) -> Response:
        return self.client.post(
            "/v1/auth/token", json={"challenge_id": challenge_id, "signature": signature}
        )

    def sign_in(self, code: str) -> str:
        challenge = self.challenge(code)
        signature = sign_challenge(challenge["message"], self.department_keys[code])
        response = self.exchange(challenge["challenge_id"], signature)
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def challenge_rows(self) -> list[tuple[str, datetime | None]]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(AuthChallengeRow.id, AuthChallengeRow.consumed_at).order_by(
                    AuthChallengeRow.id
                )
            )
            return [(row.id, row.consumed_at) for row in rows]


@pytest.fixture(scope="module")
def service_key(tmp_path_factory: pytest.TempPathFactory) -> SM2PrivateKey:
    """The service's signing key, from a real keystore as the composition root gets it."""
    keystore = Keystore(tmp_path_factory.mktemp("keystore"), "test passphrase")
    return keystore.load_or_create("govledger-service").sm2


@pytest.fixture(scope="module")
def department_keys() -> dict[str, SM2PrivateKey]:
    return {code: SM2PrivateKey.generate() for code in (ISSUER_DEPARTMENT, PLAIN_DEPARTMENT)}


def department(
    code: str, key: SM2PrivateKey, roles: set[str], active: bool = True
) -> DepartmentRecord:
    return DepartmentRecord(
        code=code,
        name=f"Department {code}",
        sm2_public_key=key.public_key().to_bytes(),
        roles=frozenset(roles),
        active=active,
        key_version=1,
    )


def build_app(platform: PlatformState) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(auth_routes.router)
    app.include_router(probe_router)
    app.state.platform = platform
    return app


@pytest.fixture
def world(
    engine: Engine,
    tmp_path: Path,
    service_key: SM2PrivateKey,
    department_keys: dict[str, SM2PrivateKey],
) -> Iterator[SignInWorld]:
    settings = Settings(data_dir=tmp_path, auth_audience=AUDIENCE)
    directory = StaticDepartmentDirectory(
        [
            department(ISSUER_DEPARTMENT, department_keys[ISSUER_DEPARTMENT], {"ISSUER"}),
            department(PLAIN_DEPARTMENT, department_keys[PLAIN_DEPARTMENT], set()),
        ]
    )
    clock = MovableClock()
    platform = PlatformState(
        settings=settings,
        session_factory=make_session_factory(engine),
        directory=directory,
        tokens=TokenService(
            service_key, issuer=settings.auth_issuer, audience=settings.auth_audience, clock=clock
        ),
        clock=clock,
    )
    with TestClient(build_app(platform)) as client:
        yield SignInWorld(client, directory, clock, engine, department_keys, service_key)
