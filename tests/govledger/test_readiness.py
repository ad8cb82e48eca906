"""``/healthz`` and ``/readyz``: each not-ready condition made for real (the chain node
stopped, the database refusing connections, a licence batch the chain refused, an access log
its operator cannot anchor), then cured, and readiness back."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from govledger.app import create_app
from govledger.committee import committee_signers
from govledger.db import make_engine
from govledger.departments import reinstate_department, suspend_department
from govledger.keystore import open_keystore
from govledger.settings import Settings
from ledger.contracts import Registries
from ledger.contracts.values import Role
from ledger.devnode import AnvilNode
from licence_service.plugin import LicencePlugin
from licence_service.settings import LicenceSettings
from tests.dbutil import postgres_base_url
from tests.licence_service.world import ISSUER_A, licence_body, prepare, running
from tests.sharing_gateway.world import OPERATOR, prepared_settings, running_world

PROBLEM = "application/problem+json"


def not_ready(client: TestClient) -> dict[str, str]:
    """The failed checks /readyz names (it must answer 503 problem+json)."""
    response = client.get("/readyz")
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["code"] == "not-ready"
    failed: dict[str, str] = body["failed"]
    assert all(f"{name}: " in body["detail"] for name in failed)
    return failed


def ready(client: TestClient) -> dict[str, str]:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    checks: dict[str, str] = response.json()["checks"]
    assert set(checks.values()) == {"ok"}
    return checks


def eventually(probe: Callable[[], bool], timeout_s: float = 60.0) -> None:
    """Wait until ``probe()`` holds (background rounds run on their own interval)."""
    deadline = time.monotonic() + timeout_s
    while not probe():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.2)


def registries_of(client: TestClient) -> Registries:
    registries: Registries = client.app.state.platform_context.chain.registries  # type: ignore[attr-defined]
    return registries


def test_healthz_answers_and_readyz_lists_every_check(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, environment="test")
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert set(ready(client)) == {
            "chain",
            "database",
            "licence-anchoring",
            "access-log-anchoring",
        }


def test_a_stopped_chain_node_is_not_ready_until_it_is_back(tmp_path: Path) -> None:
    node = AnvilNode(state_file=tmp_path / "anvil-state.json").start()
    try:
        settings = Settings(
            data_dir=tmp_path / "data",
            environment="test",
            chain_backend="rpc",
            chain_rpc_url=node.url,
            chain_id=node.chain_id,
        )
        with TestClient(create_app(settings, services=[LicencePlugin()])) as client:
            ready(client)
            time.sleep(1.5)  # Anvil saves its state every second: the deployment must be in it
            node.stop()
            assert "chain" in not_ready(client)
            assert client.get("/healthz").status_code == 200
            node.start()
            eventually(lambda: client.get("/readyz").status_code == 200)
    finally:
        node.stop()


@contextmanager
def own_postgres_database() -> Iterator[tuple[str, Callable[[bool], None]]]:
    """A database of its own on the suite's PostgreSQL server, and a switch that stops it
    taking connections (and ends the open ones) or lets them in again."""
    base = make_url(postgres_base_url())
    name = f"readyz_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base.render_as_string(hide_password=False), poolclass=NullPool)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

        def accept(connections: bool) -> None:
            allow = "true" if connections else "false"
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {allow}'))
            if not connections:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name"
                    ),
                    {"name": name},
                )

        try:
            yield base.set(database=name).render_as_string(hide_password=False), accept
        finally:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_a_database_refusing_connections_is_not_ready_until_it_takes_them(
    tmp_path: Path,
) -> None:
    with own_postgres_database() as (url, accept):
        settings = Settings(data_dir=tmp_path, environment="test", database_url=url)
        with TestClient(create_app(settings, services=[LicencePlugin()])) as client:
            ready(client)
            accept(False)
            assert "database" in not_ready(client)
            accept(True)
            eventually(lambda: client.get("/readyz").status_code == 200)


def test_a_licence_batch_the_chain_refused_is_not_ready_until_it_is_anchored(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, environment="test")
    prepare(settings, [(ISSUER_A, [Role.ISSUER, Role.SEAL_ADMIN])])
    # The batch stays open until anchored by hand, so the chain sees it only after the change.
    with running(settings, LicenceSettings(batch_max_wait_s=3600)) as api:
        api.create_seal(ISSUER_A)
        issued = api.post("/v1/licences", ISSUER_A, json=licence_body(1))
        assert issued.status_code == 201, issued.text
        ready(api.client)
        registries = registries_of(api.client)
        signers = committee_signers(open_keystore(settings), registries)
        suspend_department(registries, signers, ISSUER_A, 1)
        service = api.client.app.state.licences  # type: ignore[attr-defined]
        service.anchor_due(everything=True)
        reason = not_ready(api.client)["licence-anchoring"]
        assert "refused by the chain" in reason
        assert ISSUER_A in reason

        reinstate_department(registries, signers, ISSUER_A, 2)
        (refused,) = service.batches(ISSUER_A, "refused")
        service.retry_batch(ISSUER_A, refused.batch_id)
        ready(api.client)


@pytest.mark.parametrize("suspended_operator", [True, False], ids=["stalled", "no-operator"])
def test_an_access_log_left_unanchored_past_its_deadline_is_not_ready(
    tmp_path: Path, suspended_operator: bool
) -> None:
    settings = prepared_settings(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite'}")
    gateway: dict[str, Any] = {"anchor_deadline_seconds": 0.5}
    if not suspended_operator:
        gateway["operator_code"] = None
    with running_world(settings, **gateway) as world:
        ready(world.client)
        if suspended_operator:
            suspend_department(world.chain.registries, world.signers, OPERATOR, 1)
        world.dataset("permits")
        assert world.request("permits", ["name"]).status_code == 201
        eventually(lambda: world.client.get("/readyz").status_code == 503)
        reason = not_ready(world.client)["access-log-anchoring"]
        expected = "have not succeeded" if suspended_operator else "no operator department"
        assert expected in reason
        if suspended_operator:
            reinstate_department(world.chain.registries, world.signers, OPERATOR, 2)
            eventually(lambda: world.client.get("/readyz").status_code == 200)
