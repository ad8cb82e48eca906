"""A whole gateway on a real chain, a real database and real SM2 sign-in, driven over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from govledger.app import create_app
from govledger.auth.signin import sign_challenge
from govledger.bench.setup import department_code, prepare_chain
from govledger.committee import committee_signers
from govledger.department_keys import department_key_name
from govledger.deployment import ChainContext
from govledger.keystore import KeyPair, Keystore, open_keystore
from govledger.platform import PlatformContext
from govledger.settings import Settings
from ledger.contracts.values import Role
from sharing_gateway.anchoring import Anchorer
from sharing_gateway.api.deps import GatewayState
from sharing_gateway.plugin import GatewayPlugin
from sharing_gateway.service import Gateway
from sharing_gateway.settings import GatewaySettings

PROBLEM = "application/problem+json"


def make_code(serial: int) -> str:
    return department_code("11350000", serial)


PROVIDER = make_code(101)
REQUESTER = make_code(102)
OTHER_REQUESTER = make_code(103)
AUDITOR = make_code(104)
OPERATOR = make_code(105)
DEPARTMENTS = {
    PROVIDER: [Role.DATA_PROVIDER],
    REQUESTER: [Role.DATA_REQUESTER],
    OTHER_REQUESTER: [Role.DATA_REQUESTER],
    AUDITOR: [Role.AUDITOR],
    OPERATOR: [Role.AUDITOR],
}


class MovableClock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class World:
    settings: Settings
    client: TestClient
    chain: ChainContext
    keystore: Keystore
    state: GatewayState
    clock: MovableClock
    signers: list[KeyPair]
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def gateway(self) -> Gateway:
        return self.state.gateway

    @property
    def context(self) -> PlatformContext:
        context: PlatformContext = self.client.app.state.platform_context  # type: ignore[attr-defined]
        return context

    @property
    def session_factory(self) -> sessionmaker[Session]:
        """The database's sessions, for tests that alter rows behind the gateway's back."""
        return self.context.platform.session_factory

    @property
    def anchorer(self) -> Anchorer:
        assert self.state.anchorer is not None
        return self.state.anchorer

    def keys(self, code: str) -> KeyPair:
        """``code``'s keys of the version in force (a re-key adds a keystore entry)."""
        version = self.chain.registries.departments.get_department(code).key_version
        return self.keystore.load(department_key_name(code, version))

    def bearer(self, code: str) -> dict[str, str]:
        if code not in self.tokens:
            challenge = self.client.post("/v1/auth/challenge", json={"department_code": code})
            assert challenge.status_code == 200, challenge.text
            body = challenge.json()
            signature = sign_challenge(body["message"], self.keys(code).sm2)
            token = self.client.post(
                "/v1/auth/token",
                json={"challenge_id": body["challenge_id"], "signature": signature},
            )
            assert token.status_code == 200, token.text
            self.tokens[code] = token.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[code]}"}

    def call(
        self, method: str, url: str, code: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> Response:
        return self.client.request(
            method, url, headers={**self.bearer(code), **(headers or {})}, **kw
        )

    # -- common flows -------------------------------------------------------------------------

    def dataset(
        self,
        dataset_id: str,
        share_class: str = "conditional",
        records: list[dict[str, Any]] | None = None,
    ) -> None:
        created = self.call(
            "POST",
            "/v1/datasets",
            PROVIDER,
            json={
                "dataset_id": dataset_id,
                "title": f"Dataset {dataset_id}",
                "share_class": share_class,
                "fields": [
                    {"name": "name", "type": "string"},
                    {"name": "licence_no", "type": "string"},
                    {"name": "employees", "type": "integer"},
                    {"name": "active", "type": "boolean"},
                ],
            },
        )
        assert created.status_code == 201, created.text
        published = self.call(
            "POST",
            f"/v1/datasets/{dataset_id}/versions",
            PROVIDER,
            json=records if records is not None else RECORDS,
        )
        assert published.status_code == 201, published.text

    def request(
        self,
        dataset_id: str,
        fields: list[str],
        *,
        requester: str = REQUESTER,
        max_uses: int = 5,
        hours: float = 24,
    ) -> Response:
        return self.call(
            "POST",
            "/v1/requests",
            requester,
            json={
                "dataset_id": dataset_id,
                "fields": fields,
                "purpose": "verify business licences of applicants",
                "use_scenario": "online permit application",
                "scenario_code": 7,
                "expires_at": (self.clock() + timedelta(hours=hours)).isoformat(),
                "max_uses": max_uses,
            },
        )

    def granted(self, dataset_id: str, requested: list[str], **approval: Any) -> int:
        """A conditional dataset, requested and approved; returns the grant id."""
        self.dataset(dataset_id)
        response = self.request(dataset_id, requested, max_uses=approval.pop("max_uses", 5))
        assert response.status_code == 201, response.text
        grant_id: int = response.json()["grant_id"]
        approved = self.call("POST", f"/v1/requests/{grant_id}/approve", PROVIDER, json=approval)
        assert approved.status_code == 200, approved.text
        return grant_id

    def release(
        self, dataset_id: str, grant_id: int, fields: str, code: str = REQUESTER
    ) -> Response:
        return self.call(
            "GET", f"/v1/datasets/{dataset_id}/data?grant={grant_id}&fields={fields}", code
        )

    def last_entries(self, count: int) -> list[dict[str, Any]]:
        return [entry.to_json() for entry in self.gateway.entries()[-count:]]


RECORDS = [
    {"name": "Fuzhou Tea Co.", "licence_no": "L-0001", "employees": 12, "active": True},
    {"name": "闽江 Logistics", "licence_no": "L-0002", "employees": 230, "active": False},
]


def prepared_settings(
    data_dir: Path, database_url: str, *, rpc_url: str | None = None, chain_id: int = 1337
) -> Settings:
    """Settings of a data dir whose chain is initialised with the five departments."""
    chain_settings: dict[str, Any] = (
        {"chain_backend": "rpc", "chain_rpc_url": rpc_url, "chain_id": chain_id} if rpc_url else {}
    )
    settings = Settings(
        data_dir=data_dir, database_url=database_url, environment="test", **chain_settings
    )
    prepare_chain(
        settings,
        DEPARTMENTS,
        name=lambda code: f"Dept {code}",
        committee_size=1,
        log_operator=OPERATOR,
    )
    return settings


@contextmanager
def running_world(settings: Settings, **gateway: Any) -> Iterator[World]:
    """The real app (``create_app`` with the gateway plugin only) on prepared ``settings``;
    again on the same settings after it stopped, or after another process was killed.
    ``gateway`` changes the gateway's settings."""
    keystore = open_keystore(settings)
    clock = MovableClock()
    plugin = GatewayPlugin(
        GatewaySettings(**{"operator_code": OPERATOR, "anchor_interval_seconds": 0.2, **gateway}),
        clock=clock,
    )
    with TestClient(create_app(settings, services=[plugin])) as client:
        state = client.app.state  # type: ignore[attr-defined]
        chain = state.platform_context.chain
        yield World(
            settings,
            client,
            chain,
            keystore,
            state.gateway,
            clock,
            committee_signers(keystore, chain.registries),
        )


@contextmanager
def gateway_world(
    data_dir: Path, database_url: str, *, rpc_url: str | None = None, chain_id: int = 1337
) -> Iterator[World]:
    """A running world on a chain whose five departments were registered first."""
    settings = prepared_settings(data_dir, database_url, rpc_url=rpc_url, chain_id=chain_id)
    with running_world(settings) as world:
        yield world
