"""A data dir with an initialised chain and registered departments, and an HTTP client on
``create_app`` that signs in as them with their real SM2 keys."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from govledger.app import create_app
from govledger.auth.signin import sign_challenge
from govledger.bench.setup import department_code, prepare_chain
from govledger.keystore import open_keystore
from govledger.settings import Settings
from ledger.contracts.values import Role
from ledger.devnode import AnvilNode
from licence_service import tables
from licence_service.plugin import LicencePlugin
from licence_service.settings import LicenceSettings
from tests.dbutil import isolated_database


def make_code(serial: int) -> str:
    return department_code("11350100MB", serial)


# The licence service's tables.
LICENCE_TABLES = frozenset(
    row.__tablename__
    for row in (
        tables.SealRow,
        tables.SerialRow,
        tables.BatchRow,
        tables.LicenceRow,
        tables.LicenceEventRow,
        tables.PresentationRow,
    )
)

ISSUER_A = make_code(1)
ISSUER_B = make_code(2)
VIEWER = make_code(3)  # registered, no licence roles
AUDITOR = make_code(4)
TYPE_CODE = "11100000000013338W001"


def prepare(settings: Settings, departments: Sequence[tuple[str, Sequence[Role]]]) -> None:
    """Deploy the contracts and register ``departments`` (as `govledger chain init` and
    `govledger department register` do), each named after its code's last four characters."""
    prepare_chain(settings, dict(departments), name=lambda code: f"部门 {code[-4:]}")


def data_dir_settings(data_dir: Path, **changes: Any) -> Settings:
    return Settings(data_dir=data_dir, environment="test", **changes)


@contextmanager
def backend_settings(
    data_dir: Path, database: str, anvil: AnvilNode | None = None
) -> Iterator[Settings]:
    """Settings on an empty ``database`` ("sqlite" or "postgres", see ``tests.dbutil``), on the
    embedded chain or, given ``anvil``, on that node over JSON-RPC (backend ``rpc``)."""
    chain: dict[str, Any] = (
        {"chain_backend": "rpc", "chain_rpc_url": anvil.url, "chain_id": anvil.chain_id}
        if anvil
        else {}
    )
    with isolated_database(database, data_dir) as url:
        yield data_dir_settings(data_dir, database_url=url, **chain)


def licence_body(number: int, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "licence_name": "食品经营许可证",
        "licence_number": f"JY1350100{number:07d}",
        "type_code": TYPE_CODE,
        "issue_date": "2026-03-01",
        "valid_from": "2026-03-01",
        "valid_to": "2031-02-28",
        "holder_name": "福州某某餐饮管理有限公司",
        "holder_id_type": "111",
        "holder_id_number": "11010519491231002X",
        "surface": {"经营场所": "福州市鼓楼区五四路1号", "投诉举报电话": 12315},
    }
    return {**body, **changes}


@dataclass
class Api:
    client: TestClient
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)

    def sign_in(self, code: str) -> str:
        keystore = open_keystore(self.settings)
        challenge = self.client.post("/v1/auth/challenge", json={"department_code": code})
        assert challenge.status_code == 200, challenge.text
        signature = sign_challenge(challenge.json()["message"], keystore.load(code).sm2)
        token = self.client.post(
            "/v1/auth/token",
            json={"challenge_id": challenge.json()["challenge_id"], "signature": signature},
        )
        assert token.status_code == 200, token.text
        self.tokens[code] = token.json()["access_token"]
        return self.tokens[code]

    def auth(self, code: str) -> dict[str, str]:
        token = self.tokens.get(code) or self.sign_in(code)
        return {"Authorization": f"Bearer {token}"}

    def post(self, path: str, as_: str | None = None, **kwargs: Any) -> Response:
        headers = kwargs.pop("headers", {}) | (self.auth(as_) if as_ else {})
        return self.client.post(path, headers=headers, **kwargs)

    def get(self, path: str, as_: str | None = None, **kwargs: Any) -> Response:
        headers = kwargs.pop("headers", {}) | (self.auth(as_) if as_ else {})
        return self.client.get(path, headers=headers, **kwargs)

    def create_seal(self, code: str) -> dict[str, Any]:
        valid_to = (datetime.now(UTC) + timedelta(days=3650)).replace(microsecond=0)
        response = self.post(
            "/v1/seals", code, json={"name": "行政审批专用章", "valid_to": valid_to.isoformat()}
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body


@contextmanager
def running(settings: Settings, licence_settings: LicenceSettings | None = None) -> Iterator[Api]:
    """The app on ``settings``, started and stopped around the block."""
    app = create_app(settings, services=[LicencePlugin(licence_settings)])
    with TestClient(app) as client:
        yield Api(client, settings)


def wait_anchored(api: Api, code: str, licence_id: str, timeout_s: float = 20.0) -> dict[str, Any]:
    """The licence once the batcher has anchored it."""
    deadline = time.monotonic() + timeout_s
    while True:
        body: dict[str, Any] = api.get(f"/v1/licences/{licence_id}", code).json()
        if body["anchor"]["state"] == "anchored" or time.monotonic() > deadline:
            assert body["anchor"]["state"] == "anchored", body
            return body
        time.sleep(0.1)


def bulk(api: Api, code: str, numbers: Sequence[int]) -> list[str]:
    response = api.post(
        "/v1/licences/bulk", code, json={"licences": [licence_body(n) for n in numbers]}
    )
    assert response.status_code == 201, response.text
    assert all(batch["state"] == "anchored" for batch in response.json()["batches"])
    ids: list[str] = response.json()["licence_ids"]
    return ids


def verify(api: Api, subject: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/v1/verify", json=subject)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def failed(report: dict[str, Any]) -> dict[str, str]:
    """The failed checks and their reasons."""
    return {
        check: report[check]["reason"]
        for check in ("integrity", "status", "issuer", "seal")
        if not report[check]["ok"]
    }
