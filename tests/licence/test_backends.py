"""The core licence flow on the other backends: a real Anvil node (JSON-RPC) and a real
PostgreSQL database."""

from __future__ import annotations

from pathlib import Path

import pytest

from govledger.settings import Settings
from ledger.contracts import Role
from ledger.devnode import AnvilNode
from licence_service.settings import LicenceSettings
from tests.dbutil import isolated_database
from tests.licence.world import (
    ISSUER_A,
    bulk,
    data_dir_settings,
    failed,
    licence_body,
    prepare,
    running,
    verify,
    wait_anchored,
)

FAST = LicenceSettings(batch_max_wait_s=0.2)


def core_flow(settings: Settings) -> None:
    prepare(settings, [(ISSUER_A, [Role.ISSUER, Role.SEAL_ADMIN])])
    with running(settings, FAST) as api:
        api.create_seal(ISSUER_A)
        ids = bulk(api, ISSUER_A, range(1, 6))
        single = api.post("/v1/licences", ISSUER_A, json=licence_body(9)).json()
        anchored = wait_anchored(api, ISSUER_A, single["licence_id"])
        assert verify(api, anchored["document"])["ok"]
        shown = api.post(
            f"/v1/holder/licences/{single['licence_id']}/presentations",
            headers={"Authorization": f"Bearer {single['holder_token']}"},
            json={"fields": ["licence_number"], "lifetime_s": 60},
        ).json()
        assert verify(api, shown["presentation"])["ok"]
        document = api.get(f"/v1/licences/{ids[0]}", ISSUER_A).json()["document"]
        api.post(f"/v1/licences/{ids[0]}/suspend", ISSUER_A, json={"reason_code": 1, "reason": "x"})
        assert failed(verify(api, document)) == {"status": "licence-suspended"}


@pytest.mark.anvil
def test_core_flow_on_anvil(anvil: AnvilNode, tmp_path: Path) -> None:
    core_flow(
        data_dir_settings(
            tmp_path, chain_backend="rpc", chain_rpc_url=anvil.url, chain_id=anvil.chain_id
        )
    )


@pytest.mark.postgres
def test_core_flow_on_postgresql(tmp_path: Path) -> None:
    with isolated_database("postgres", tmp_path) as url:
        core_flow(data_dir_settings(tmp_path, database_url=url))
